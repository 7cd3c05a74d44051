package io.snowhook.warehouse.snowflake;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.Lineage;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL the adapter sends. Identifiers come only from configuration (validated, upper-cased as Snowflake does
 * for unquoted names, then quoted) or from the table's own column list; values from events — blob names, eTags —
 * enter only as escaped string literals, so no event can change a statement's meaning.
 */
final class SnowflakeSql {

    static final String SOURCE_BLOB = unquoted(Lineage.SOURCE_BLOB);
    static final String ETAG = unquoted(Lineage.ETAG);
    static final String LOAD_ID = unquoted(Lineage.LOAD_ID);
    static final String LOADED_AT = unquoted(Lineage.LOADED_AT);
    /** Optional lineage column: filled with the row's line/record number in its file when the table has it. */
    static final String ROW_NUMBER = unquoted(Lineage.ROW_NUMBER);

    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile(SnowflakeProperties.IDENTIFIER);

    private final String database;
    private final String schema;
    private final String rawDatabase;
    private final String rawSchema;

    SnowflakeSql(String database, String schema) {
        this.database = identifier(database);
        this.schema = identifier(schema);
        this.rawDatabase = database.toUpperCase(Locale.ROOT);
        this.rawSchema = schema.toUpperCase(Locale.ROOT);
    }

    /** How Snowflake names an unquoted identifier: upper-cased. */
    static String unquoted(String name) {
        return name.toUpperCase(Locale.ROOT);
    }

    /** A configured plain identifier, upper-cased (Snowflake's rule for unquoted names) and quoted. */
    static String identifier(String name) {
        if (!PLAIN_IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain identifier: " + name);
        }
        return '"' + name.toUpperCase(Locale.ROOT) + '"';
    }

    /** A column name exactly as the warehouse reported it, quoted. */
    static String column(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code "DATABASE"."SCHEMA"."NAME"} for a configured object name. */
    String qualified(String name) {
        return database + "." + schema + "." + identifier(name);
    }

