package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snowhook.blob.BlobContent;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobSource;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadRows;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.system.Outages;
import io.snowhook.warehouse.duckdb.JavaSipsDuckDb;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * A worker whose lease ran out while its load ran (a long pause, a ledger it could not reach to renew) must not commit
 * once another worker took the load over: both would put the file's rows in the table. The worker runs against the
 * real DuckDB warehouse; the takeover happens while the warehouse reads the blob, as another replica's claim would.
 */
class CommitFenceTest {

    static final String ORDERS = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n"
            + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"
            + "o-2,f01,JS-200,1,39.50,EUR,2026-11-23T09:30:00Z,retail\n";

    /**
     * The workers' lease: short, so that a test can let half of it pass — a takeover needs the lease to have run out,
     * and within half a lease of its claim the fence asks nothing.
     */
    static final Duration LEASE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    final Map<BlobId, String> blobs = new HashMap<>();
    /** Run as a blob is first read: another worker's step at that moment. */
    final List<Runnable> onRead = new ArrayList<>();
    /** How many of the next commit fences find the ledger unreachable. */
    int ledgerOutages;
    /** How often the commit fence asked the ledger. */
    int asked;

    JdbcClient jdbc;
    LoadQueue queue;
    LoadWorker worker;
    JavaSipsDuckDb duckdb;

