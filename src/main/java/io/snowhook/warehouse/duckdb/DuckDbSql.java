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

    /**
     * The CSV reader's buffer, 8 MiB: DuckDB's default (about 32 MiB, 16 times its 2 MB maximum line) per reading
     * thread did not fit the default {@code memory_limit}; a line may still be up to DuckDB's 2 MB long.
     */
    static final int CSV_BUFFER_SIZE = 8 * 1024 * 1024;

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
     * The insert of one file: parameters are 1 = source blob, 2 = eTag, 3 = load id, 4 = staged file path. Only
     * configured and catalogue names appear in the text, quoted; nothing from an event does.
     */
    static String insert(FileFormat format, boolean gzipped, String table, List<Column> columns) {
        String columnList = columnList(columns);
        return "INSERT INTO " + quote(table) + " (" + columnList + ", " + lineageList() + ") SELECT " + columnList
                + ", ?, ?, CAST(? AS UUID), current_timestamp FROM " + reader(format, gzipped, columns, "?", false);
    }

    /** The column DuckDB's readers add with each row's file ({@code filename = …}): not a name a table can use. */
    static final String FILE_COLUMN = "__snowhook_file";

    /**
     * The insert of {@code files} files of one format and compression in one statement, each row joined to its file's
     * lineage values by the file it was read from. Parameters: 1 … n = the staged paths; then per file 4: staged
     * path, source blob, eTag, load id.
     */
    static String insertBatch(FileFormat format, boolean gzipped, String table, List<Column> columns, int files) {
        String columnList = columnList(columns);
        String selected = columns.stream().map(c -> "r." + quote(c.name())).collect(Collectors.joining(", "));
        String paths = String.join(", ", java.util.Collections.nCopies(files, "?"));
        String values = String.join(", ", java.util.Collections.nCopies(files, "(?, ?, ?, ?)"));
        return "INSERT INTO " + quote(table) + " (" + columnList + ", " + lineageList() + ") SELECT " + selected
                + ", b.source_blob, b.etag, CAST(b.load_id AS UUID), current_timestamp FROM "
                + reader(format, gzipped, columns, "[" + paths + "]", true) + " AS r JOIN (VALUES " + values
                + ") AS b(path, source_blob, etag, load_id) ON r." + quote(FILE_COLUMN) + " = b.path";
    }

    /**
     * The rows this transaction inserted, per load: the insert stamps {@code _loaded_at} with the transaction's start
     * ({@code current_timestamp}), which also lets DuckDB skip older row groups. Parameters: the {@code files} load
     * ids.
     */
    static String rowsPerLoad(String table, int files) {
        return "SELECT CAST(_load_id AS VARCHAR), count(*) FROM " + quote(table)
                + " WHERE _loaded_at = current_timestamp AND _load_id IN ("
                + String.join(", ", java.util.Collections.nCopies(files, "CAST(? AS UUID)")) + ") GROUP BY _load_id";
    }

    /**
     * Removes the rows earlier runs of {@code files} files left — in replace mode every version of each blob, in
     * append mode each blob version — in one statement. Parameters: per file the source blob (and in append mode its
     * eTag).
     */
    static String deleteBatch(LoadMode mode, String table, int files) {
        if (mode == LoadMode.REPLACE) {
            return "DELETE FROM " + quote(table) + " WHERE _source_blob IN ("
                    + String.join(", ", java.util.Collections.nCopies(files, "?")) + ")";
        }
        return "DELETE FROM " + quote(table) + " AS t USING (VALUES "
                + String.join(", ", java.util.Collections.nCopies(files, "(?, ?)"))
                + ") AS b(source_blob, etag) WHERE t._source_blob = b.source_blob AND t._etag = b.etag";
    }

    private static String columnList(List<Column> columns) {
        return columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    }

    private static String lineageList() {
        return LINEAGE_COLUMNS.stream().map(DuckDbSql::quote).collect(Collectors.joining(", "));
    }

    private static String reader(
            FileFormat format, boolean gzipped, List<Column> columns, String files, boolean named) {
        String types = columns.stream()
                .map(c -> literal(c.name()) + ": " + literal(c.type()))
                .collect(Collectors.joining(", ", "{", "}"));
        String filename = named ? ", filename = " + literal(FILE_COLUMN) : "";
        return switch (format) {
            // Dialect and types fixed, strict: a row that does not fit errors (with its line) instead
            // of being skipped or re-typed by the sniffer.
            case CSV ->
                "read_csv(" + files + ", auto_detect = false, header = true, delim = ',', quote = '\"', escape = '\"',"
                        + " strict_mode = true, compression = " + (gzipped ? "'gzip'" : "'none'") + ", buffer_size = "
                        + CSV_BUFFER_SIZE + ", columns = " + types + filename + ")";
            case JSON ->
                "read_json(" + files + ", format = 'newline_delimited', compression = "
                        + (gzipped ? "'gzip'" : "'uncompressed'") + ", columns = " + types + filename + ")";
            case PARQUET -> "read_parquet(" + files + filename + ")";
        };
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
