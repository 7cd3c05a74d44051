package io.snowhook.warehouse;

/**
 * The file the warehouse was to read straight from storage is not there (Snowflake 091016 for an external stage):
 * the same fact as a missing blob, so permanent and never retried.
 */
public class SourceFileNotFound extends WarehouseFailure {

    public SourceFileNotFound(String message, Throwable cause) {
        super(message, cause);
    }
}
