package io.snowhook.warehouse.snowflake;

/** A blob name that cannot be written into Snowflake SQL without changing what it names. */
final class UnsafeName extends IllegalArgumentException {

    UnsafeName(String reason) {
        super(reason);
    }
}
