package io.snowhook.warehouse.duckdb;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.Lineage;
import io.snowhook.warehouse.LoadMode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL the DuckDB adapter sends. Identifiers come from configuration (a route's table, checked by {@link
 * Lineage#table}) or from DuckDB's own catalogue, and are always quoted; values from events — blob names, eTags,
 * staged paths — enter only as bind parameters, so no event can change a statement's meaning.
 */
final class DuckDbSql {

    /** The lineage columns the insert fills, in the order of its parameters 1 to 3, then the load time. */
    static final List<String> LINEAGE_COLUMNS =
            List.of(Lineage.SOURCE_BLOB, Lineage.ETAG, Lineage.LOAD_ID, Lineage.LOADED_AT);

    private DuckDbSql() {}

    /** A column of a target table, as DuckDB's catalogue names and types it. */
    record Column(String name, String type) {}

    /** The table's columns with their types, in order; parameter 1 = table name. */
    static String columns() {
        return "SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND lower(table_name) = lower(?)"
                + " ORDER BY ordinal_position";
    }

    /**
     * Removes the rows an earlier run of this load (or, in replace mode, any earlier version of the blob) left:
     * parameter 1 = source blob, in append mode 2 = eTag.
     */
    static String delete(LoadMode mode, String table) {
        return mode == LoadMode.REPLACE
                ? "DELETE FROM " + quote(table) + " WHERE _source_blob = ?"
                : "DELETE FROM " + quote(table) + " WHERE _source_blob = ? AND _etag = ?";
    }

    /**
     * The insert: parameters are 1 = source blob, 2 = eTag, 3 = load id, 4 = staged file path. Only configured and
     * catalogue names appear in the text, quoted; nothing from an event does.
     */
    static String insert(FileFormat format, boolean gzipped, String table, List<Column> columns) {
        String columnList = columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
        String lineage = LINEAGE_COLUMNS.stream().map(DuckDbSql::quote).collect(Collectors.joining(", "));
        String types = columns.stream()
                .map(c -> literal(c.name()) + ": " + literal(c.type()))
                .collect(Collectors.joining(", ", "{", "}"));
        String reader = switch (format) {
            // Dialect and types fixed, strict: a row that does not fit errors (with its line) instead
            // of being skipped or re-typed by the sniffer.
            case CSV ->
                "read_csv(?, auto_detect = false, header = true, delim = ',', quote = '\"', escape = '\"',"
                        + " strict_mode = true, compression = " + (gzipped ? "'gzip'" : "'none'") + ", columns = "
                        + types
                        + ")";
            case JSON ->
                "read_json(?, format = 'newline_delimited', compression = " + (gzipped ? "'gzip'" : "'uncompressed'")
                        + ", columns = " + types + ")";
            case PARQUET -> "read_parquet(?)";
        };
        return "INSERT INTO " + quote(table) + " (" + columnList + ", " + lineage + ") SELECT " + columnList
                + ", ?, ?, CAST(? AS UUID), current_timestamp FROM " + reader;
    }

    /**
     * The staged file's name: the blob's last path segment reduced to characters that are neither glob patterns to
     * DuckDB nor special to the file system; the folder is the load id, so names never collide.
     */
    static String stagedName(FileLoad file) {
        String blob = file.blobName();
        String last = blob.substring(blob.lastIndexOf('/') + 1);
        String safe = last.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
        if (safe.length() > 120) {
            safe = safe.substring(safe.length() - 120);
        }
        return safe.isEmpty() ? "file" + (file.gzipped() ? ".gz" : "") : safe;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
