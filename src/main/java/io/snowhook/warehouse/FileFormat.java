package io.snowhook.warehouse;

/** The file formats a route can load; CSV and JSON lines may be gzip-compressed (detected by a {@code .gz} name). */
public enum FileFormat {
    CSV,
    JSON,
    PARQUET
}
