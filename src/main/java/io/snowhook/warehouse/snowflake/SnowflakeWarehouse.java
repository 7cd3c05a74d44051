package io.snowhook.warehouse.snowflake;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobSource;
import io.snowhook.system.TransientFailure;
import io.snowhook.warehouse.CommitFence;
import io.snowhook.warehouse.FileBatch;
import io.snowhook.warehouse.FileByFile;
import io.snowhook.warehouse.FileContents;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.FileResult;
import io.snowhook.warehouse.Lineage;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.LoadTarget;
import io.snowhook.warehouse.SourceStream;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseStatements;
import io.snowhook.warehouse.WarehouseUnavailable;
import io.snowhook.warehouse.snowflake.SnowflakeSql.TableColumns;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.snowflake.client.api.connection.SnowflakeConnection;
import net.snowflake.client.api.connection.UploadStreamConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snowflake through the real JDBC driver. Internal staging streams the blob into a named internal stage under a
 * per-load prefix ({@code uploadStream}), external staging lets COPY read the blob from the container's external
 * stage; either way {@code DELETE} (this blob version, or in replace mode every version) and {@code COPY … FORCE
 * = TRUE} run in one explicit transaction, and the COPY's per-file result decides the outcome.
 *
 * <p>Connections come from an adapter-owned pool sized to the worker pool — deliberately not a Spring {@code
 * DataSource} bean: the only one of those is the load store.
 */
