package io.snowhook.warehouse.duckdb;

import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.Lineage;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import io.snowhook.warehouse.duckdb.DuckDbSql.Column;
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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.io.support.EncodedResource;
import org.springframework.jdbc.datasource.init.ScriptException;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.util.unit.DataSize;

/**
 * The embedded warehouse: a DuckDB file database whose stage is a local folder. Each file is streamed
 * into {@code <stage>/<loadId>-<file name>} and inserted with DuckDB's own CSV, JSON-lines or Parquet
 * reader, in one transaction with the delete that makes a re-run idempotent.
 *
 * <p>DuckDB lets one process write a database file, so this adapter owns the file: it holds one
 * connection for loads and serialises their transactions (DuckDB parallelises each insert itself);
 * staging, the slow part, runs concurrently. A second connection to the same in-process database
 * answers {@link #check()}, so readiness does not wait for a long load.
 */
class DuckDbWarehouse implements Warehouse, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DuckDbWarehouse.class);

    private final Path databaseFile;
    private final Path stage;
    private final @Nullable Resource initScript;
    private final @Nullable DataSize memoryLimit;
    private final ReentrantLock writer = new ReentrantLock(true);
    private @Nullable DuckDBConnection connection;
    private @Nullable Connection checkConnection;
    private volatile boolean invalidated;
    /** Data columns by table name, as the catalogue had them when first loaded (see {@link #dataColumns}). */
    private final Map<String, List<Column>> tableColumns = new ConcurrentHashMap<>();

    DuckDbWarehouse(DuckDbProperties duckdb, ResourceLoader resources) {
        StaleNativeLibraries.removeFromTempFolder();
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
        String table = Lineage.table(file.table());
        // flat in the stage folder, named after the load: a folder per load costs a directory removal per file,
        // which on a journalling file system takes milliseconds
        Path staged = stage.resolve(file.loadId() + "-" + DuckDbSql.stagedName(file));
        try {
            long bytes = stageContent(content, staged);
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
            unstage(staged, file);
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

    private long stageContent(InputStream content, Path staged) {
        try {
            Files.createDirectories(stage);
            return Files.copy(content, staged, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new WarehouseUnavailable(
                    "could not stage the file: " + e.getClass().getSimpleName(), e);
        }
    }

    private void unstage(Path staged, FileLoad file) {
        try {
            Files.deleteIfExists(staged);
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
                        conn.prepareStatement(DuckDbSql.insert(file.format(), file.gzipped(), table, columns))) {
                    insert.setString(1, file.sourceBlob());
                    insert.setString(2, file.etag());
                    insert.setString(3, file.loadId().toString());
                    insert.setString(4, staged.toString());
                    rows = insert.executeLargeUpdate();
                } catch (SQLException e) {
                    throw failed(DuckDbErrors.insertFailed(e, file, staged.toString()), file);
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
        try (PreparedStatement delete = conn.prepareStatement(DuckDbSql.delete(file.mode(), table))) {
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
     * The table's own columns (without lineage) with their types, as the catalogue has them: the insert maps CSV
     * columns by position and JSON / Parquet fields by name onto these. Looked up once per table and connection
     * (the lookup is a catalogue query that took as long as the insert of a small file): only this adapter's
     * connection changes the database (DuckDB lets one process open the file) and it runs no DDL after its init
     * script, so the catalogue cannot change under a cached entry. Reopening the database forgets them.
     */
    private List<Column> dataColumns(Connection conn, String table) throws SQLException {
        List<Column> known = tableColumns.get(table);
        if (known != null) {
            return known;
        }
        List<Column> all = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(DuckDbSql.columns())) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(new Column(rs.getString(1), rs.getString(2)));
                }
            }
        }
        Lineage.check(table, all.stream().map(Column::name).toList(), name -> name);
        List<Column> data =
                all.stream().filter(c -> !Lineage.required(c.name())).toList();
        tableColumns.put(table, data);
        return data;
    }

    private RuntimeException failed(RuntimeException failure, FileLoad file) {
        if (failure instanceof DuckDbErrors.DatabaseInvalidated) {
            // DuckDB refuses every further statement on this instance: reopen it on the next try.
            invalidated = true;
        } else if (failure instanceof FileRejected rejected) {
            log.warn(
                    "Rejected {} for {} (load {}): {}",
                    file.sourceBlob(),
                    file.table(),
                    file.loadId(),
                    rejected.getMessage());
        }
        return failure;
    }

    private RuntimeException classify(SQLException e, String what) {
        RuntimeException failure = DuckDbErrors.classify(e, what);
        if (failure instanceof DuckDbErrors.DatabaseInvalidated) {
            invalidated = true;
        }
        return failure;
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
            tableColumns.clear();
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
}
