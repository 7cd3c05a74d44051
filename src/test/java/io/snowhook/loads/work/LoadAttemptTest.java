package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snowhook.blob.BlobChanged;
import io.snowhook.blob.BlobContent;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobSource;
import io.snowhook.blob.BlobUnavailable;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.system.Outages;
import io.snowhook.warehouse.CommitFence;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * One load attempt, end to end through the worker, with in-memory ports: blob storage and the warehouse are
 * maps in this test, the ledger an in-memory H2 with the Flyway schema. The worker runs the plan recorded on
 * the row — table, format, mode and staging — and records one outcome.
 */
class LoadAttemptTest {

    final Map<BlobId, String> blobs = new HashMap<>();
    final Map<BlobId, String> etags = new HashMap<>();
    final List<FileLoad> loaded = new ArrayList<>();
    final List<RuntimeException> warehouseFailures = new ArrayList<>();
    /** Run as the warehouse is next called, before anything else: another worker's step at that moment. */
    final List<Runnable> onWarehouseCall = new ArrayList<>();
    /** I/O errors the next blobs opened raise on their first read, one each. */
    final List<IOException> readFailures = new ArrayList<>();
    /** Outcomes the ledger is to refuse next (a connection dropped while recording). */
    int ledgerRefusals;
    /** Commit fences the ledger is to leave unanswered next (a connection dropped while checking the claim). */
    int fenceOutages;
    /** Whether each release of a load or batch ran on an interrupted thread. */
    final List<Boolean> releasedInterrupted = new ArrayList<>();

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Set<UUID> readFromStorage = new HashSet<>();

    JdbcClient jdbc;
    Outages outages;
    LoadQueue queue;
    LoadWorker worker;

    final BlobSource storage = new WorkerFixtures.ReadOnlyStorage() {
        @Override
        public BlobContent open(BlobId id, @Nullable String expectedEtag) {
            String etag = etags.get(id);
            if (expectedEtag != null && !expectedEtag.equals(etag)) {
                throw new BlobChanged("eTag is now " + etag);
            }
            byte[] bytes = blobs.get(id).getBytes(StandardCharsets.UTF_8);
            if (!readFailures.isEmpty()) {
                IOException failure = readFailures.remove(0);
                return new BlobContent(
                        new InputStream() {
                            @Override
                            public int read() throws IOException {
                                throw failure;
                            }
                        },
                        bytes.length,
                        etag);
            }
            return new BlobContent(new ByteArrayInputStream(bytes), bytes.length, etag);
        }
    };

