package io.snowhook.warehouse.snowflake;

import io.snowhook.warehouse.WarehouseFailure;

/**
 * COPY ran but processed no file ("Copy executed with 0 files processed."): the staged file or blob was not
 * where the statement looked, or Snowflake's load metadata skipped it. Reported as a failure, never as a
 * success with zero rows.
 */
final class NoFilesProcessed extends WarehouseFailure {

    NoFilesProcessed(String message) {
        super(message);
    }
}
