package io.snowhook.warehouse.duckdb;

import io.snowhook.system.TransientFailure;
import io.snowhook.warehouse.ClaimLost;
import io.snowhook.warehouse.CommitFence;
import io.snowhook.warehouse.FileBatch;
import io.snowhook.warehouse.FileByFile;
import io.snowhook.warehouse.FileContents;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.FileResult;
import io.snowhook.warehouse.Lineage;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.PartlyLoaded;
import io.snowhook.warehouse.SourceStream;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseStatements;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.io.support.EncodedResource;
import org.springframework.jdbc.datasource.init.ScriptException;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.unit.DataSize;

/**
 * The embedded warehouse: a DuckDB file database whose stage is a local folder. Each file is streamed
 * into {@code <stage>/<loadId>-<file name>} (a batch's into {@code <stage>/batches/<batchId>/<attempt>/<loadId>/})
 * and inserted with DuckDB's own CSV, JSON-lines or Parquet reader, in one transaction with the delete that makes a
 * re-run idempotent; a batch's files in one statement.
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

    /** Files of batches staged at once, over all batches (see {@link #stageAll}). */
    static final int STAGE_PARALLELISM = 8;

    private final ExecutorService stagers = Executors.newFixedThreadPool(STAGE_PARALLELISM, stageThreads());

    private @Nullable DuckDBConnection connection;
    private @Nullable Connection checkConnection;
    private volatile boolean invalidated;
    /** DuckDB's {@code threads} as the connection was opened (its default, or the init script's). */
    private long duckDbThreads;
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
    public LoadResult load(FileLoad file, @Nullable InputStream content, CommitFence fence) {
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
                long rows = copy(connection(), file, table, staged, fence);
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

    /**
     * Stages every file of the batch, then loads them in one transaction: one {@code DELETE} of what earlier runs
     * left and one {@code INSERT … SELECT} from DuckDB's reader over all the files (one per compression), each row
     * joined to its file's lineage values. DuckDB runs a statement whole or not at all, so a bad file fails the
     * transaction: it is rolled back, the file DuckDB names fails alone and the others load again without it; when
     * DuckDB names none, each remaining file loads in a transaction of its own. No file's rows are ever deleted
     * without its new rows committing with the delete.
     */
    @Override
    public List<FileResult> load(FileBatch batch, FileContents contents, CommitFence fence) {
        if (batch.files().size() == 1) {
            return FileByFile.load(this, batch, contents, fence);
        }
        String table = Lineage.table(batch.target().table());
        Path dir =
                stage.resolve("batches").resolve(batch.batchId().toString()).resolve(Integer.toString(batch.attempt()));
        Map<UUID, FileResult> results = new ConcurrentHashMap<>();
        List<Staged> staged = new ArrayList<>();
        try {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new WarehouseUnavailable("could not create the batch's stage folder", e);
            }
            staged.addAll(stageAll(batch, contents, dir, results));
            if (!staged.isEmpty()) {
                writer.lock();
                try {
                    loadStaged(connection(), batch, table, staged, results, fence);
                } finally {
                    writer.unlock();
                }
            }
        } finally {
            removeTree(dir);
        }
        return batch.files().stream().map(f -> results.get(f.loadId())).toList();
    }

    /** A staged file of a batch. */
    private record Staged(FileLoad file, Path path) {}

    /**
     * Stages a batch's files, {@value #STAGE_PARALLELISM} at a time: each file's read from storage is a request of
     * its own, and one after another they were most of a batch's time (docs/benchmarks.md, the burst). A file's own
     * failure goes into {@code results}; an outage (a transient failure) fails the batch once every file started
     * has ended, so no stream is left open behind it. Staged files are flat in the batch's folder, each name led by
     * its load id: a folder per file costs a directory creation and removal per file.
     */
    private List<Staged> stageAll(FileBatch batch, FileContents contents, Path dir, Map<UUID, FileResult> results) {
        List<Future<@Nullable Staged>> pending = new ArrayList<>();
        for (FileLoad file : batch.files()) {
            Path path = dir.resolve(file.loadId() + "-" + DuckDbSql.stagedName(file));
            pending.add(stagers.submit(() -> {
                try {
                    stageFrom(contents, file, path);
                    return new Staged(file, path);
                } catch (RuntimeException e) {
                    if (TransientFailure.is(e)) {
                        throw e;
                    }
                    log.warn("Could not stage {} (load {}): {}", file.sourceBlob(), file.loadId(), e.getMessage());
                    results.put(file.loadId(), FileResult.failed(file, e));
                    return null;
                }
            }));
        }
        List<Staged> staged = new ArrayList<>();
        RuntimeException outage = null;
        boolean interrupted = false;
        for (Future<@Nullable Staged> f : pending) {
            try {
                while (true) {
                    try {
                        Staged s = f.get();
                        if (s != null) {
                            staged.add(s);
                        }
                        break;
                    } catch (InterruptedException e) {
                        // the files being read finish first (as a load alone would): then the interrupt stands
                        interrupted = true;
                    }
                }
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r
                        ? r
                        : new WarehouseUnavailable("staging failed: " + e.getCause(), e.getCause());
                if (outage == null) {
                    outage = cause;
                } else if (outage != cause) {
                    outage.addSuppressed(cause);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (outage != null) {
            throw outage;
        }
        return staged;
    }

    /** Streams one file into the stage; a failure its content raised decides over the copy's own. */
    private void stageFrom(FileContents contents, FileLoad file, Path path) {
        SourceStream content = new SourceStream(contents.open(file));
        try {
            long bytes = stageContent(content, path);
            log.debug("Staged {} bytes of {} for load {} in {}", bytes, file.sourceBlob(), file.loadId(), path);
        } catch (RuntimeException e) {
            RuntimeException source = content.failure();
            if (source != null && source != e) {
                source.addSuppressed(e);
                throw source;
            }
            throw e;
        } finally {
            try {
                content.close();
            } catch (IOException e) {
                log.debug("Closing the content of {} failed: {}", file.sourceBlob(), e.getMessage());
            }
        }
    }

    /** Loads the staged files, putting each one's result in {@code results}; call with the writer lock held. */
    private void loadStaged(
            Connection conn,
            FileBatch batch,
            String table,
            List<Staged> staged,
            Map<UUID, FileResult> results,
            CommitFence fence) {
        List<Staged> pending = new ArrayList<>(staged);
        while (pending.size() > 1) {
            try {
                Map<UUID, Long> rows = copyBatch(conn, batch, table, pending, fence);
                for (Staged s : pending) {
                    long n = rows.getOrDefault(s.file().loadId(), 0L);
                    results.put(s.file().loadId(), FileResult.loaded(s.file(), new LoadResult(n, n)));
                }
                log.info(
                        "Loaded {} rows of {} files into {} (batch {}, attempt {}, mode {})",
                        rows.values().stream().mapToLong(Long::longValue).sum(),
                        pending.size(),
                        table,
                        batch.batchId(),
                        batch.attempt(),
                        batch.target().mode());
                return;
            } catch (BatchInsertFailed e) {
                Staged named = culprit(Objects.toString(e.getCause().getMessage(), ""), pending);
                if (named == null) {
                    log.info(
                            "DuckDB rejected batch {} naming no file ({}); loading its {} files one by one",
                            batch.batchId(),
                            DuckDbErrors.firstError(
                                    Objects.toString(e.getCause().getMessage(), "")),
                            pending.size());
                    break;
                }
                RuntimeException failure = failed(
                        DuckDbErrors.insertFailed(
                                e.getCause(), named.file(), named.path().toString()),
                        named.file());
                if (TransientFailure.is(failure)) {
                    throw failure;
                }
                results.put(named.file().loadId(), FileResult.failed(named.file(), failure));
                pending.remove(named);
            } catch (ClaimLost e) {
                // files that failed alone before it (a culprit, a file that did not stage) keep their results
                throw e.after(results.values());
            } catch (RuntimeException e) {
                if (TransientFailure.is(e)) {
                    throw e;
                }
                // not about one file (no such table, no lineage columns): every file's failure
                for (Staged s : pending) {
                    results.put(s.file().loadId(), FileResult.failed(s.file(), e));
                }
                return;
            }
        }
        for (Staged s : pending) {
            try {
                long n = copy(conn, s.file(), table, s.path(), fence);
                results.put(s.file().loadId(), FileResult.loaded(s.file(), new LoadResult(n, n)));
            } catch (ClaimLost e) {
                // the files before it committed, each in its own transaction, while the claim was held
                throw e.after(results.values());
            } catch (RuntimeException e) {
                if (e instanceof TransientFailure transientFailure) {
                    // the files before it committed, each in its own transaction: the retry leaves them out
                    throw PartlyLoaded.after(results.values(), transientFailure);
                }
                results.put(s.file().loadId(), FileResult.failed(s.file(), e));
            }
        }
    }

    /**
     * The file DuckDB's error names first ({@code file = <path>}, {@code Failed to read file "<path>"}); a message
     * may name a second one it compared the first with.
     */
    private static @Nullable Staged culprit(String message, List<Staged> files) {
        Staged first = null;
        int at = Integer.MAX_VALUE;
        for (Staged s : files) {
            int i = message.indexOf(s.path().toString());
            if (i >= 0 && i < at) {
                at = i;
                first = s;
            }
        }
        return first;
    }

    /** The batch's insert failed: one of its files may be at fault. */
    private static final class BatchInsertFailed extends RuntimeException {
        BatchInsertFailed(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    /**
     * One transaction: the delete of what earlier runs of these files left, the insert of all their rows, and the
     * count of the rows inserted per load.
     */
    private Map<UUID, Long> copyBatch(
            Connection conn, FileBatch batch, String table, List<Staged> files, CommitFence fence) {
        LoadMode mode = batch.target().mode();
        try (ThreadsRestored threads = readerThreads(conn, batch.target().format())) {
            conn.setAutoCommit(false);
            boolean rolledBack = true;
            try {
                List<Column> columns = dataColumns(conn, table);
                try (PreparedStatement delete =
                        conn.prepareStatement(DuckDbSql.deleteBatch(mode, table, files.size()))) {
                    int p = 1;
                    for (Staged s : files) {
                        delete.setString(p++, s.file().sourceBlob());
                        if (mode != LoadMode.REPLACE) {
                            delete.setString(p++, s.file().etag());
                        }
                    }
                    long removed = delete.executeLargeUpdate();
                    WarehouseStatements.sent();
                    if (removed > 0) {
                        log.info(
                                "Removed {} earlier rows of {} files from {} (batch {}, mode {})",
                                removed,
                                files.size(),
                                table,
                                batch.batchId(),
                                mode);
                    }
                }
                for (boolean gzipped : new boolean[] {false, true}) {
                    List<Staged> group = files.stream()
                            .filter(s -> s.file().gzipped() == gzipped)
                            .toList();
                    if (group.isEmpty()) {
                        continue;
                    }
                    String sql = DuckDbSql.insertBatch(batch.target().format(), gzipped, table, columns, group.size());
                    try (PreparedStatement insert = conn.prepareStatement(sql)) {
                        int p = 1;
                        for (Staged s : group) {
                            insert.setString(p++, s.path().toString());
                        }
                        for (Staged s : group) {
                            insert.setString(p++, s.path().toString());
                            insert.setString(p++, s.file().sourceBlob());
                            insert.setString(p++, s.file().etag());
                            insert.setString(p++, s.file().loadId().toString());
                        }
                        insert.executeLargeUpdate();
                        WarehouseStatements.sent();
                    } catch (SQLException e) {
                        throw new BatchInsertFailed(e);
                    }
                }
                Map<UUID, Long> rows = new HashMap<>();
                try (PreparedStatement count = conn.prepareStatement(DuckDbSql.rowsPerLoad(table, files.size()))) {
                    int p = 1;
                    for (Staged s : files) {
                        count.setString(p++, s.file().loadId().toString());
                    }
                    try (ResultSet rs = count.executeQuery()) {
                        WarehouseStatements.sent();
                        while (rs.next()) {
                            rows.put(UUID.fromString(rs.getString(1)), rs.getLong(2));
                        }
                    }
                }
                fence.check(files.stream().map(Staged::file).toList());
                conn.commit();
                WarehouseStatements.sent();
                return rows;
            } catch (RuntimeException | SQLException e) {
                rolledBack = rolledBack(conn, "batch " + batch.batchId());
                throw e;
            } finally {
                restoreAutoCommit(conn, rolledBack);
            }
        } catch (SQLException e) {
            throw classify(e, "DuckDB rejected batch " + batch.batchId() + " into " + table);
        }
    }

    /** Rolls the connection's transaction back; false when that failed. */
    private static boolean rolledBack(Connection conn, String what) {
        try {
            conn.rollback();
            WarehouseStatements.sent();
            return true;
        } catch (SQLException e) {
            log.warn("Rollback of {} failed: {}", what, e.getMessage());
            return false;
        }
    }

    /**
     * Ends a load's transaction: back to auto-commit after a commit or a rollback; after a rollback that failed the
     * connection is closed instead (DuckDB discards an open transaction on close), since turning auto-commit back on
     * would commit it — a transaction the commit fence refused, whose statements all succeeded. The next load opens a
     * new connection.
     */
    private void restoreAutoCommit(Connection conn, boolean rolledBack) throws SQLException {
        if (rolledBack) {
            conn.setAutoCommit(true);
            return;
        }
        invalidated = true;
        closeQuietly(conn);
    }

    /** Removes a batch's staging folder with everything in it. */
    private static void removeTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
            // the batch's own folder and its parent, when no other attempt stages there
            Path batchDir = dir.getParent();
            try (Stream<Path> left = Files.list(batchDir)) {
                if (left.findAny().isEmpty()) {
                    Files.deleteIfExists(batchDir);
                }
            }
        } catch (IOException e) {
            log.warn("Could not remove staged files in {}: {}", dir, e.getMessage());
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
        stagers.shutdown();
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

    /**
     * Deletes the rows an earlier run of this file left, then inserts the file's rows: one transaction, committed when
     * the fence lets it.
     */
    private long copy(Connection conn, FileLoad file, String table, Path staged, CommitFence fence) {
        try (ThreadsRestored threads = readerThreads(conn, file.format())) {
            conn.setAutoCommit(false);
            boolean rolledBack = true;
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
                    WarehouseStatements.sent();
                } catch (SQLException e) {
                    throw failed(DuckDbErrors.insertFailed(e, file, staged.toString()), file);
                }
                fence.check(List.of(file));
                conn.commit();
                WarehouseStatements.sent();
                return rows;
            } catch (RuntimeException | SQLException e) {
                rolledBack = rolledBack(conn, file.sourceBlob() + " (load " + file.loadId() + ")");
                throw e;
            } finally {
                restoreAutoCommit(conn, rolledBack);
            }
        } catch (SQLException e) {
            throw classify(e, "DuckDB rejected the load of " + file.sourceBlob() + " into " + table);
        }
    }

    /**
     * What a CSV (or Parquet) insert needs per DuckDB thread, in MiB: the reader's {@link DuckDbSql#CSV_BUFFER_SIZE}
     * buffer and the insert's rows being collected. Measured with the orders table: at 64 MiB it loaded on 3 threads
     * and failed on 4, at 128 MiB on 6 and failed on 8; 24 leaves a margin.
     */
    static final long CSV_MIB_PER_THREAD = 24;

    /**
     * What DuckDB's JSON reader holds per reading thread, in MiB: a read buffer and a buffer to reassemble a record
     * that crosses buffers, each twice its maximum object size — whose 16 MiB default {@code read_json} lets a query
     * raise but never lower.
     */
    static final long JSON_MIB_PER_THREAD = 64;

    /** What a JSON insert needs in {@code memory_limit} beside the reader's buffers (the insert's own), in MiB. */
    private static final long JSON_HEADROOM_MIB = 16;

    /** The threads a statement reading {@code format} may use within {@code memoryLimit}: at least one. */
    static long threadsThatFit(FileFormat format, DataSize memoryLimit) {
        long mib = memoryLimit.toMegabytes();
        return Math.max(
                1,
                format == FileFormat.JSON ? (mib - JSON_HEADROOM_MIB) / JSON_MIB_PER_THREAD : mib / CSV_MIB_PER_THREAD);
    }

    /**
     * Runs the insert on as many of DuckDB's threads as its readers' buffers fit in {@code memory_limit}: DuckDB
     * starts a reader per thread (by default one per core) and fails when their buffers do not fit — the JSON
     * reader's even for a file of a few bytes. At the default limit that is 2 threads for CSV and Parquet and 1 for
     * JSON; on a machine with fewer cores nothing changes. DuckDB's {@code threads} is the database's setting, so it is
     * lowered for the statement and set back when the returned handle closes; the writer lock keeps other loads out
     * meanwhile.
     */
    private ThreadsRestored readerThreads(Connection conn, FileFormat format) throws SQLException {
        long threads = duckDbThreads;
        if (memoryLimit == null) {
            return () -> {};
        }
        long fit = threadsThatFit(format, memoryLimit);
        if (threads <= fit) {
            return () -> {};
        }
        setThreads(conn, fit);
        return () -> setThreads(conn, threads);
    }

    private static void setThreads(Connection conn, long threads) throws SQLException {
        try (Statement statement = conn.createStatement()) {
            // a number this adapter computed, never text from outside
            statement.execute("SET threads = " + threads);
            WarehouseStatements.sent();
        }
    }

    /** Sets DuckDB's {@code threads} back when closed. */
    private interface ThreadsRestored extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }

    private static void delete(Connection conn, FileLoad file, String table) throws SQLException {
        try (PreparedStatement delete = conn.prepareStatement(DuckDbSql.delete(file.mode(), table))) {
            delete.setString(1, file.sourceBlob());
            if (file.mode() != LoadMode.REPLACE) {
                delete.setString(2, file.etag());
            }
            long removed = delete.executeLargeUpdate();
            WarehouseStatements.sent();
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
            // the driver itself, not DriverManager, whose first use initialises every driver on the class path
            conn = (DuckDBConnection) new DuckDBDriver().connect("jdbc:duckdb:" + databaseFile, new Properties());
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
            // DuckDB's allocator (jemalloc) keeps freed memory for reuse up to 128 MiB (512 MiB after bulk frees)
            // by default, outside memory_limit; handing it back early keeps the process's resident size near the
            // limit (about 60 MiB less at the peak of a 1 GiB CSV load, docs/benchmarks.md).
            statement.execute("SET allocator_flush_threshold = '8MiB'");
            statement.execute("SET allocator_bulk_deallocation_flush_threshold = '8MiB'");
            statement.execute("SET allocator_background_threads = true");
            if (initScript != null) {
                ScriptUtils.executeSqlScript(conn, new EncodedResource(initScript, StandardCharsets.UTF_8));
                log.info("DuckDB warehouse {} ready (ran {})", databaseFile, initScript.getDescription());
            } else {
                log.info("DuckDB warehouse {} ready", databaseFile);
            }
            // only this connection changes settings, and only for a statement (readerThreads): read once
            try (ResultSet rs = statement.executeQuery("SELECT current_setting('threads')")) {
                rs.next();
                duckDbThreads = rs.getLong(1);
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

    private static void closeQuietly(@Nullable Connection conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                log.debug("Closing a DuckDB connection failed", e);
            }
        }
    }

    /** The staging pool's threads: daemons, so a stuck read never holds the process up at exit. */
    private static CustomizableThreadFactory stageThreads() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("snowhook-stage-");
        threads.setDaemon(true);
        return threads;
    }
}