    final Warehouse warehouse = new Warehouse() {
        @Override
        public LoadResult load(FileLoad file, @Nullable InputStream content, CommitFence fence) {
            if (!onWarehouseCall.isEmpty()) {
                onWarehouseCall.remove(0).run();
            }
            if (!warehouseFailures.isEmpty()) {
                throw warehouseFailures.remove(0);
            }
            try {
                long rows = new String(content.readAllBytes(), StandardCharsets.UTF_8)
                                .lines()
                                .count()
                        - 1;
                // the commit
                fence.check(List.of(file));
                loaded.add(file);
                return new LoadResult(rows, rows);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean readsFromStorage(FileLoad file) {
            return readFromStorage.contains(file.loadId());
        }

        @Override
        public void check() {}
    };

    @BeforeEach
    void ports() {
        JdbcDataSource dataSource = WorkerFixtures.ledger("load-attempt");
        jdbc = JdbcClient.create(dataSource);
        queue = new LoadQueue(jdbc, dataSource, new DataSourceTransactionManager(dataSource)) {
            @Override
            boolean complete(UUID id, String worker, Outcome outcome) {
                refuseIfAsked();
                return super.complete(id, worker, outcome);
            }

            @Override
            Set<UUID> complete(String worker, Map<UUID, Outcome> outcomes) {
                refuseIfAsked();
                return super.complete(worker, outcomes);
            }

            @Override
            boolean hold(java.util.Collection<UUID> ids, String worker, Duration lease) {
                if (fenceOutages > 0) {
                    fenceOutages--;
                    throw new DataAccessResourceFailureException("the ledger's connection was reset");
                }
                return super.hold(ids, worker, lease);
            }

            @Override
            boolean release(UUID id, String worker) {
                releasedInterrupted.add(Thread.currentThread().isInterrupted());
                return super.release(id, worker);
            }

            @Override
            int releaseBatch(UUID batchId, String worker, int uncounted) {
                releasedInterrupted.add(Thread.currentThread().isInterrupted());
                return super.releaseBatch(batchId, worker, uncounted);
            }
        };
        LoadsProperties properties = WorkerFixtures.properties(Duration.ofMinutes(5));
        LoadMetrics metrics = WorkerFixtures.metrics(meters);
        outages = WorkerFixtures.outages();
        worker = new LoadWorker(queue, storage, warehouse, properties, metrics, outages);
    }

    /** A queued load whose row plans {@code table}, JSON, REPLACE and external staging. */
    UUID queued(String blob, String etag, String content) {
        BlobId id = new BlobId("devstoreaccount1", "factory-uploads", blob);
        blobs.put(id, content);
        etags.put(id, etag);
        UUID load = UUID.randomUUID();
        jdbc.sql("INSERT INTO loads (id, status, account, container, blob_name, etag, size_bytes, table_name,"
                        + " file_format, load_mode, staging, received_at) VALUES (:id, 'QUEUED', :account,"
                        + " :container, :blob, :etag, :size, 'PLANNED_TABLE', 'JSON', 'REPLACE', 'EXTERNAL', :now)")
                .param("id", load)
                .param("account", id.account())
                .param("container", id.container())
                .param("blob", id.name())
                .param("etag", etag)
                .param("size", (long) content.length())
                .param("now", Instant.now().atOffset(ZoneOffset.UTC))
                .update();
        return load;
    }

    Load attempt() {
        Load claimed = queue.claim("w1", Duration.ofMinutes(5)).orElseThrow();
        worker.run(claimed, "w1");
        return jdbc.sql("SELECT " + io.snowhook.loads.ledger.LoadRows.COLUMNS + " FROM loads WHERE id = :id")
                .param("id", claimed.id())
                .query(io.snowhook.loads.ledger.LoadRows.MAPPER)
                .single();
    }

    @Test
    void runsThePlanRecordedOnTheRow() {
        UUID id = queued("anything/no-route-matches.json", "0x1", "header\na\nb\n");

        Load load = attempt();

        assertThat(load.id()).isEqualTo(id);
        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.rowsLoaded()).isEqualTo(2);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(loaded).singleElement().satisfies(file -> {
            assertThat(file.table()).isEqualTo("PLANNED_TABLE");
            assertThat(file.format()).isEqualTo(FileFormat.JSON);
            assertThat(file.mode()).isEqualTo(LoadMode.REPLACE);
            assertThat(file.staging()).isEqualTo(Staging.EXTERNAL);
            assertThat(file.etag()).isEqualTo("0x1");
        });
    }

    @Test
    void retriesATransientFailureAndCountsTheAttempts() {
        queued("orders/f1/retry.csv", "0x1", "header\na\n");
        warehouseFailures.add(new BlobUnavailable("storage reset the connection", new IOException("reset")));

        Load load = attempt();

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).isEqualTo(2);
    }

