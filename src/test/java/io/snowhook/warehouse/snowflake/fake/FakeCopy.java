package io.snowhook.warehouse.snowflake.fake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;
import tools.jackson.databind.node.ObjectNode;

/**
 * Executes one {@code COPY INTO <table> (<columns>) FROM (SELECT <transform> FROM @<stage>) FILES = (…)
 * FILE_FORMAT = (FORMAT_NAME = …) ON_ERROR = …} against DuckDB, answering Snowflake's per-file result. Bad values
 * (those DuckDB cannot cast to the column's type) are found row by row, so {@code ON_ERROR} behaves as in
 * Snowflake: SKIP_FILE → LOAD_FAILED, CONTINUE → PARTIALLY_LOADED, ABORT_STATEMENT → a 100038 error.
 */
final class FakeCopy {

    private static final Pattern ON_ERROR = Pattern.compile("(?i)ON_ERROR\\s*=\\s*('[^']*'|\\S+)");
    private static final Pattern FORMAT = Pattern.compile("(?i)FORMAT_NAME\\s*=\\s*(\\S+?)\\)");
    private static final Pattern POSITION = Pattern.compile("\\$(\\d+)");
    private static final Pattern JSON_KEY = Pattern.compile("\\$1:\"([^\"]+)\"");
    private static final Pattern CAST_LITERAL = Pattern.compile("(?s)('.*')::(\\w+)");

    /** docs "COPY INTO <table>", FILES: at most 1,000 file names. */
    static final int MAX_FILES = 1000;

    private static final Pattern FORCE = Pattern.compile("(?i)\\bFORCE\\s*=\\s*TRUE\\b");

    private final SnowflakeFake fake;
    private final Map<String, String> loaded = new HashMap<>();
    private final Connection session;
    private final String database;

    FakeCopy(SnowflakeFake fake, Connection session, String database) {
        this.fake = fake;
        this.session = session;
        this.database = database;
    }

    /** Files this COPY loaded (stage file → MD5), for the table's load metadata. */
    Map<String, String> loaded() {
        return loaded;
    }