    /**
     * A Snowflake single-quoted string constant holding exactly {@code value}: quotes are doubled, backslashes
     * (an escape character in Snowflake strings) doubled, control characters written as {@code \\uXXXX}.
     *
     * @throws UnsafeName when the value is not well-formed Unicode and so cannot be written as a literal
     */
    static String literal(String value) {
        StringBuilder sql = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                sql.append(c).append(value.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                throw new UnsafeName("contains an unpaired UTF-16 surrogate at index " + i);
            } else if (c == '\'') {
                sql.append("''");
            } else if (c == '\\') {
                sql.append("\\\\");
            } else if (Character.isISOControl(c)) {
                sql.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sql.append(c);
            }
        }
        return sql.append('\'').toString();
    }

    /**
     * A blob name as a path inside an external stage. Besides being a valid literal, it must name one file the
     * way Snowflake resolves stage paths: no control characters, no {@code .}/{@code ..} segments, no leading or
     * doubled {@code /} — those would address a different file or none.
     */
    static String stagePath(String blobName) {
        if (blobName.isEmpty()) {
            throw new UnsafeName("is empty");
        }
        if (blobName.chars().anyMatch(Character::isISOControl)) {
            throw new UnsafeName("contains a control character, which a stage path cannot address");
        }
        if (blobName.startsWith("/") || blobName.contains("//")) {
            throw new UnsafeName("has an empty path segment, which a stage path cannot address");
        }
        for (String segment : blobName.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new UnsafeName("has a '.' or '..' segment, which a stage path would resolve elsewhere");
            }
        }
        return literal(blobName);
    }

    String columns(String table) {
        return "SELECT COLUMN_NAME FROM " + database + ".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = "
                + literal(rawSchema) + " AND TABLE_NAME = " + literal(table.toUpperCase(Locale.ROOT))
                + " ORDER BY ORDINAL_POSITION";
    }

    /** Removes the rows an earlier run of this load (or, in replace mode, any earlier version) left behind. */
    String delete(FileLoad file) {
        String sql = "DELETE FROM " + qualified(file.table()) + " WHERE " + column(SOURCE_BLOB) + " = "
                + literal(file.sourceBlob());
        return file.mode() == LoadMode.APPEND ? sql + " AND " + column(ETAG) + " = " + literal(file.etag()) : sql;
    }

    /**
     * The COPY of one file with a transform adding the lineage columns. {@code FORCE = TRUE} because the DELETE
     * in the same transaction already made the re-run safe, and Snowflake's load metadata must not silently skip
     * a file it has seen before.
     */
    String copy(
            FileLoad file,
            TableColumns table,
            String location,
            String fileLiteral,
            String fileFormat,
            String onError,
            String loadedAt) {
        List<String> targets = new ArrayList<>();
        List<String> values = new ArrayList<>();
        addDataColumns(file.format(), table, targets, values);
        targets.add(column(SOURCE_BLOB));
        values.add(literal(file.sourceBlob()));
        targets.add(column(ETAG));
        values.add(literal(file.etag()));
        targets.add(column(LOAD_ID));
        values.add(literal(file.loadId().toString()));
        targets.add(column(LOADED_AT));
        values.add(literal(loadedAt) + "::TIMESTAMP_TZ");
        if (table.hasRowNumber()) {
            targets.add(column(ROW_NUMBER));
            values.add("METADATA$FILE_ROW_NUMBER");
        }
        return "COPY INTO " + qualified(file.table()) + " (" + String.join(", ", targets) + ") FROM (SELECT "
                + String.join(", ", values) + " FROM " + location + ") FILES = (" + fileLiteral + ")"
                + " FILE_FORMAT = (FORMAT_NAME = " + qualified(fileFormat) + ") ON_ERROR = "
                + onError.toUpperCase(Locale.ROOT) + " FORCE = TRUE";
    }

    /**
     * The table's data columns and, for each, where a COPY transformation reads it: {@code $n} for CSV's n-th field,
     * {@code $1:<name>} for the lower-case key of a JSON/Parquet record.
     */
    private static void addDataColumns(
            FileFormat format, TableColumns table, List<String> targets, List<String> values) {
        List<String> data = table.data();
        for (int i = 0; i < data.size(); i++) {
            targets.add(column(data.get(i)));
            values.add(
                    format == FileFormat.CSV
                            ? "$" + (i + 1)
                            : "$1:" + column(data.get(i).toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * One file of a batch COPY: its load, its name in {@code FILES} (relative to the COPY's location) and its path as
     * {@code METADATA$FILENAME} gives it (relative to the stage), both as literals.
     */
    record BatchFile(FileLoad load, String fileLiteral, String pathLiteral) {}

    /**
     * The COPY of a batch's files in one statement. Each file's lineage values are chosen by the file its row comes
     * from: {@code CASE METADATA$FILENAME WHEN <path> THEN <value> … END} (COPY transformations take no joins; docs
     * "Transforming data during a load", https://docs.snowflake.com/en/user-guide/data-load-transform, and
     * "Querying metadata for staged files": METADATA$FILENAME is the file's path in the stage). {@code _loaded_at} is
     * one value for the whole batch: it tells this COPY's rows from those of earlier runs of the same load.
     */
    String copyBatch(
            LoadTarget target,
            List<BatchFile> files,
            TableColumns table,
            String location,
            String fileFormat,
            String onError,
            String loadedAt) {
        List<String> targets = new ArrayList<>();
        List<String> values = new ArrayList<>();
        addDataColumns(target.format(), table, targets, values);
        targets.add(column(SOURCE_BLOB));
        values.add(perFile(files, f -> literal(f.load().sourceBlob())));
        targets.add(column(ETAG));
        values.add(perFile(files, f -> literal(f.load().etag())));
        targets.add(column(LOAD_ID));
        values.add(perFile(files, f -> literal(f.load().loadId().toString())));
        targets.add(column(LOADED_AT));
        values.add(literal(loadedAt) + "::TIMESTAMP_TZ");
        if (table.hasRowNumber()) {
            targets.add(column(ROW_NUMBER));
            values.add("METADATA$FILE_ROW_NUMBER");
        }
        String names = files.stream().map(BatchFile::fileLiteral).collect(Collectors.joining(", "));
        return "COPY INTO " + qualified(target.table()) + " (" + String.join(", ", targets) + ") FROM (SELECT "
                + String.join(", ", values) + " FROM " + location + ") FILES = (" + names + ")"
                + " FILE_FORMAT = (FORMAT_NAME = " + qualified(fileFormat) + ") ON_ERROR = "
                + onError.toUpperCase(Locale.ROOT) + " FORCE = TRUE";
    }

    private static String perFile(List<BatchFile> files, java.util.function.Function<BatchFile, String> value) {
        StringBuilder sql = new StringBuilder("CASE METADATA$FILENAME");
        for (BatchFile f : files) {
            sql.append(" WHEN ").append(f.pathLiteral()).append(" THEN ").append(value.apply(f));
        }
        return sql.append(" END").toString();
    }

    /**
     * Removes what earlier runs left of the files a batch COPY loaded — in replace mode every version of each blob, in
     * append mode each blob version — but not the rows this COPY wrote ({@code _loaded_at} is the batch's).
     */
    String deleteEarlier(LoadTarget target, List<FileLoad> loaded, String loadedAt) {
        String blobs = loaded.stream()
                .map(f -> target.mode() == LoadMode.APPEND
                        ? "(" + column(SOURCE_BLOB) + " = " + literal(f.sourceBlob()) + " AND " + column(ETAG) + " = "
                                + literal(f.etag()) + ")"
                        : column(SOURCE_BLOB) + " = " + literal(f.sourceBlob()))
                .collect(Collectors.joining(" OR "));
        return "DELETE FROM " + qualified(target.table()) + " WHERE (" + blobs + ") AND NOT (" + column(LOADED_AT)
                + " = " + literal(loadedAt) + "::TIMESTAMP_TZ AND " + column(LOAD_ID) + " IN ("
                + loaded.stream().map(f -> literal(f.loadId().toString())).collect(Collectors.joining(", ")) + "))";
    }

    /** Removes the rows a batch COPY wrote for files it did not load whole (ON_ERROR = CONTINUE, SKIP_FILE_n). */
    String deletePartial(LoadTarget target, List<FileLoad> failed, String loadedAt) {
        return "DELETE FROM " + qualified(target.table()) + " WHERE " + column(LOADED_AT) + " = " + literal(loadedAt)
                + "::TIMESTAMP_TZ AND " + column(LOAD_ID) + " IN ("
                + failed.stream().map(f -> literal(f.loadId().toString())).collect(Collectors.joining(", ")) + ")";
    }

    /** {@code @"DB"."SCHEMA"."STAGE"} optionally followed by a path built by the adapter (never from an event). */
    String stage(String stage, String path) {
        return "@" + qualified(stage) + (path.isEmpty() ? "" : "/" + path);
    }

    String remove(String location) {
        return "REMOVE " + location;
    }

    /** The columns of a target table, split into data columns (in order) and lineage columns. */
    record TableColumns(List<String> data, boolean hasRowNumber) {

        /**
         * @throws io.snowhook.warehouse.WarehouseFailure when the table does not exist or lacks a lineage column
         */
        static TableColumns of(String table, List<String> all) {
            Lineage.check(table, all, SnowflakeSql::unquoted);
            List<String> data = all.stream()
                    .filter(c -> !Lineage.required(c) && !Lineage.rowNumber(c))
                    .toList();
            return new TableColumns(data, all.stream().anyMatch(Lineage::rowNumber));
        }
    }
}
