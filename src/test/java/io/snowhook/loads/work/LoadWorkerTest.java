package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.SnowhookApplication;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.FaultProxy;
import io.snowhook.support.TestFiles;
import io.snowhook.system.Outages;
import io.snowhook.warehouse.Warehouse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One load at a time, end to end: a real Azurite (behind a fault-injecting proxy), the real Azure SDK
 * blob source, the real DuckDB warehouse (behind a switch for warehouse faults) and the H2 ledger. The
 * pool is off ({@code workers=0}): each test claims and runs its load itself.
 */
@SpringBootTest(
        classes = {SnowhookApplication.class, LoadWorkerTest.Faults.class},
        properties = {
            "spring.datasource.url=jdbc:h2:mem:worker-test;DB_CLOSE_DELAY=-1",
            "snowhook.loads.workers=0",
            "snowhook.loads.retry.max-attempts=5",
            "snowhook.loads.retry.initial-delay=10ms",
            "snowhook.loads.retry.max-delay=50ms"
        })
class LoadWorkerTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final String HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final Path DIR = TestFiles.tempDir("snowhook-worker-test");
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final FaultProxy proxy = FaultProxy.inFrontOfAzurite();

    @DynamicPropertySource
    static void storageAndWarehouse(DynamicPropertyRegistry registry) {
        azurite.createContainer(CONTAINER);
        Map<String, Object> storage = azurite.properties(List.of(CONTAINER));
        storage.put("snowhook.storage.accounts[0].endpoint", proxy.azuriteEndpoint());
        storage.forEach((key, value) -> registry.add(key, () -> value));
        registry.add("snowhook.warehouse.duckdb.path", () -> DIR.resolve("warehouse.duckdb"));
        registry.add("snowhook.warehouse.duckdb.stage", () -> DIR.resolve("stage"));
    }

    @TestConfiguration
    static class Faults {
        @Bean
        @Primary
        FlakyWarehouse flakyWarehouse(@Qualifier("duckDbWarehouse") Warehouse real) {
            return new FlakyWarehouse(real);
        }
    }

    @Autowired
    LoadService loads;

    @Autowired
    LoadQueue queue;

    @Autowired
    LoadWorker worker;

    @Autowired
    FlakyWarehouse warehouse;

    @Autowired
    JdbcClient jdbc;

    final String factory = "f" + UUID.randomUUID().toString().substring(0, 8);
    final String blob = "orders/" + factory + "/2026-11-23.csv";

    @BeforeEach
    void emptyQueue() {
        jdbc.sql("DELETE FROM loads WHERE status IN ('QUEUED', 'LOADING')").update();
    }

    @Autowired
    Outages outages;

    @AfterEach
    void heal() {
        proxy.heal();
        warehouse.heal();
        outages.succeeded(Outages.WAREHOUSE);
        outages.succeeded(Outages.storage(AzuriteServer.ACCOUNT));
    }

    @AfterAll
    static void closeProxy() {
        proxy.close();
    }

    @Test
    void loadsTheBlobOfAnEventIntoItsTable() {
        byte[] csv = orders(3);
        String etag = azurite.upload(CONTAINER, blob, csv);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.rowsParsed()).isEqualTo(3L);
        assertThat(load.rowsLoaded()).isEqualTo(3L);
        assertThat(load.bytes()).isEqualTo((long) csv.length);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).isNull();
        assertThat(load.startedAt()).isNotNull();
        assertThat(load.finishedAt()).isNotNull();
        assertThat(rowsOf(load)).isEqualTo(3);
    }

    @Test
    void loadsAGzippedBlob() {
        String gz = blob + ".gz";
        String etag = azurite.upload(CONTAINER, gz, TestFiles.gzip(orders(4)));

        Load load = run(event(gz, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(rowsOf(load)).isEqualTo(4);
    }

    @Test
    void failsATruncatedGzipBlobAtOnceWithNoRows() {
        String gz = blob + ".gz";
        byte[] whole = TestFiles.gzip(orders(500));
        // the upload of a .gz stopped early: the blob holds most of the rows but no gzip trailer
        String etag = azurite.upload(CONTAINER, gz, java.util.Arrays.copyOf(whole, whole.length - 8));

        Load load = run(event(gz, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).contains("gzip file is corrupt or truncated");
        assertThat(rowsOf(load)).isZero();
    }

    @Test
    void recordsTheEtagItReadForAnOperatorIngestion() {
        String etag = azurite.upload(CONTAINER, blob, orders(2));
        Load ingestion = loads.ingest(URI.create(azurite.endpoint() + "/" + CONTAINER + "/" + blob));
        assertThat(ingestion.etag()).isNull();

        Load load = runClaimed(ingestion);

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.etag()).isEqualTo(etag);
        assertThat(rowsOf(load)).isEqualTo(2);
    }

    @Test
    void failsADeletedBlobAsNotFound() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        azurite.delete(CONTAINER, blob);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.error()).isEqualTo("blob not found");
        assertThat(load.attempts()).isEqualTo(1);
    }

    @Test
    void supersedesALoadWhoseBlobChangedSinceTheEvent() {
        String old = azurite.upload(CONTAINER, blob, orders(1));
        azurite.upload(CONTAINER, blob, orders(2));

        Load load = run(event(blob, old));

        assertThat(load.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(load.reason()).contains("changed").contains(old);
        assertThat(rowsOf(load)).isZero();
    }

    @Test
    void failsBadDataAtOnceWithItsFirstErrorAndNoRows() {
        String csv = HEADER + row(1) + "o-2," + factory + ",JS-100,not-a-number,1.00,EUR,2026-11-23T08:00:00Z,web\n";
        String etag = azurite.upload(CONTAINER, blob, csv.getBytes(StandardCharsets.UTF_8));

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).isNotBlank();
        assertThat(load.errorLine()).isNotNull();
        assertThat(rowsOf(load)).isZero();
    }

    @Test
    void retriesAStorageFaultUntilItHeals() {
        String etag = azurite.upload(CONTAINER, blob, orders(3));
        proxy.failReads(2, 503);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).isEqualTo(3);
        assertThat(proxy.injected()).isGreaterThanOrEqualTo(2);
        assertThat(rowsOf(load)).isEqualTo(3);
    }

    @Test
    void retriesThrottlingAndDroppedConnections() {
        String etag = azurite.upload(CONTAINER, blob, orders(3));
        proxy.failReads(1, 429);
        // a connection closed unanswered is sent again once by the HTTP client: two drops fail one attempt
        proxy.dropReads(2);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).isEqualTo(3);
    }

    @Test
    void retriesAWarehouseFaultUntilItHealsWithoutDuplicatingRows() {
        String etag = azurite.upload(CONTAINER, blob, orders(3));
        warehouse.failTransiently(2);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).isEqualTo(3);
        assertThat(rowsOf(load)).isEqualTo(3);
    }

    @Test
    void givesUpOnATransientFaultAfterTheLastAttempt() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        proxy.failReads(100, 503);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(5);
        assertThat(load.error()).startsWith("gave up after 5 attempts").contains("503");
    }

    @Test
    void failsAPermanentStorageFaultAfterOneAttempt() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        proxy.failReads(1, 403);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).contains("403");
    }

    @Test
    void failsAPermanentWarehouseFaultAfterOneAttempt() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        warehouse.failPermanently(1);

        Load load = run(event(blob, etag));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).isEqualTo("table missing (injected)");
    }

    @Test
    void stopsTryingALoadThatWasTriedTooOftenAcrossRestarts() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        Load queued = submit(event(blob, etag));
        jdbc.sql("UPDATE loads SET attempts = 5 WHERE id = :id")
                .param("id", queued.id())
                .update();

        Load load = runClaimed(queued);

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.error()).isEqualTo("gave up after 5 attempts");
        assertThat(rowsOf(load)).isZero();
    }

    @Test
    void countsTriesMadeBeforeACrashAgainstTheLimit() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        Load queued = submit(event(blob, etag));
        jdbc.sql("UPDATE loads SET attempts = 3 WHERE id = :id")
                .param("id", queued.id())
                .update();
        proxy.failReads(100, 503);

        Load load = runClaimed(queued);

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(5);
        assertThat(load.error()).startsWith("gave up after 5 attempts");
    }

    @Test
    void leavesALoadQueuedWithoutCountingItsTriesWhenStorageIsKnownDown() {
        String etag = azurite.upload(CONTAINER, blob, orders(2));
        proxy.dropReads(1000);

        Load load = run(event(blob, etag));

        // three dropped connections in a row: the account is known down before the fifth and last try
        assertThat(outages.isDown(Outages.storage(AzuriteServer.ACCOUNT))).isTrue();
        assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(load.attempts()).isZero();
        assertThat(queue.claim("test-worker", LoadQueueContract.LEASE, outages.accountsDown()))
                .isEmpty();

        proxy.heal();
        outages.check(Outages.storage(AzuriteServer.ACCOUNT), () -> {});
        Load loaded = runClaimed(load);

        assertThat(loaded.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(loaded.attempts()).isEqualTo(1);
        assertThat(rowsOf(loaded)).isEqualTo(2);
    }

    @Test
    void leavesALoadQueuedWithoutCountingItsTriesWhenTheWarehouseIsKnownDown() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        Load queued = submit(event(blob, etag));
        jdbc.sql("UPDATE loads SET attempts = 2 WHERE id = :id")
                .param("id", queued.id())
                .update();
        warehouse.failTransiently(1000);

        Load load = runClaimed(queued);

        assertThat(outages.isDown(Outages.WAREHOUSE)).isTrue();
        assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
        // the tries before the claim (a crash, say) still count: the crash-loop guard keeps its count
        assertThat(load.attempts()).isEqualTo(2);
    }

    @Test
    void stillGivesUpOnAFaultTheDependencyAnswersWith() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        proxy.failReads(100, 500);

        Load load = run(event(blob, etag));

        // storage answered every time (500): not an outage, so the retry budget decides
        assertThat(outages.isDown(Outages.storage(AzuriteServer.ACCOUNT))).isFalse();
        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(5);
    }

    @Test
    void putsALoadWaitingToRetryBackInTheQueueOnShutdown() {
        String etag = azurite.upload(CONTAINER, blob, orders(1));
        proxy.failReads(100, 503);
        worker.stopRetrying();
        try {
            Load load = run(event(blob, etag));

            assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
            assertThat(load.attempts()).isEqualTo(1);
        } finally {
            worker.resumeRetrying();
        }
    }

    Load run(IncomingBlob event) {
        return runClaimed(submit(event));
    }

    Load submit(IncomingBlob event) {
        Load queued = loads.submit(List.of(event)).get(0);
        assertThat(queued.status()).isEqualTo(LoadStatus.QUEUED);
        return queued;
    }

    Load runClaimed(Load queued) {
        Load claimed = queue.claim("test-worker", LoadQueueContract.LEASE).orElseThrow();
        assertThat(claimed.id()).isEqualTo(queued.id());
        worker.run(claimed, "test-worker");
        return loads.get(queued.id());
    }

    IncomingBlob event(String name, String etag) {
        return new IncomingBlob(
                UUID.randomUUID().toString(),
                "Microsoft.Storage.BlobCreated",
                "PutBlockList",
                AzuriteServer.ACCOUNT,
                CONTAINER,
                name,
                etag,
                null,
                null,
                "text/csv",
                null,
                Instant.now(),
                null);
    }

    byte[] orders(int rows) {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append(row(i));
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    String row(int i) {
        return "o-" + i + "," + factory + ",JS-100," + i + ",149.90,EUR,2026-11-23T08:15:00Z,web\n";
    }

    static int rowsOf(Load load) {
        return rowsOf(DIR, load);
    }

    /** The rows of the load's blob in the DuckDB warehouse under {@code dir}. */
    static int rowsOf(Path dir, Load load) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM ORDERS WHERE _source_blob = '" + CONTAINER + "/"
                        + load.blob().replace("'", "''") + "'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