    @Test
    void anIoErrorReadingTheBlobIsStoragesTransientFailureWhateverTheWarehouseMadeOfIt() {
        queued("orders/f1/read-error.csv", "0x1", "header\na\n");
        // the warehouse wraps the read's I/O error in a failure of its own (here not a transient one)
        readFailures.add(new IOException("connection reset by peer"));

        Load load = attempt();

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).as("retried as storage's transient failure").isEqualTo(2);
        assertThat(outages.isDown(Outages.WAREHOUSE)).isFalse();
    }

    @Test
    void failsBadDataAtOnceWithItsFirstError() {
        queued("orders/f1/bad.csv", "0x1", "header\na\n");
        warehouseFailures.add(new FileRejected("not a number: 'x'", 7L, "quantity"));

        Load load = attempt();

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).isEqualTo("not a number: 'x'");
        assertThat(load.errorLine()).isEqualTo(7L);
        assertThat(load.errorColumn()).isEqualTo("quantity");
    }

    @Test
    void supersedesALoadWhoseBlobChangedSinceTheEvent() {
        queued("orders/f1/changed.csv", "0x1", "header\na\n");
        etags.put(new BlobId("devstoreaccount1", "factory-uploads", "orders/f1/changed.csv"), "0x2");

        Load load = attempt();

        assertThat(load.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(loaded).isEmpty();
    }

    @Test
    void timesTheDownloadTheInsertTheRecordAndTheRestOfARun() {
        queued("orders/f1/phases.csv", "0x1", "header\na\n");

        attempt();

        assertThat(phases()).containsOnlyKeys("download", "insert", "record", "other");
        assertThat(phases().values()).allSatisfy(timer -> {
            assertThat(timer.getId().getTag("table")).isEqualTo("PLANNED_TABLE");
            assertThat(timer.count()).isEqualTo(1);
        });
    }

    @Test
    void timesAllTriesOfARunAsOneDownloadAndOneInsert() {
        queued("orders/f1/phases-retried.csv", "0x1", "header\na\n");
        warehouseFailures.add(new BlobUnavailable("storage reset the connection", new IOException("reset")));

        attempt();

        assertThat(phases().get("download").count()).isEqualTo(1);
        assertThat(phases().get("insert").count()).isEqualTo(1);
        assertThat(phases().get("record").count()).isEqualTo(1);
    }

    @Test
    void timesNoDownloadWhenTheWarehouseReadsStorageItself() {
        UUID id = queued("orders/f1/external.csv", "0x1", "header\na\n");
        readFromStorage.add(id);

        attempt();

        assertThat(phases()).containsOnlyKeys("insert", "record", "other");
    }

    void refuseIfAsked() {
        if (ledgerRefusals > 0) {
            ledgerRefusals--;
            throw new DataAccessResourceFailureException("the ledger's connection was reset");
        }
    }

    Load row(UUID id) {
        return jdbc.sql("SELECT " + io.snowhook.loads.ledger.LoadRows.COLUMNS + " FROM loads WHERE id = :id")
                .param("id", id)
                .query(io.snowhook.loads.ledger.LoadRows.MAPPER)
                .single();
    }

    static final LoadQueue.Batching FIFTY = new LoadQueue.Batching(50, Long.MAX_VALUE, Duration.ZERO);

    @Test
    void aLoadWhoseOutcomeTheLedgerRefusedStaysLoadingNotFailed() {
        UUID id = queued("orders/f1/unrecorded.csv", "0x1", "header\na\n");
        ledgerRefusals = 1;

        Load load = attempt();

        // the rows are in: the load runs again once its lease runs out, replacing them, and is never FAILED
        assertThat(load.status()).isEqualTo(LoadStatus.LOADING);
        assertThat(load.error()).isNull();
        assertThat(loaded).extracting(FileLoad::loadId).containsExactly(id);
    }

    @Test
    void aBatchWhoseOutcomesTheLedgerRefusedStaysLoadingNotFailed() {
        Two two = claimedTwo("unrecorded");
        ledgerRefusals = 1;

        worker.run(two.batch(), "w1");

        assertThat(List.of(row(two.first()), row(two.second()))).allSatisfy(l -> {
            assertThat(l.status()).isEqualTo(LoadStatus.LOADING);
            assertThat(l.error()).isNull();
        });
        assertThat(loaded).extracting(FileLoad::loadId).containsExactly(two.first(), two.second());
    }

    @Test
    void aBatchThatLostALoadBeforeItsRetryReleasesTheRestWithoutCountingTheTryNotMade() {
        Two two = claimedTwo("lost");
        // the first try fails transiently; meanwhile another worker took over the second load
        onWarehouseCall.add(() -> jdbc.sql("UPDATE loads SET claimed_by = 'w2' WHERE id = :id")
                .param("id", two.second())
                .update());
        warehouseFailures.add(new BlobUnavailable("storage reset the connection", new IOException("reset")));

        worker.run(two.batch(), "w1");

        Load released = row(two.first());
        assertThat(released.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(released.attempts()).as("the one try made").isEqualTo(1);
        assertThat(row(two.second()).status()).isEqualTo(LoadStatus.LOADING);
    }

    @Test
    void aFileCommittedBeforeTheFenceRefusedTheNextOneStaysLoaded() {
        Two two = claimedTwo("fenced");
        // file by file: the first file commits; then the pool is stopped (from then on the fence asks the ledger) and
        // another worker takes the second load over
        onWarehouseCall.add(() -> {});
        onWarehouseCall.add(() -> {
            worker.stopRetrying();
            jdbc.sql("UPDATE loads SET claimed_by = 'w2' WHERE id = :id")
                    .param("id", two.second())
                    .update();
        });

        worker.run(two.batch(), "w1");

        assertThat(loaded).extracting(FileLoad::loadId).containsExactly(two.first());
        Load first = row(two.first());
        assertThat(first.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(first.rowsLoaded()).isEqualTo(1L);
        assertThat(row(two.second()).status()).isEqualTo(LoadStatus.LOADING);
    }

    @Test
    void aBatchWhoseClaimTheLedgerCouldNotConfirmGoesBackToTheQueueWithTheTryUncounted() {
        Two two = claimedTwo("unconfirmed");
        fenceOutages = 1;
        // a stop: from then on the fence asks the ledger
        onWarehouseCall.add(worker::stopRetrying);

        worker.run(two.batch(), "w1");

        assertThat(loaded).isEmpty();
        assertThat(List.of(row(two.first()), row(two.second()))).allSatisfy(l -> {
            assertThat(l.status()).isEqualTo(LoadStatus.QUEUED);
            assertThat(l.attempts()).isZero();
            assertThat(l.error()).isNull();
        });
    }

    /**
     * The warehouse's {@code n}th call after those already planned fails transiently (the calls before it pass): busy,
     * or — {@code connection} — without an answer, which counts towards the warehouse being known down.
     */
    void warehouseCallFails(int n, boolean connection) {
        for (int i = 1; i < n; i++) {
            onWarehouseCall.add(() -> {});
        }
        onWarehouseCall.add(() -> {
            throw connection
                    ? new WarehouseUnavailable("the warehouse dropped the connection", new IOException("reset"))
                    : new WarehouseUnavailable("the warehouse is busy");
        });
    }

    /** The second file of a batch meets a transient failure on each of its 3 tries (see {@link #warehouseCallFails}). */
    void secondFileFailsEveryTry(boolean connection) {
        warehouseCallFails(2, connection);
        warehouseCallFails(1, connection);
        warehouseCallFails(1, connection);
    }

    /** Two loads of one target, queued and claimed by {@code w1} as one batch. */
    record Two(UUID first, UUID second, LoadQueue.Claimed batch) {}

    /** Two loads queued, {@code orders/f1/<name>-1.csv} and {@code -2.csv} (a header and a row each), claimed. */
    Two claimedTwo(String name) {
        return claimedTwo(name, "header\na\n");
    }

    /** As {@link #claimedTwo(String)}, the second file with {@code second} as its content. */
    Two claimedTwo(String name, String second) {
        UUID a = queued("orders/f1/" + name + "-1.csv", "0x1", "header\na\n");
        UUID b = queued("orders/f1/" + name + "-2.csv", "0x1", second);
        LoadQueue.Claimed batch = queue.claim("w1", Duration.ofMinutes(5), Set.of(), FIFTY);
        assertThat(batch.loads()).hasSize(2);
        return new Two(a, b, batch);
    }

    @Test
    void aBatchRetriedAfterSomeFilesCommittedLoadsOnlyTheOthersAgain() {
        Two two = claimedTwo("settled", "header\na\nb\n");
        // file by file: the first file commits, the second finds the warehouse busy
        warehouseCallFails(2, false);

        worker.run(two.batch(), "w1");

        assertThat(loaded).extracting(FileLoad::loadId).containsExactly(two.first(), two.second());
        assertThat(row(two.first()).status()).isEqualTo(LoadStatus.LOADED);
        assertThat(row(two.first()).rowsLoaded()).isEqualTo(1L);
        assertThat(row(two.second()).status()).isEqualTo(LoadStatus.LOADED);
        assertThat(row(two.second()).attempts()).isEqualTo(2);
    }

    @Test
    void aFileCommittedBeforeTheRetriesRanOutStaysLoaded() {
        Two two = claimedTwo("kept");
        // the second file finds the warehouse busy on each of the 3 tries
        secondFileFailsEveryTry(false);

        worker.run(two.batch(), "w1");

        Load kept = row(two.first());
        assertThat(kept.status()).as("its rows committed on the first try").isEqualTo(LoadStatus.LOADED);
        assertThat(kept.rowsLoaded()).isEqualTo(1L);
        Load failed = row(two.second());
        assertThat(failed.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(failed.error()).startsWith("gave up after 3 attempts");
        assertThat(loaded).extracting(FileLoad::loadId).containsExactly(two.first());
    }

    @Test
    void aFileCommittedBeforeTheWarehouseWentDownStaysLoadedTheRestWaits() {
        Two two = claimedTwo("outage");
        // no answer from the warehouse for the second file, 3 times: the warehouse is known down
        secondFileFailsEveryTry(true);

        worker.run(two.batch(), "w1");

        assertThat(row(two.first()).status()).isEqualTo(LoadStatus.LOADED);
        Load waiting = row(two.second());
        assertThat(waiting.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(waiting.attempts())
                .as("tries that met the outage do not count")
                .isZero();
    }

    @Test
    void shutdownDuringABackOffReleasesTheLoadOnAnUninterruptedThread() {
        UUID id = queued("orders/f1/shutdown.csv", "0x1", "header\na\n");
        warehouseFailures.add(new BlobUnavailable("storage reset the connection", new IOException("reset")));
        worker.stopRetrying();
        try {
            Load load = attempt();

            assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
            assertThat(releasedInterrupted).containsExactly(false);
            assertThat(Thread.currentThread().isInterrupted())
                    .as("the interrupt stands after the release")
                    .isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(jdbc.sql("SELECT claimed_by FROM loads WHERE id = :id")
                        .param("id", id)
                        .query(String.class)
                        .optional())
                .isEmpty();
    }

    @Test
    void shutdownDuringABatchBackOffReleasesTheBatchOnAnUninterruptedThread() {
        Two two = claimedTwo("shutdown");
        warehouseFailures.add(new BlobUnavailable("storage reset the connection", new IOException("reset")));
        worker.stopRetrying();
        try {
            worker.run(two.batch(), "w1");
        } finally {
            Thread.interrupted();
        }

        assertThat(releasedInterrupted).containsExactly(false);
        assertThat(List.of(row(two.first()), row(two.second())))
                .allSatisfy(l -> assertThat(l.status()).isEqualTo(LoadStatus.QUEUED));
    }

    /** The {@code snowhook.load.phase} timers recorded, by phase. */
    Map<String, Timer> phases() {
        Map<String, Timer> timers = new HashMap<>();
        meters.find("snowhook.load.phase")
                .timers()
                .forEach(t -> timers.put(t.getId().getTag("phase"), t));
        return timers;
    }
}
