package io.snowhook.warehouse;

/** Where the warehouse reads a file from. */
public enum Staging {
    /** snowhook streams the blob into the warehouse's own stage, then copies from there. */
    INTERNAL,
    /** The warehouse reads the blob straight from storage (a Snowflake external stage); no bytes pass through snowhook. */
    EXTERNAL
}