    final BlobSource storage = new WorkerFixtures.ReadOnlyStorage() {
        @Override
        public BlobContent open(BlobId id, @Nullable String expectedEtag) {
            byte[] bytes = blobs.get(id).getBytes(StandardCharsets.UTF_8);
            InputStream content = new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    synchronized (onRead) {
                        onRead.forEach(Runnable::run);
                        onRead.clear();
                    }
                    return super.read(b, off, len);
                }
            };
            return new BlobContent(content, bytes.length, expectedEtag);
        }
    };

    @BeforeEach
    void ports() {
        JdbcDataSource dataSource = WorkerFixtures.ledger("commit-fence");
        jdbc = JdbcClient.create(dataSource);
        queue = new LoadQueue(jdbc, dataSource, new DataSourceTransactionManager(dataSource)) {
            @Override
            boolean hold(java.util.Collection<UUID> ids, String worker, Duration lease) {
                asked++;
                if (ledgerOutages > 0) {
                    ledgerOutages--;
                    throw new DataAccessResourceFailureException("the ledger's connection was reset");
                }
                return super.hold(ids, worker, lease);
            }
        };
        duckdb = JavaSipsDuckDb.in(dir);
        LoadsProperties properties = WorkerFixtures.properties(LEASE);
        LoadMetrics metrics = WorkerFixtures.metrics(new SimpleMeterRegistry());
        Outages outages = WorkerFixtures.outages();
        worker = new LoadWorker(queue, storage, duckdb.warehouse(), properties, metrics, outages);
    }

    @AfterEach
    void stop() {
        duckdb.close();
    }

    UUID queued(String blob) {
        BlobId id = new BlobId("devstoreaccount1", "factory-uploads", blob);
        blobs.put(id, ORDERS);
        UUID load = UUID.randomUUID();
        jdbc.sql("INSERT INTO loads (id, status, account, container, blob_name, etag, size_bytes, table_name,"
                        + " file_format, load_mode, staging, received_at) VALUES (:id, 'QUEUED', :account,"
                        + " :container, :blob, '0x1', :size, 'ORDERS', 'CSV', 'APPEND', 'INTERNAL', :now)")
                .param("id", load)
                .param("account", id.account())
                .param("container", id.container())
                .param("blob", id.name())
                .param("size", (long) ORDERS.length())
                .param("now", Instant.now().atOffset(ZoneOffset.UTC))
                .update();
        return load;
    }

    /** Half the lease passes, as in a long pause of the worker. */
    static void paused() {
        try {
            Thread.sleep(LEASE.toMillis() / 2 + 100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What another worker does once this one's lease ran out: it claims the loads for itself. */
    Runnable takenOver(UUID... ids) {
        return () -> {
            paused();
            for (UUID id : ids) {
                jdbc.sql("UPDATE loads SET claimed_by = 'w2', lease_until = :lease WHERE id = :id")
                        .param("lease", Instant.now().plusSeconds(300).atOffset(ZoneOffset.UTC))
                        .param("id", id)
                        .update();
            }
        };
    }

    Load row(UUID id) {
        return jdbc.sql("SELECT " + LoadRows.COLUMNS + " FROM loads WHERE id = :id")
                .param("id", id)
                .query(LoadRows.MAPPER)
                .single();
    }

    @Nullable
    String claimedBy(UUID id) {
        return jdbc.sql("SELECT claimed_by FROM loads WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .single();
    }

    long rows() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb.file());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM ORDERS")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aLoadTakenOverWhileItRanIsNotCommitted() throws SQLException {
        UUID id = queued("orders/f01/taken-over.csv");
        onRead.add(takenOver(id));

        worker.run(queue.claim("w1", Duration.ofMinutes(5)).orElseThrow(), "w1");

        assertThat(rows()).as("rows of the run that lost its claim").isZero();
        Load load = row(id);
        assertThat(load.status()).isEqualTo(LoadStatus.LOADING);
        assertThat(claimedBy(id)).isEqualTo("w2");
        assertThat(load.error()).isNull();
    }

    @Test
    void aBatchTakenOverWhileItRanIsNotCommitted() throws SQLException {
        UUID a = queued("orders/f01/batch-1.csv");
        UUID b = queued("orders/f01/batch-2.csv");
        UUID c = queued("orders/f01/batch-3.csv");
        LoadQueue.Claimed batch = queue.claim(
                "w1", Duration.ofMinutes(5), Set.of(), new LoadQueue.Batching(50, Long.MAX_VALUE, Duration.ZERO));
        assertThat(batch.loads()).hasSize(3);
        onRead.add(takenOver(a, b, c));

        worker.run(batch, "w1");

        assertThat(rows()).as("rows of the run that lost its claim").isZero();
        assertThat(List.of(a, b, c)).allSatisfy(id -> {
            assertThat(row(id).status()).isEqualTo(LoadStatus.LOADING);
            assertThat(claimedBy(id)).isEqualTo("w2");
        });
    }

    @Test
    void aLoadWhoseLeaseRanOutButThatNobodyTookOverCommitsAndRenewsItsLease() throws SQLException {
        UUID id = queued("orders/f01/late.csv");
        onRead.add(() -> {
            paused();
            jdbc.sql("UPDATE loads SET lease_until = :past WHERE id = :id")
                    .param("past", Instant.now().minusSeconds(60).atOffset(ZoneOffset.UTC))
                    .param("id", id)
                    .update();
        });

        worker.run(queue.claim("w1", Duration.ofMinutes(5)).orElseThrow(), "w1");

        assertThat(rows()).isEqualTo(2);
        assertThat(row(id).status()).isEqualTo(LoadStatus.LOADED);
        assertThat(asked).as("the ledger renewed the lease").isEqualTo(1);
    }

    @Test
    void withinHalfALeaseOfTheClaimTheFenceAsksNothingUnlessThePoolWasStopped() throws SQLException {
        queued("orders/f01/fresh.csv");

        worker.run(queue.claim("w1", Duration.ofMinutes(5)).orElseThrow(), "w1");

        assertThat(rows()).isEqualTo(2);
        assertThat(asked).isZero();

        // a stop may put a running load back in the queue: after one, the ledger decides
        queued("orders/f01/stopped.csv");
        onRead.add(worker::stopRetrying);
        worker.run(queue.claim("w1", Duration.ofMinutes(5)).orElseThrow(), "w1");

        assertThat(asked).isEqualTo(1);
        assertThat(rows()).isEqualTo(4);
    }

    @Test
    void aClaimMadeWhileThePoolStopsOrBeforeItStartsAgainIsDecidedByTheLedger() throws SQLException {
        // claimed after the stop began (the worker was inside its claim): the stop may still release it
        queued("orders/f01/claimed-while-stopping.csv");
        worker.stopRetrying();
        Load whileStopping = queue.claim("w1", Duration.ofMinutes(5)).orElseThrow();
        worker.run(whileStopping, "w1");

        assertThat(asked).isEqualTo(1);

        // claimed before a start: the start requeues loads left LOADING (H2), so another worker may hold it now
        queued("orders/f01/claimed-before-start.csv");
        Load beforeStart = queue.claim("w1", Duration.ofMinutes(5)).orElseThrow();
        worker.resumeRetrying();
        worker.run(beforeStart, "w1");

        assertThat(asked).isEqualTo(2);
        assertThat(rows()).isEqualTo(4);
    }

    @Test
    void aCommitTheLedgerCannotVouchForIsRolledBackAndTheLoadQueuedAgain() throws SQLException {
        UUID id = queued("orders/f01/unconfirmed.csv");
        ledgerOutages = 1;
        onRead.add(CommitFenceTest::paused);

        worker.run(queue.claim("w1", Duration.ofMinutes(5)).orElseThrow(), "w1");

        assertThat(rows()).isZero();
        Load load = row(id);
        assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(load.error()).isNull();
        assertThat(load.attempts()).as("the refused try is no file's fault").isZero();

        worker.run(queue.claim("w1", Duration.ofMinutes(5)).orElseThrow(), "w1");

        assertThat(rows()).isEqualTo(2);
        assertThat(row(id).status()).isEqualTo(LoadStatus.LOADED);
        assertThat(row(id).attempts()).isEqualTo(1);
    }
}