    /**
     * Runs the COPY. {@code metadata} is the table's load metadata (file → MD5 of the content it loaded): without
     * {@code FORCE = TRUE} a file loaded before with the same content is skipped (docs "COPY INTO <table>", FORCE;
     * "Loading older files": a changed file has a new checksum and loads again).
     */
    ObjectNode run(String sql, Map<String, String> metadata) throws SQLException {
        int open = sql.indexOf('(');
        String table = sql.substring("COPY INTO ".length(), open).strip();
        int targetsEnd = FakeSql.closing(sql, open);
        List<String> targets = FakeSql.splitTopLevel(sql.substring(open + 1, targetsEnd));
        int fromOpen = sql.indexOf('(', targetsEnd + 1);
        int fromEnd = FakeSql.closing(sql, fromOpen);
        String transform = sql.substring(fromOpen + 1, fromEnd).strip();
        int stageAt = transform.lastIndexOf(" FROM @");
        List<String> values = FakeSql.splitTopLevel(transform.substring("SELECT ".length(), stageAt));
        String location = transform.substring(stageAt + " FROM ".length()).strip();
        int filesOpen = sql.indexOf('(', sql.indexOf("FILES", fromEnd));
        List<String> files = new ArrayList<>();
        for (String literal : FakeSql.splitTopLevel(sql.substring(filesOpen + 1, FakeSql.closing(sql, filesOpen)))) {
            files.add(FakeSql.literalAt(literal.strip(), 0).value());
        }
        if (files.size() > MAX_FILES) {
            // docs "COPY INTO <table>", FILES: "The maximum number of file names that can be specified is 1000."
            // The exact error text is not documented: a compilation error, stricter than guessing a load.
            throw new SQLException(
                    "FILES lists " + files.size() + " file names; at most " + MAX_FILES + " can be specified");
        }
        Matcher format = FORMAT.matcher(sql);
        String formatName = format.find() ? format.group(1).toUpperCase(Locale.ROOT) : "CSV";
        Matcher onErrorMatch = ON_ERROR.matcher(sql);
        String onError = onErrorMatch.find() ? onErrorMatch.group(1).toUpperCase(Locale.ROOT) : "ABORT_STATEMENT";
        if (targets.size() != values.size()) {
            throw new SQLException("Insert value list does not match column list expecting " + targets.size()
                    + " but got " + values.size());
        }

        Map<String, String> types = types(table);
        boolean force =
                FORCE.matcher(sql.substring(FakeSql.closing(sql, filesOpen))).find();
        List<List<String>> results = new ArrayList<>();
        for (String file : files) {
            fake.fetch(location, file);
            Path path = fake.stageFile(location, file);
            if (path == null || !Files.isRegularFile(path)) {
                // docs "COPY INTO <table>", FILES: a listed file that does not exist fails the statement
                // with 091016 (SQLState 22000) — it is not skipped, and it is not "0 files processed"
                throw new DataError(
                        "091016",
                        "22000",
                        "Remote file '" + location + "/" + file + "' was not found. If you are running a copy"
                                + " command, please make sure files are not deleted when they are being loaded or"
                                + " files are not being loaded into two different tables concurrently with auto"
                                + " purge option.");
            }
            String key = path.toString();
            String md5;
            try {
                md5 = SnowflakeFake.md5(Files.readAllBytes(path));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (!force && md5.equals(metadata.get(key))) {
                continue;
            }
            // docs "Querying metadata for staged files": METADATA$FILENAME is the file's path in its stage
            String stagePath = SnowflakeFake.stagePathOf(location) + file;
            List<String> result = copyFile(table, targets, values, types, path, file, stagePath, formatName, onError);
            if (!"LOAD_FAILED".equals(result.get(1))) {
                loaded.put(key, md5);
            }
            results.add(result);
        }
        if (results.isEmpty()) {
            return fake.status(SnowflakeFake.COPY, "Copy executed with 0 files processed.");
        }
        List<ObjectNode> columns = List.of(
                fake.column("file", "text"),
                fake.column("status", "text"),
                fake.column("rows_parsed", "fixed"),
                fake.column("rows_loaded", "fixed"),
                fake.column("error_limit", "fixed"),
                fake.column("errors_seen", "fixed"),
                fake.column("first_error", "text"),
                fake.column("first_error_line", "fixed"),
                fake.column("first_error_character", "fixed"),
                fake.column("first_error_column_name", "text"));
        return fake.rows(SnowflakeFake.COPY, columns, results);
    }

    private List<String> copyFile(
            String table,
            List<String> targets,
            List<String> values,
            Map<String, String> types,
            Path path,
            String file,
            String stagePath,
            String formatName,
            String onError)
            throws SQLException {
        boolean json = formatName.contains("JSON");
        // data columns: position in the transform → source column c<i> and the target's type
        List<String> sourceColumns = new ArrayList<>();
        List<String> projected = new ArrayList<>();
        Map<Integer, Integer> valueToSource = new HashMap<>();
        int maxPosition = 0;
        for (int v = 0; v < values.size(); v++) {
            Matcher position = POSITION.matcher(values.get(v));
            Matcher key = JSON_KEY.matcher(values.get(v));
            if (json && key.matches()) {
                projected.add("CAST(" + quote(key.group(1)) + " AS VARCHAR) AS c" + (sourceColumns.size() + 1));
                sourceColumns.add("c" + (sourceColumns.size() + 1));
                valueToSource.put(v, sourceColumns.size());
            } else if (!json && position.matches()) {
                int p = Integer.parseInt(position.group(1));
                maxPosition = Math.max(maxPosition, p);
                valueToSource.put(v, p);
            }
        }
        String source;
        if (json) {
            source = "(SELECT row_number() OVER () AS __rn, " + String.join(", ", projected) + " FROM read_json("
                    + FakeSql.standard(path.toString()) + ", format = 'newline_delimited'))";
        } else {
            List<String> names = new ArrayList<>();
            for (int p = 1; p <= maxPosition; p++) {
                names.add("'c" + p + "'");
            }
            source = "(SELECT row_number() OVER () AS __rn, * FROM read_csv(" + FakeSql.standard(path.toString())
                    + ", header = false, skip = 1, all_varchar = true, null_padding = true, names = ["
                    + String.join(", ", names) + "]))";
        }
        List<String> checks = new ArrayList<>();
        List<String> checkedColumns = new ArrayList<>();
        List<String> checkedTypes = new ArrayList<>();
        List<String> checkedTargets = new ArrayList<>();
        List<Integer> checkedPositions = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : valueToSource.entrySet()) {
            String target = unquote(targets.get(e.getKey()));
            String type = types.getOrDefault(target, "VARCHAR");
            String c = "c" + e.getValue();
            if (!type.equals("VARCHAR")) {
                checks.add("(" + c + " IS NOT NULL AND TRY_CAST(" + c + " AS " + type + ") IS NULL)");
                checkedColumns.add(c);
                checkedTypes.add(type);
                checkedTargets.add(target);
                checkedPositions.add(e.getKey() + 1);
            }
        }
        String bad = checks.isEmpty() ? "FALSE" : String.join(" OR ", checks);

        long parsed;
        List<Object[]> badRows = new ArrayList<>();
        try (DuckDBConnection scratch = ((DuckDBConnection) session).duplicate();
                Statement s = scratch.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + source + " AS src")) {
                rs.next();
                parsed = rs.getLong(1);
            }
            if (!checks.isEmpty()) {
                String flags = String.join(", ", checks);
                try (ResultSet rs = s.executeQuery("SELECT __rn, " + String.join(", ", checkedColumns) + ", " + flags
                        + " FROM " + source + " AS src WHERE " + bad + " ORDER BY __rn")) {
                    while (rs.next()) {
                        int n = checkedColumns.size();
                        for (int i = 0; i < n; i++) {
                            if (rs.getBoolean(2 + n + i)) {
                                badRows.add(new Object[] {rs.getLong(1), i, rs.getString(2 + i)});
                                break;
                            }
                        }
                    }
                }
            }
        } catch (SQLException e) {
            // the file cannot be read at all (wrong shape): the whole file fails
            String message = e.getMessage().lines().findFirst().orElse("cannot read file");
            if (onError.equals("ABORT_STATEMENT")) {
                throw new DataError("100065", "22000", message + "\n  File '" + file + "', line 1, character 1");
            }
            return List.of(file, "LOAD_FAILED", "0", "0", "1", "1", message, "1", "1", "");
        }

        String firstError = null;
        String firstLine = null;
        String firstColumn = null;
        if (!badRows.isEmpty()) {
            Object[] first = badRows.get(0);
            int i = (Integer) first[1];
            long row = (Long) first[0];
            firstError = errorText(checkedTypes.get(i), (String) first[2]);
            firstLine = String.valueOf(json ? row : row + 1);
            firstColumn = "\"" + unquote(lastPart(table)) + "\"[\"" + checkedTargets.get(i) + "\":"
                    + checkedPositions.get(i) + "]";
            if (onError.equals("ABORT_STATEMENT")) {
                throw new DataError(
                        "100038",
                        "22018",
                        firstError + "\n  File '" + file + "', line " + firstLine + ", character 1\n  Row " + row
                                + ", column " + firstColumn);
            }
        }
        long limit = errorLimit(onError, parsed);
        if (badRows.size() >= limit && !badRows.isEmpty()) {
            return List.of(
                    file,
                    "LOAD_FAILED",
                    "" + parsed,
                    "0",
                    "" + limit,
                    "" + badRows.size(),
                    firstError,
                    firstLine,
                    "1",
                    firstColumn);
        }

        List<String> select = new ArrayList<>();
        for (int v = 0; v < values.size(); v++) {
            String target = unquote(targets.get(v));
            String type = types.getOrDefault(target, "VARCHAR");
            Integer src = valueToSource.get(v);
            if (src != null) {
                select.add("CAST(c" + src + " AS " + type + ")");
            } else {
                select.add(translate(values.get(v), stagePath));
            }
        }
        String insert = "INSERT INTO " + table + " (" + String.join(", ", targets) + ") SELECT "
                + String.join(", ", select) + " FROM " + source + " AS src WHERE NOT (" + bad + ")";
        long loaded;
        try (Statement s = session.createStatement()) {
            loaded = s.executeUpdate(insert);
        }
        if (badRows.isEmpty()) {
            // docs "COPY INTO <table>", output: first_error* are NULL for a file that loaded
            return Arrays.asList(file, "LOADED", "" + parsed, "" + loaded, "1", "0", null, null, null, null);
        }
        return List.of(
                file,
                "PARTIALLY_LOADED",
                "" + parsed,
                "" + loaded,
                "" + limit,
                "" + badRows.size(),
                firstError,
                firstLine,
                "1",
                firstColumn);
    }

    private static long errorLimit(String onError, long parsed) {
        if (onError.equals("CONTINUE")) {
            return Long.MAX_VALUE;
        }
        Matcher n = Pattern.compile("SKIP_FILE_(\\d+)(%?)").matcher(onError.replace("'", ""));
        if (n.find()) {
            long value = Long.parseLong(n.group(1));
            return n.group(2).isEmpty() ? value : Math.max(1, parsed * value / 100);
        }
        return 1;
    }

    private static String errorText(String type, String value) {
        String t = type.toUpperCase(Locale.ROOT);
        if (t.contains("INT") || t.contains("DECIMAL") || t.contains("DOUBLE") || t.contains("NUMERIC")) {
            return "Numeric value '" + value + "' is not recognized";
        }
        if (t.startsWith("TIMESTAMP")) {
            return "Timestamp '" + value + "' is not recognized";
        }
        if (t.equals("DATE")) {
            return "Date '" + value + "' is not recognized";
        }
        return "Value '" + value + "' cannot be converted to " + type;
    }

    /**
     * Lineage expressions of the transform, in DuckDB terms: literals, casts of literals, METADATA$ columns and {@code
     * CASE METADATA$FILENAME WHEN … THEN … END} over them (COPY transformations allow a subset of functions and no
     * joins; docs "Transforming data during a load"). {@code stagePath} is the row's file's path in its stage.
     */
    private static String translate(String value, String stagePath) throws SQLException {
        String v = value.strip();
        if (v.equalsIgnoreCase("METADATA$FILE_ROW_NUMBER")) {
            return "__rn";
        }
        if (v.equalsIgnoreCase("METADATA$FILENAME")) {
            return FakeSql.standard(stagePath);
        }
        Matcher cast = CAST_LITERAL.matcher(v);
        if (cast.matches()) {
            String type = cast.group(2).toUpperCase(Locale.ROOT).startsWith("TIMESTAMP") ? "TIMESTAMPTZ" : "VARCHAR";
            return "CAST(" + FakeSql.toStandardLiterals(cast.group(1)) + " AS " + type + ")";
        }
        if (v.regionMatches(true, 0, "CASE ", 0, 5)) {
            String standard = FakeSql.toStandardLiterals(v);
            if (!FakeSql.outsideLiterals(standard)
                    .matches("(?is)CASE\\s+METADATA\\$FILENAME(\\s+WHEN\\s+''\\s+THEN\\s+'')+\\s+END")) {
                throw new SQLException("the fake takes CASE METADATA$FILENAME WHEN '…' THEN '…' … END only: " + v);
            }
            return FakeSql.replaceOutsideLiterals(standard, "METADATA$FILENAME", FakeSql.standard(stagePath));
        }
        return FakeSql.toStandardLiterals(v);
    }

    private Map<String, String> types(String table) throws SQLException {
        String[] parts = table.split("\\.");
        String name = unquote(parts[parts.length - 1]);
        String schema = parts.length > 1 ? unquote(parts[parts.length - 2]) : "PUBLIC";
        String catalog = parts.length > 2 ? unquote(parts[0]) : database;
        Map<String, String> types = new HashMap<>();
        try (Statement s = session.createStatement();
                ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM information_schema.columns"
                        + " WHERE table_catalog = " + FakeSql.standard(catalog) + " AND table_schema = "
                        + FakeSql.standard(schema) + " AND table_name = " + FakeSql.standard(name))) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        if (types.isEmpty()) {
            throw new SQLException("Table '" + table + "' does not exist or not authorized.");
        }
        return types;
    }

    private static String lastPart(String table) {
        String[] parts = table.split("\\.");
        return parts[parts.length - 1];
    }

    private static String unquote(String identifier) {
        String s = identifier.strip();
        return s.startsWith("\"") ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s.toUpperCase(Locale.ROOT);
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A statement-level data error (ON_ERROR = ABORT_STATEMENT). */
    static final class DataError extends RuntimeException {
        final String code;
        final String sqlState;

        DataError(String code, String sqlState, String message) {
            super(message);
            this.code = code;
            this.sqlState = sqlState;
        }
    }
}
