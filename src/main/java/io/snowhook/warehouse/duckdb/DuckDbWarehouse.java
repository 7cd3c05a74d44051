package io.snowhook.warehouse.duckdb;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseProperties;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.io.support.EncodedResource;
import org.springframework.jdbc.datasource.init.ScriptException;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The embedded warehouse: a DuckDB file database whose stage is a local folder. Each file is streamed
 * into {@code <stage>/<loadId>/<file name>} and inserted with DuckDB's own CSV, JSON-lines or Parquet
 * reader, in one transaction with the delete that makes a re-run idempotent.
 *
 * <p>DuckDB lets one process write a database file, so this adapter owns the file: it holds one
 * connection for loads and serialises their transactions (DuckDB parallelises each insert itself);
 * staging, the slow part, runs concurrently. A second connection to the same in-process database
 * answers {@link #check()}, so readiness does not wait for a long load.
 */
@Component
@ConditionalOnProperty(name = "snowhook.warehouse.type", havingValue = "duckdb", matchIfMissing = true)
@EnableConfigurationProperties(WarehouseProperties.class)
class DuckDbWarehouse implements Warehouse, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DuckDbWarehouse.class);

    static final List<String> LINEAGE_COLUMNS = List.of("_source_blob", "_etag", "_load_id", "_loaded_at");
    private static final Set<String> LINEAGE = Set.copyOf(LINEAGE_COLUMNS);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    private static final Pattern ERROR_LINE = Pattern.compile("(?i)\\bline:? (\\d+)");
    private static final Pattern ERROR_COLUMN =
            Pattern.compile("column \"([^\"]+)\"|constraint failed: [^.\\s]+\\.(\\S+)|Referenced column \"([^\"]+)\"");
    private static final int MAX_ERROR_LENGTH = 1000;

    private final Path databaseFile;
    private final Path stage;
    private final @Nullable Resource initScript;
    private final @Nullable DataSize memoryLimit;
    private final ReentrantLock writer = new ReentrantLock(true);
    private @Nullable DuckDBConnection connection;
    private @Nullable Connection checkConnection;
    private volatile boolean invalidated;

    DuckDbWarehouse(WarehouseProperties properties, ResourceLoader resources) {
        StaleNativeLibraries.removeFromTempFolder();
        WarehouseProperties.DuckDb duckdb = properties.duckdb();
        this.databaseFile = duckdb.path().toAbsolutePath().normalize();
        this.stage = duckdb.stage().toAbsolutePath().normalize();
        // DuckDB's readers expand glob characters in file names; staged names are sanitised, the folder must be plain.
        if (stage.toString().matches(".*[*?\\[\\]{}].*")) {
            throw new IllegalStateException(
                    "snowhook.warehouse.duckdb.stage must not contain glob characters (* ? [ ] { }): " + stage);
        }
        this.memoryLimit = duckdb.memoryLimit();
        this.initScript = duckdb.initScript().isBlank()
                ? null
                : resources.getResource(duckdb.initScript().trim());
        try {
            Files.createDirectories(stage);
            if (databaseFile.getParent() != null) {
                Files.createDirectories(databaseFile.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the DuckDB warehouse folders", e);
        }
        writer.lock();
        try {
            connection();
        } catch (WarehouseUnavailable e) {
            // Another process holds the file: start anyway (readiness reports it) and open on first use.
            log.warn("DuckDB warehouse {} is not available yet: {}", databaseFile, e.getMessage());
        } finally {
            writer.unlock();
        }
    }

    @Override
    public LoadResult load(FileLoad file, @Nullable InputStream content) {
        Objects.requireNonNull(content, "the DuckDB warehouse loads from its own stage: content is required");
        String table = identifier(file.table());
        Path dir = stage.resolve(file.loadId().toString());
        Path staged = dir.resolve(stagedName(file));
        try {
            long bytes = stageContent(content, dir, staged);
            log.debug("Staged {} bytes of {} for load {} in {}", bytes, file.sourceBlob(), file.loadId(), staged);
            writer.lock();
            try {
                long rows = copy(connection(), file, table, staged);
                log.info(
                        "Loaded {} rows of {} into {} (load {}, mode {})",
                        rows,
                        file.sourceBlob(),
                        table,
                        file.loadId(),
                        file.mode());
                return new LoadResult(rows, rows);
            } finally {
                writer.unlock();
            }
        } finally {
            unstage(dir, staged, file);
        }
    }

    @Override
    public void check() {
        if (!Files.isDirectory(stage)) {
            // the stage volume is gone (unmounted, replaced): no file can be loaded until it is back
            throw new WarehouseUnavailable(
                    "the DuckDB stage folder is not available", new NotDirectoryException(stage.toString()));
        }
        try (Statement statement = checkConnection().createStatement();
                ResultSet rs = statement.executeQuery("SELECT 1")) {
            rs.next();
        } catch (SQLException e) {
            throw new WarehouseUnavailable("DuckDB warehouse did not answer", e);
        }
    }

    @Override
    public void destroy() {
        writer.lock();
        try {
            closeQuietly(checkConnection);
            closeQuietly(connection);
            checkConnection = null;
            connection = null;
        } finally {
            writer.unlock();
        }
    }

    private long stageContent(InputStream content, Path dir, Path staged) {
        try {
            Files.createDirectories(dir);
            return Files.copy(content, staged, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new WarehouseUnavailable(
                    "could not stage the file: " + e.getClass().getSimpleName(), e);
        }
    }

    private void unstage(Path dir, Path staged, FileLoad file) {
        try {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn(
                    "Could not remove staged file {} of {} (load {}): {}", staged, file.sourceBlob(), file.loadId(), e);
        }
    }

    /** Deletes the rows an earlier run of this file left, then inserts the file's rows: one transaction. */
    private long copy(Connection conn, FileLoad file, String table, Path staged) {
        try {
            conn.setAutoCommit(false);
            try {
                List<Column> columns = dataColumns(conn, table);
                delete(conn, file, table);
                long rows;
                try (PreparedStatement insert =
                        conn.prepareStatement(insertSql(file.format(), file.gzipped(), table, columns))) {
                    insert.setString(1, file.sourceBlob());
                    insert.setString(2, file.etag());
                    insert.setString(3, file.loadId().toString());
                    insert.setString(4, staged.toString());
                    rows = insert.executeLargeUpdate();
                } catch (SQLException e) {
                    throw classifyCopyError(e, file, staged);
                }
                conn.commit();
                return rows;
            } catch (RuntimeException | SQLException e) {
                rollback(conn, file);
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw classify(e, "DuckDB rejected the load of " + file.sourceBlob() + " into " + table);
        }
    }

    private static void delete(Connection conn, FileLoad file, String table) throws SQLException {
        String sql = file.mode() == LoadMode.REPLACE
                ? "DELETE FROM " + quote(table) + " WHERE _source_blob = ?"
                : "DELETE FROM " + quote(table) + " WHERE _source_blob = ? AND _etag = ?";
        try (PreparedStatement delete = conn.prepareStatement(sql)) {
            delete.setString(1, file.sourceBlob());
            if (file.mode() != LoadMode.REPLACE) {
                delete.setString(2, file.etag());
            }
            long removed = delete.executeLargeUpdate();
            if (removed > 0) {
                log.info(
                        "Removed {} earlier rows of {} from {} (load {}, mode {})",
                        removed,
                        file.sourceBlob(),
                        table,
                        file.loadId(),
                        file.mode());
            }
        }
    }

    /**
     * The table's own columns (without lineage) with their types, as the catalogue has them: the
     * insert maps CSV columns by position and JSON / Parquet fields by name onto these.
     */
    private static List<Column> columnsOf(Connection conn, String table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps =
                conn.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                        + " WHERE table_schema = current_schema() AND lower(table_name) = lower(?)"
                        + " ORDER BY ordinal_position")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return columns;
    }

    private static List<Column> dataColumns(Connection conn, String table) throws SQLException {
        List<Column> all = columnsOf(conn, table);
        if (all.isEmpty()) {
            throw new WarehouseFailure("table " + table + " does not exist in the DuckDB warehouse");
        }
        Set<String> names =
                all.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<String> missing =
                LINEAGE_COLUMNS.stream().filter(c -> !names.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new WarehouseFailure("table " + table + " lacks the lineage columns " + missing);
        }
        return all.stream()
                .filter(c -> !LINEAGE.contains(c.name().toLowerCase(Locale.ROOT)))
                .toList();
    }

    /**
     * The insert: parameters are 1 = source blob, 2 = eTag, 3 = load id, 4 = staged file path. Only
     * configured and catalogue names appear in the text, quoted; nothing from an event does.
     */
    static String insertSql(FileFormat format, boolean gzipped, String table, List<Column> columns) {
        String columnList = columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
        String lineage = LINEAGE_COLUMNS.stream().map(DuckDbWarehouse::quote).collect(Collectors.joining(", "));
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

    private RuntimeException classifyCopyError(SQLException e, FileLoad file, Path staged) {
        String message = Objects.toString(e.getMessage(), "");
        String kind = message.contains(":") ? message.substring(0, message.indexOf(':')) : "";
        boolean badData = switch (kind) {
            case "Conversion Error", "Invalid Input Error", "Constraint Error", "Out of Range Error" -> true;
            // A Parquet file without one of the table's columns.
            case "Binder Error" -> file.format() == FileFormat.PARQUET && message.contains("Referenced column");
            // A corrupt compressed file is bad data, not a broken disk.
            case "IO Error" -> message.matches("(?s).*(GZIP|gzip|zlib|decompress).*");
            default -> false;
        };
        if (!badData) {
            return classify(e, "DuckDB could not load " + file.sourceBlob() + " into " + file.table());
        }
        String readable = message.replace(staged.toString(), file.sourceBlob());
        FileRejected rejected = new FileRejected(firstError(readable), errorLine(readable), errorColumn(readable));
        log.warn(
                "Rejected {} for {} (load {}): {}",
                file.sourceBlob(),
                file.table(),
                file.loadId(),
                rejected.getMessage());
        return rejected;
    }

    /** DuckDB's first line, plus the line that says what is wrong when the first only says where. */
    static String firstError(String message) {
        String[] lines = message.strip().split("\\R");
        StringBuilder error = new StringBuilder(lines[0].strip());
        if (lines[0].contains("CSV Error on Line")) {
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].strip();
                if (!line.isEmpty() && !line.startsWith("Original Line")) {
                    error.append(": ").append(line);
                    break;
                }
            }
        }
        return error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error.toString();
    }

    static @Nullable Long errorLine(String message) {
        Matcher m = ERROR_LINE.matcher(message);
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    static @Nullable String errorColumn(String message) {
        Matcher m = ERROR_COLUMN.matcher(message);
        if (!m.find()) {
            return null;
        }
        for (int g = 1; g <= m.groupCount(); g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return null;
    }

    private RuntimeException classify(SQLException e, String what) {
        String message = Objects.toString(e.getMessage(), "");
        if (message.startsWith("FATAL Error") || message.contains("database has been invalidated")) {
            // DuckDB refuses every further statement on an instance after a fatal error: reopen it on the next try.
            invalidated = true;
            return new WarehouseUnavailable(what + ": " + firstError(message), e);
        }
        if (message.startsWith("IO Error")
                || message.startsWith("TransactionContext Error")
                || message.contains("Could not set lock")
                || message.startsWith("Out of Memory Error")
                || message.startsWith("Interrupt")) {
            return new WarehouseUnavailable(what + ": " + firstError(message), e);
        }
        return new WarehouseFailure(what + ": " + firstError(message), e);
    }

    /** The connection for loads, opened (and the init script run) on first use; call with the writer lock held. */
    private DuckDBConnection connection() {
        DuckDBConnection conn = connection;
        if (conn != null && !invalidated) {
            return conn;
        }
        if (conn != null) {
            log.warn("Reopening the DuckDB warehouse {} after a fatal error", databaseFile);
            closeQuietly(checkConnection);
            closeQuietly(conn);
            checkConnection = null;
            connection = null;
            invalidated = false;
        }
        try {
            conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + databaseFile);
        } catch (SQLException e) {
            throw classify(e, "cannot open the DuckDB warehouse " + databaseFile);
        }
        try (Statement statement = conn.createStatement()) {
            // CSV timestamps without a zone are read as UTC, whatever the machine's zone.
            statement.execute("SET TimeZone = 'UTC'");
            // A file's rows need not keep their file order in the table; dropping it lets DuckDB insert large
            // files in parallel with less memory.
            statement.execute("SET preserve_insertion_order = false");
            if (memoryLimit != null) {
                // a number of bytes from validated configuration, never text from outside
                statement.execute("SET memory_limit = '" + memoryLimit.toMegabytes() + "MiB'");
            }
            if (initScript != null) {
                ScriptUtils.executeSqlScript(conn, new EncodedResource(initScript, StandardCharsets.UTF_8));
                log.info("DuckDB warehouse {} ready (ran {})", databaseFile, initScript.getDescription());
            } else {
                log.info("DuckDB warehouse {} ready", databaseFile);
            }
        } catch (SQLException | ScriptException e) {
            closeQuietly(conn);
            throw new WarehouseFailure("cannot prepare the DuckDB warehouse " + databaseFile, e);
        }
        connection = conn;
        return conn;
    }

    private Connection checkConnection() throws SQLException {
        Connection check = checkConnection;
        if (check != null && !invalidated) {
            return check;
        }
        writer.lock();
        try {
            if (checkConnection == null || invalidated) {
                DuckDBConnection conn = connection();
                checkConnection = conn.duplicate();
            }
            return checkConnection;
        } finally {
            writer.unlock();
        }
    }

    private static void rollback(Connection conn, FileLoad file) {
        try {
            conn.rollback();
        } catch (SQLException e) {
            log.warn("Rollback of {} (load {}) failed: {}", file.sourceBlob(), file.loadId(), e.getMessage());
        }
    }

    private static void closeQuietly(@Nullable Connection conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                log.debug("Closing a DuckDB connection failed", e);
            }
        }
    }

    /**
     * The staged file's name: the blob's last path segment reduced to characters that are neither glob
     * patterns to DuckDB nor special to the file system; the folder is the load id, so names never collide.
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

    /** A column of a target table, as DuckDB's catalogue names and types it. */
    record Column(String name, String type) {}

    static String identifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new WarehouseFailure("not a plain identifier: " + name);
        }
        return name;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