class SnowflakeWarehouse implements Warehouse, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnowflakeWarehouse.class);
    private static final String DRIVER = "net.snowflake.client.api.driver.SnowflakeDriver";
    static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx", Locale.ROOT);

    private final SnowflakeProperties properties;
    private final SnowflakeSql sql;
    private final HikariDataSource pool;
    private final Clock clock;
    private final Map<String, TableColumns> tables = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> turns = new ConcurrentHashMap<>();
    private final Duration orphanAge;
    private final AtomicLong lastOrphanSweep = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong lastPinSweep = new AtomicLong(Long.MIN_VALUE);
    private final @Nullable BlobSource blobs;

    /** Where a try's pinned copy of a blob lives in the external stage's container. */
    static final String PINNED = ".snowhook/";

    /** Without blob storage: internal staging only (external staging fails, having no way to pin a version). */
    SnowflakeWarehouse(SnowflakeProperties properties, int poolSize) {
        this(properties, poolSize, Clock.systemUTC(), DEFAULT_LEASE, null);
    }

    SnowflakeWarehouse(SnowflakeProperties properties, int poolSize, @Nullable BlobSource blobs) {
        this(properties, poolSize, Clock.systemUTC(), DEFAULT_LEASE, blobs);
    }

    SnowflakeWarehouse(SnowflakeProperties properties, int poolSize, Clock clock, @Nullable BlobSource blobs) {
        this(properties, poolSize, clock, DEFAULT_LEASE, blobs);
    }

    /**
     * @param lease the ledger's lease on a claimed load: staged files older than the lease plus the longest a try
     *     may wait for its table and run its COPY belong to no running try and are removed
     */
    SnowflakeWarehouse(
            SnowflakeProperties properties, int poolSize, Clock clock, Duration lease, @Nullable BlobSource blobs) {
        this.properties = properties;
        this.blobs = blobs;
        this.sql = new SnowflakeSql(properties.database(), properties.schema());
        this.clock = clock;
        this.pool = new HikariDataSource(poolConfig(properties, poolSize));
        this.orphanAge = lease.plus(properties.transactions().lockTimeout())
                .plus(properties.transactions().statementTimeout());
    }

    @Override
    public boolean readsFromStorage(FileLoad file) {
        return file.staging() == Staging.EXTERNAL;
    }

    @Override
    public LoadResult load(FileLoad file, @Nullable InputStream content, CommitFence fence) {
        if (file.staging() == Staging.EXTERNAL) {
            return loadExternal(file, fence);
        }
        if (content == null) {
            throw new IllegalArgumentException("internal staging needs the blob's content");
        }
        return loadInternal(file, content, fence);
    }

    /**
     * Loads a batch with one COPY: internal staging uploads each file under {@code
     * batches/<batchId>/<attempt>/<loadId>/} and REMOVEs {@code batches/<batchId>/<attempt>/} once; external staging
     * pins each file's version as for one file. Then, in one transaction: {@code COPY … FILES = (…)} with the
     * configured {@code ON_ERROR} applied per file, one {@code DELETE} of what earlier runs of the files it LOADED
     * left, one {@code DELETE} of the rows files it did not load whole wrote (by load id), {@code COMMIT}. A file the
     * COPY did not load fails alone; the old rows of its blob stay.
     *
     * <p>{@code ON_ERROR = ABORT_STATEMENT} fails the whole statement on the first bad file (docs "COPY INTO
     * <table>", ON_ERROR), so with it each file loads in a statement of its own.
     */
    @Override
    public List<FileResult> load(FileBatch batch, FileContents contents, CommitFence fence) {
        if ("ABORT_STATEMENT".equalsIgnoreCase(properties.onError())) {
            return FileByFile.load(this, batch, contents, fence);
        }
        return batch.target().staging() == Staging.EXTERNAL
                ? loadExternal(batch, fence)
                : loadInternal(batch, contents, fence);
    }

    private List<FileResult> loadInternal(FileBatch batch, FileContents contents, CommitFence fence) {
        String prefix = "batches/" + batch.batchId() + "/" + batch.attempt();
        String location = sql.stage(properties.internalStage(), prefix + "/");
        Map<UUID, FileResult> results = new HashMap<>();
        List<SnowflakeSql.BatchFile> staged = new ArrayList<>();
        FileLoad first = batch.files().get(0);
        try (Connection connection = connection("batch " + batch.batchId())) {
            try {
                for (FileLoad file : batch.files()) {
                    try {
                        literalFor(file, () -> SnowflakeSql.literal(file.sourceBlob()));
                        String name = file.loadId() + "/" + stagedName(file);
                        upload(connection, file, contents, prefix + "/" + file.loadId(), stagedName(file));
                        staged.add(new SnowflakeSql.BatchFile(
                                file, SnowflakeSql.literal(name), SnowflakeSql.literal(prefix + "/" + name)));
                    } catch (RuntimeException e) {
                        if (TransientFailure.is(e)) {
                            throw e;
                        }
                        log.warn("loadId={} blob={} not staged: {}", file.loadId(), file.sourceBlob(), e.getMessage());
                        results.put(file.loadId(), FileResult.failed(file, e));
                    }
                }
                if (!staged.isEmpty()) {
                    copyBatch(connection, batch, location, staged, results, fence);
                }
            } finally {
                remove(connection, first, location);
                removeOrphans(connection, first);
            }
        } catch (SQLException e) {
            throw SnowflakeErrors.classify("connection for batch " + batch.batchId(), e);
        }
        return batch.files().stream().map(f -> results.get(f.loadId())).toList();
    }

    /** The staged name of a file: never derived from the blob name, only the adapter's own characters reach the PUT. */
    private static String stagedName(FileLoad file) {
        boolean compress = file.format() != FileFormat.PARQUET && !file.gzipped();
        return "data." + extension(file.format()) + (file.gzipped() || compress ? ".gz" : "");
    }

    /** Streams one file into the stage; a failure its content raised decides over the driver's own. */
    private void upload(Connection connection, FileLoad file, FileContents contents, String prefix, String name) {
        boolean compress = file.format() != FileFormat.PARQUET && !file.gzipped();
        SourceStream content = new SourceStream(contents.open(file));
        try {
            log.debug("loadId={} blob={} uploading to {}/{}", file.loadId(), file.sourceBlob(), prefix, name);
            connection
                    .unwrap(SnowflakeConnection.class)
                    .uploadStream(
                            sql.qualified(properties.internalStage()),
                            name,
                            content,
                            UploadStreamConfig.builder()
                                    .setDestPrefix(prefix)
                                    .setCompressData(compress)
                                    .build());
            WarehouseStatements.sent(); // the PUT
        } catch (SQLException | RuntimeException e) {
            RuntimeException source = content.failure();
            if (source != null) {
                source.addSuppressed(e);
                throw source;
            }
            throw e instanceof SQLException sqlException
                    ? failure(connection, "upload of " + file.sourceBlob(), sqlException)
                    : (RuntimeException) e;
        } finally {
            try {
                content.close();
            } catch (java.io.IOException e) {
                log.debug("closing the content of {} failed: {}", file.sourceBlob(), e.getMessage());
            }
        }
    }

    private List<FileResult> loadExternal(FileBatch batch, CommitFence fence) {
        String stage = properties.externalStages().get(batch.container());
        Map<UUID, FileResult> results = new HashMap<>();
        if (stage == null || blobs == null) {
            WarehouseFailure failure = stage == null
                    ? new WarehouseFailure("no external stage for container " + batch.container()
                            + "; set snowhook.warehouse.snowflake.external-stages." + batch.container())
                    : new WarehouseFailure("external staging needs blob storage to pin the blob's version");
            return batch.files().stream()
                    .map(f -> FileResult.failed(f, failure))
                    .toList();
        }
        List<SnowflakeSql.BatchFile> pinned = new ArrayList<>();
        try {
            for (FileLoad file : batch.files()) {
                String pinnedName = PINNED + file.loadId() + "/" + file.attempt() + "/" + file.blobName();
                try {
                    String path = literalFor(file, () -> SnowflakeSql.stagePath(pinnedName));
                    log.debug(
                            "loadId={} blob={} pinning eTag {} as {}",
                            file.loadId(),
                            file.sourceBlob(),
                            file.etag(),
                            pinnedName);
                    blobs.pin(new BlobId(file.account(), file.container(), file.blobName()), file.etag(), pinnedName);
                    pinned.add(new SnowflakeSql.BatchFile(file, path, path));
                } catch (RuntimeException e) {
                    if (TransientFailure.is(e)) {
                        throw e;
                    }
                    log.info("loadId={} blob={} not pinned: {}", file.loadId(), file.sourceBlob(), e.getMessage());
                    results.put(file.loadId(), FileResult.failed(file, e));
                }
            }
            if (!pinned.isEmpty()) {
                try (Connection connection = connection("batch " + batch.batchId())) {
                    copyBatch(connection, batch, sql.stage(stage, ""), pinned, results, fence);
                } catch (SQLException e) {
                    throw SnowflakeErrors.classify("connection for batch " + batch.batchId(), e);
                }
            }
        } finally {
            for (SnowflakeSql.BatchFile f : pinned) {
                FileLoad file = f.load();
                String pinnedName = PINNED + file.loadId() + "/" + file.attempt() + "/" + file.blobName();
                try {
                    blobs.delete(new BlobId(file.account(), file.container(), pinnedName));
                } catch (RuntimeException e) {
                    log.warn(
                            "loadId={} blob={} could not delete the pinned copy {}: {}",
                            file.loadId(),
                            file.sourceBlob(),
                            pinnedName,
                            e.getMessage());
                }
            }
            removePinOrphans(batch.files().get(0));
        }
        return batch.files().stream().map(f -> results.get(f.loadId())).toList();
    }

    /**
     * The batch's transaction: COPY, then the deletes for the files it loaded and for those it did not; every file
     * of {@code files} gets its result. Turns a failure that is no single file's (missing table) into every file's.
     */
    private void copyBatch(
            Connection connection,
            FileBatch batch,
            String location,
            List<SnowflakeSql.BatchFile> files,
            Map<UUID, FileResult> results,
            CommitFence fence) {
        LoadTarget target = batch.target();
        FileLoad first = files.get(0).load();
        TableColumns columns;
        try {
            columns = columns(connection, target.table());
        } catch (RuntimeException e) {
            if (TransientFailure.is(e)) {
                throw e;
            }
            files.forEach(f -> results.put(f.load().loadId(), FileResult.failed(f.load(), e)));
            return;
        }
        String loadedAt = TIMESTAMP.format(clock.instant().atOffset(ZoneOffset.UTC));
        String copy = sql.copyBatch(
                target, files, columns, location, format(target.format()), properties.onError(), loadedAt);
        Semaphore turn = awaitTurn(first);
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN");
            WarehouseStatements.sent();
            boolean committed = false;
            try {
                Map<UUID, FileResult> outcome;
                try (ResultSet rs = statement.executeQuery(copy)) {
                    WarehouseStatements.sent();
                    outcome = batchResults(files, rs);
                }
                List<FileLoad> loaded = new ArrayList<>();
                List<FileLoad> failed = new ArrayList<>();
                for (SnowflakeSql.BatchFile f : files) {
                    (outcome.get(f.load().loadId()) instanceof FileResult.Loaded ? loaded : failed).add(f.load());
                }
                int replaced = 0;
                if (!loaded.isEmpty()) {
                    replaced = statement.executeUpdate(sql.deleteEarlier(target, loaded, loadedAt));
                    WarehouseStatements.sent();
                }
                if (!failed.isEmpty()) {
                    statement.executeUpdate(sql.deletePartial(target, failed, loadedAt));
                    WarehouseStatements.sent();
                }
                fence.check(files.stream().map(SnowflakeSql.BatchFile::load).toList());
                statement.execute("COMMIT");
                WarehouseStatements.sent();
                committed = true;
                results.putAll(outcome);
                log.info(
                        "batch={} attempt={} table={} files={} loaded={} failed={} replacedRows={}",
                        batch.batchId(),
                        batch.attempt(),
                        target.table(),
                        files.size(),
                        loaded.size(),
                        failed.size(),
                        replaced);
            } finally {
                if (!committed) {
                    rollback(statement, first);
                }
            }
        } catch (SQLException e) {
            RuntimeException failure = failure(connection, "COPY of batch " + batch.batchId(), e);
            if (failure instanceof SnowflakeErrors.RemoteFileNotFound) {
                // our own staged or pinned copy vanished before COPY read it: staging it again fixes that
                throw new WarehouseUnavailable(failure.getMessage() + " (a staged copy vanished)", e);
            }
            if (TransientFailure.is(failure)) {
                throw failure;
            }
            tables.remove(target.table());
            files.forEach(f -> results.put(f.load().loadId(), FileResult.failed(f.load(), failure)));
        } finally {
            turn.release();
        }
    }

    /**
     * Maps COPY's result rows back to the batch's files by the load id in each row's {@code file} (staged and pinned
     * paths carry it): LOADED is loaded, anything else fails the file with its first error; a file without a row did
     * not load.
     */
    /**
     * The file a result row names: the load whose id comes first in the name as a path segment (staged names are
     * {@code batches/<batchId>/<attempt>/<loadId>/…}, pinned ones {@code .snowhook/<loadId>/<attempt>/<blob>}, so a
     * blob name never decides).
     */
    private static @Nullable FileLoad fileNamed(@Nullable String name, List<SnowflakeSql.BatchFile> files) {
        if (name == null) {
            return null;
        }
        FileLoad found = null;
        int at = Integer.MAX_VALUE;
        for (SnowflakeSql.BatchFile f : files) {
            String id = f.load().loadId() + "/";
            int i = name.startsWith(id) ? 0 : name.indexOf("/" + id);
            if (i >= 0 && i < at) {
                at = i;
                found = f.load();
            }
        }
        return found;
    }

    private static Map<UUID, FileResult> batchResults(List<SnowflakeSql.BatchFile> files, ResultSet rs)
            throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            index.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        Map<UUID, FileResult> results = new HashMap<>();
        if (index.containsKey("file")) {
            while (rs.next()) {
                String name = rs.getString(index.get("file"));
                FileLoad file = fileNamed(name, files);
                if (file == null) {
                    log.warn("COPY reported a file of no load of the batch: {}", name);
                    continue;
                }
                String status = rs.getString(index.get("status"));
                if ("LOADED".equalsIgnoreCase(status)) {
                    results.put(
                            file.loadId(),
                            new FileResult.Loaded(
                                    file, rs.getLong(index.get("rows_parsed")), rs.getLong(index.get("rows_loaded"))));
                } else {
                    String error = string(rs, index, "first_error");
                    results.put(
                            file.loadId(),
                            FileResult.failed(
                                    file,
                                    new FileRejected(
                                            status + ": " + (error == null ? "no error reported" : error.strip()),
                                            number(rs, index, "first_error_line"),
                                            string(rs, index, "first_error_column_name"))));
                }
            }
        }
        for (SnowflakeSql.BatchFile f : files) {
            results.computeIfAbsent(
                    f.load().loadId(),
                    id -> FileResult.failed(
                            f.load(),
                            new NoFilesProcessed("COPY of " + f.load().sourceBlob()
                                    + " reported no result for the file — it was not found in the stage or"
                                    + " Snowflake skipped it")));
        }
        return results;
    }

    @Override
    public void check() {
        try (Connection connection = connection("check");
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT 1")) {
            rs.next();
        } catch (SQLException e) {
            throw SnowflakeErrors.classify("SELECT 1", e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Closes idle connections and retires busy ones once returned: the next load logs in afresh (e.g. after a credential rotation). */
    void evictConnections() {
        var mx = pool.getHikariPoolMXBean();
        if (mx != null) {
            mx.softEvictConnections();
        }
    }

    /** The most connections the adapter's pool opens. */
    int poolSize() {
        return pool.getMaximumPoolSize();
    }

    /** Connections currently lent out of the adapter's pool (0 when no load is running). */
    int activeConnections() {
        var mx = pool.getHikariPoolMXBean();
        return mx == null ? 0 : mx.getActiveConnections();
    }

    private LoadResult loadInternal(FileLoad file, InputStream content, CommitFence fence) {
        // The staged name never derives from the blob name: only the adapter's own characters reach the PUT.
        // Each try stages under its own prefix: a try that lost its lease and is still finishing removes its own
        // files, never those of the try that took the load over.
        String prefix = "loads/" + file.loadId() + "/" + file.attempt();
        String location = sql.stage(properties.internalStage(), prefix + "/");
        boolean compress = file.format() != FileFormat.PARQUET && !file.gzipped();
        String staged = "data." + extension(file.format()) + (file.gzipped() || compress ? ".gz" : "");
        literalFor(file, () -> SnowflakeSql.literal(file.sourceBlob()));
        try (Connection connection = connection(file)) {
            try {
                log.debug("loadId={} blob={} uploading to {}", file.loadId(), file.sourceBlob(), location);
                connection
                        .unwrap(SnowflakeConnection.class)
                        .uploadStream(
                                sql.qualified(properties.internalStage()),
                                staged,
                                content,
                                UploadStreamConfig.builder()
                                        .setDestPrefix(prefix)
                                        .setCompressData(compress)
                                        .build());
                WarehouseStatements.sent(); // the PUT
                return copy(connection, file, location, SnowflakeSql.literal(staged), fence);
            } catch (SQLException e) {
                throw failure(connection, "upload of " + file.sourceBlob(), e);
            } finally {
                remove(connection, file, location);
                removeOrphans(connection, file);
            }
        } catch (SQLException e) {
            throw SnowflakeErrors.classify("connection for " + file.sourceBlob(), e);
        }
    }

    /**
     * COPY from an external stage reads the named file as the container holds it when COPY runs, so the version
     * the event names is pinned first: a server-side copy, on condition of the event's eTag, to {@code
     * .snowhook/<loadId>/<attempt>/<blob name>} in the same container, which COPY reads and the try deletes. A
     * blob overwritten since the event fails the copy ({@code BlobChanged}: superseded), a deleted one is not found.
     */
    private LoadResult loadExternal(FileLoad file, CommitFence fence) {
        String stage = properties.externalStages().get(file.container());
        if (stage == null) {
            throw new WarehouseFailure("no external stage for container " + file.container()
                    + "; set snowhook.warehouse.snowflake.external-stages." + file.container());
        }
        if (blobs == null) {
            throw new WarehouseFailure("external staging needs blob storage to pin the blob's version");
        }
        String pinnedName = PINNED + file.loadId() + "/" + file.attempt() + "/" + file.blobName();
        String path = literalFor(file, () -> SnowflakeSql.stagePath(pinnedName));
        BlobId source = new BlobId(file.account(), file.container(), file.blobName());
        BlobId pinned = new BlobId(file.account(), file.container(), pinnedName);
        log.debug("loadId={} blob={} pinning eTag {} as {}", file.loadId(), file.sourceBlob(), file.etag(), pinnedName);
        blobs.pin(source, file.etag(), pinnedName);
        try (Connection connection = connection(file)) {
            return copy(connection, file, sql.stage(stage, ""), path, fence);
        } catch (SQLException e) {
            throw SnowflakeErrors.classify("connection for " + file.sourceBlob(), e);
        } finally {
            try {
                blobs.delete(pinned);
            } catch (RuntimeException e) {
                log.warn(
                        "loadId={} blob={} could not delete the pinned copy {}: {}",
                        file.loadId(),
                        file.sourceBlob(),
                        pinnedName,
                        e.getMessage());
            }
            removePinOrphans(file);
        }
    }

    /** Deletes pinned copies older than a lease (and a try's longest wait and COPY): no running try uses them. */
    private void removePinOrphans(FileLoad file) {
        long now = clock.millis();
        long last = lastPinSweep.get();
        if ((last != Long.MIN_VALUE && now - last < orphanAge.toMillis()) || !lastPinSweep.compareAndSet(last, now)) {
            return;
        }
        try {
            int deleted = blobs.deleteOlderThan(
                    file.account(), file.container(), PINNED, clock.instant().minus(orphanAge));
            if (deleted > 0) {
                log.info("loadId={} removed {} orphaned pinned copies in {}", file.loadId(), deleted, file.container());
            }
        } catch (RuntimeException e) {
            log.warn(
                    "loadId={} could not remove orphaned pinned copies in {}: {}",
                    file.loadId(),
                    file.container(),
                    e.getMessage());
        }
    }

    /** Classifies {@code e}; a connection whose session is gone leaves the pool, so the retry logs in afresh. */
    private RuntimeException failure(Connection connection, String what, SQLException e) {
        RuntimeException failure = SnowflakeErrors.classify(what, e);
        if (failure instanceof SnowflakeErrors.SessionGone) {
            pool.evictConnection(connection);
        }
        return failure;
    }

    /**
     * Builds a literal from the blob name — before any I/O — or fails the load permanently, saying why, when no
     * literal can name it safely.
     */
    private static String literalFor(FileLoad file, Supplier<String> literal) {
        try {
            SnowflakeSql.literal(file.etag());
            return literal.get();
        } catch (UnsafeName e) {
            throw new WarehouseFailure(
                    "blob name " + file.sourceBlob() + " cannot be loaded safely: it " + e.getMessage());
        }
    }

    private LoadResult copy(
            Connection connection, FileLoad file, String location, String fileLiteral, CommitFence fence) {
        TableColumns columns = columns(connection, file.table());
        String copy = sql.copy(
                file,
                columns,
                location,
                fileLiteral,
                format(file.format()),
                properties.onError(),
                TIMESTAMP.format(clock.instant().atOffset(ZoneOffset.UTC)));
        Semaphore turn = awaitTurn(file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN");
            WarehouseStatements.sent();
            boolean committed = false;
            try {
                int deleted = statement.executeUpdate(sql.delete(file));
                WarehouseStatements.sent();
                LoadResult result;
                try (ResultSet rs = statement.executeQuery(copy)) {
                    WarehouseStatements.sent();
                    result = copyResult(file, rs);
                }
                fence.check(List.of(file));
                statement.execute("COMMIT");
                WarehouseStatements.sent();
                committed = true;
                log.info(
                        "loadId={} blob={} table={} loaded rows={} replacedRows={}",
                        file.loadId(),
                        file.sourceBlob(),
                        file.table(),
                        result.rowsLoaded(),
                        deleted);
                return result;
            } finally {
                if (!committed) {
                    rollback(statement, file);
                }
            }
        } catch (SQLException e) {
            RuntimeException failure = failure(connection, "COPY of " + file.sourceBlob(), e);
            if (failure instanceof SnowflakeErrors.RemoteFileNotFound) {
                // our own staged or pinned copy vanished before COPY read it: staging it again fixes that
                throw new WarehouseUnavailable(failure.getMessage() + " (the staged copy vanished)", e);
            }
            if (failure instanceof WarehouseFailure) {
                tables.remove(file.table());
            }
            throw failure;
        } finally {
            turn.release();
        }
    }

    /**
     * Waits for one of the table's {@code transactions.max-per-table} turns. The DELETE holds the table's lock until
     * COMMIT, so more transactions on one table would only queue on that lock — and Snowflake fails the 21st
     * waiting statement (000625); waiting here keeps the queue in the replica, in order.
     */
    private Semaphore awaitTurn(FileLoad file) {
        SnowflakeProperties.Transactions limits = properties.transactions();
        Semaphore turn = turns.computeIfAbsent(
                file.table().toUpperCase(Locale.ROOT), t -> new Semaphore(limits.maxPerTable(), true));
        try {
            if (!turn.tryAcquire(limits.lockTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new WarehouseUnavailable("loadId=" + file.loadId() + " waited " + limits.lockTimeout()
                        + " for a turn on table " + file.table() + " (transactions.max-per-table="
                        + limits.maxPerTable() + ")");
            }
            return turn;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WarehouseUnavailable("interrupted waiting for a turn on table " + file.table(), e);
        }
    }

    /** Reads COPY's per-file result; any file not fully loaded fails the load (and the caller rolls back). */
    private static LoadResult copyResult(FileLoad file, ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            index.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        if (!index.containsKey("file")) {
            String status = rs.next() && index.containsKey("status") ? rs.getString(index.get("status")) : null;
            throw new NoFilesProcessed("COPY of " + file.sourceBlob() + " processed no file: "
                    + (status == null ? "no result" : status)
                    + " — the file was not found in the stage or Snowflake skipped it");
        }
        long parsed = 0;
        long loaded = 0;
        int files = 0;
        List<String> statuses = new ArrayList<>();
        while (rs.next()) {
            files++;
            String status = rs.getString(index.get("status"));
            statuses.add(status);
            if (!"LOADED".equalsIgnoreCase(status)) {
                String error = string(rs, index, "first_error");
                Long line = number(rs, index, "first_error_line");
                String column = string(rs, index, "first_error_column_name");
                throw new FileRejected(
                        status + ": " + (error == null ? "no error reported" : error.strip()), line, column);
            }
            parsed += rs.getLong(index.get("rows_parsed"));
            loaded += rs.getLong(index.get("rows_loaded"));
        }
        if (files == 0) {
            throw new NoFilesProcessed("COPY of " + file.sourceBlob() + " returned no file results");
        }
        return new LoadResult(parsed, loaded);
    }

    private static @Nullable String string(ResultSet rs, Map<String, Integer> index, String name) throws SQLException {
        Integer i = index.get(name);
        return i == null ? null : rs.getString(i);
    }

    private static @Nullable Long number(ResultSet rs, Map<String, Integer> index, String name) throws SQLException {
        Integer i = index.get(name);
        if (i == null) {
            return null;
        }
        long value = rs.getLong(i);
        return rs.wasNull() ? null : value;
    }

    private TableColumns columns(Connection connection, String table) {
        Lineage.table(table);
        TableColumns known = tables.get(table);
        if (known != null) {
            return known;
        }
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql.columns(table))) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failure(connection, "reading the columns of " + table, e);
        }
        TableColumns columns = TableColumns.of(sql.qualified(table), names);
        tables.put(table, columns);
        return columns;
    }

    private void rollback(Statement statement, FileLoad file) {
        try {
            statement.execute("ROLLBACK");
            WarehouseStatements.sent();
        } catch (SQLException e) {
            // The session may be gone; a transaction never committed is rolled back by Snowflake when it ends.
            log.warn("loadId={} blob={} rollback failed: {}", file.loadId(), file.sourceBlob(), e.getMessage());
            evict(statement);
        }
    }

    private void remove(Connection connection, FileLoad file, String location) {
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery(sql.remove(location)).close();
            WarehouseStatements.sent();
        } catch (SQLException e) {
            log.warn(
                    "loadId={} blob={} could not remove staged files at {}: {}",
                    file.loadId(),
                    file.sourceBlob(),
                    location,
                    e.getMessage());
        }
    }

    /**
     * Removes staged files no running try can own any more — left by a replica that died between upload and
     * REMOVE. Runs at most once per {@code orphanAge}, by whichever load gets there first.
     */
    private void removeOrphans(Connection connection, FileLoad file) {
        long now = clock.millis();
        long last = lastOrphanSweep.get();
        if ((last != Long.MIN_VALUE && now - last < orphanAge.toMillis())
                || !lastOrphanSweep.compareAndSet(last, now)) {
            return;
        }
        Instant cutoff = clock.instant().minus(orphanAge);
        // a try's prefix, with its newest file: a batch uploads its files one after another, so its first file may be
        // older than the cutoff while the batch still stages the rest; only its newest file tells when it was last used
        Map<String, Instant> newest = new TreeMap<>();
        // one file's tries stage under loads/<loadId>/<attempt>/, a batch's under batches/<batchId>/<attempt>/
        for (String root : List.of("loads/", "batches/")) {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("LIST " + sql.stage(properties.internalStage(), root))) {
                while (rs.next()) {
                    String name = rs.getString("name");
                    Instant modified = ZonedDateTime.parse(
                                    rs.getString("last_modified"), DateTimeFormatter.RFC_1123_DATE_TIME)
                            .toInstant();
                    int at = name.indexOf(root);
                    String[] parts = at < 0 ? new String[0] : name.substring(at).split("/");
                    if (parts.length >= 4) {
                        newest.merge(root + parts[1] + "/" + parts[2] + "/", modified, (a, b) -> a.isAfter(b) ? a : b);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                log.warn(
                        "loadId={} blob={} could not list staged files: {}",
                        file.loadId(),
                        file.sourceBlob(),
                        e.getMessage());
                return;
            }
        }
        for (Map.Entry<String, Instant> prefix : newest.entrySet()) {
            if (!prefix.getValue().isBefore(cutoff)) {
                continue;
            }
            String orphan = prefix.getKey();
            log.info("loadId={} blob={} removing orphaned staged files {}", file.loadId(), file.sourceBlob(), orphan);
            remove(connection, file, sql.stage(properties.internalStage(), orphan));
        }
    }

    private void evict(Statement statement) {
        try {
            pool.evictConnection(statement.getConnection());
        } catch (SQLException e) {
            log.debug("could not evict connection: {}", e.getMessage());
        }
    }

    private Connection connection(FileLoad file) throws SQLException {
        return connection("load " + file.loadId());
    }

    private Connection connection(String purpose) throws SQLException {
        log.trace("borrowing a Snowflake connection for {}", purpose);
        return pool.getConnection();
    }

    private String format(FileFormat format) {
        return switch (format) {
            case CSV -> properties.fileFormats().csv();
            case JSON -> properties.fileFormats().json();
            case PARQUET -> properties.fileFormats().parquet();
        };
    }

    private static String extension(FileFormat format) {
        return switch (format) {
            case CSV -> "csv";
            case JSON -> "json";
            case PARQUET -> "parquet";
        };
    }

    static HikariConfig poolConfig(SnowflakeProperties properties, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("snowhook-snowflake");
        config.setDriverClassName(DRIVER);
        config.setJdbcUrl(
                properties.url() != null
                        ? properties.url()
                        : "jdbc:snowflake://" + properties.account() + ".snowflakecomputing.com/");
        config.setDataSourceProperties(driverProperties(properties));
        config.setMaximumPoolSize(poolSize);
        // Lazy: start-up never waits for (or fails on) Snowflake; readiness reports it instead.
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(properties.connectionTimeout().toMillis());
        config.setAutoCommit(true);
        return config;
    }

    static Properties driverProperties(SnowflakeProperties p) {
        Properties props = new Properties();
        props.putAll(p.jdbcProperties());
        props.setProperty("user", p.user());
        props.setProperty("warehouse", p.warehouse().toUpperCase(Locale.ROOT));
        props.setProperty("db", p.database().toUpperCase(Locale.ROOT));
        props.setProperty("schema", p.schema().toUpperCase(Locale.ROOT));
        if (p.role() != null) {
            props.setProperty("role", p.role().toUpperCase(Locale.ROOT));
        }
        if (p.account() != null) {
            props.setProperty("account", p.account());
        }
        props.setProperty("application", "snowhook");
        // Session parameters ride on the login (the driver sends unknown connection properties as session
        // parameters): how long a statement waits for a table lock, and how long any statement may run.
        props.setProperty(
                "LOCK_TIMEOUT", Long.toString(p.transactions().lockTimeout().toSeconds()));
        props.setProperty(
                "STATEMENT_TIMEOUT_IN_SECONDS",
                Long.toString(p.transactions().statementTimeout().toSeconds()));
        if (p.keyPair()) {
            props.setProperty("authenticator", "SNOWFLAKE_JWT");
            if (p.privateKeyFile() != null) {
                props.setProperty("private_key_file", p.privateKeyFile().toString());
            } else if (p.privateKey() != null) {
                props.setProperty(
                        "private_key_base64",
                        Base64.getEncoder()
                                .encodeToString(p.privateKey().strip().getBytes(StandardCharsets.US_ASCII)));
            }
            if (p.privateKeyPassphrase() != null && !p.privateKeyPassphrase().isBlank()) {
                props.setProperty("private_key_pwd", p.privateKeyPassphrase());
            }
        } else {
            props.setProperty("password", p.password());
        }
        return props;
    }
}
