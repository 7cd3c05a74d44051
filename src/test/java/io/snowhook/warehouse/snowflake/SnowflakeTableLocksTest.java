package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.warehouse.snowflake.fake.FakeClosedAfterContext;
import io.snowhook.warehouse.snowflake.fake.SnowflakeFake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many loads into one table at once, through the whole service: 40 blobs, 24 workers, the fake's table locks
 * (the DELETE holds the lock until COMMIT, at most 20 statements wait, the 21st fails with 000625) and a COPY that
 * takes a while. With the per-table bound every load is LOADED and Snowflake never sees a queue; without it the
 * queue overflows. Batching is off here ({@code max-files=1}), so each file is a transaction of its own.
 */
// the fake outlives the context, closed after the class (see FakeClosedAfterContext)
@ExtendWith(FakeClosedAfterContext.class)
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "snowhook.warehouse.type=snowflake",
            "snowhook.loads.workers=24",
            // one file per transaction, as without batches: the bound is what keeps 24 of them from Snowflake's
            // lock queue (batches put the 40 files in a few transactions, which never come near it)
            "snowhook.loads.batch.max-files=1",
            "snowhook.loads.poll-interval=100ms",
            "snowhook.loads.retry.max-attempts=3",
            "snowhook.loads.retry.initial-delay=10ms",
            "snowhook.loads.retry.max-delay=50ms",
            "snowhook.routes[0].prefix=orders/",
            "snowhook.routes[0].table=ORDERS",
            "snowhook.routes[0].mode=append",
            "snowhook.warehouse.snowflake.account=fake",
            "snowhook.warehouse.snowflake.user=SNOWHOOK",
            "snowhook.warehouse.snowflake.password=not-a-secret",
            "snowhook.warehouse.snowflake.warehouse=WH",
            "snowhook.warehouse.snowflake.database=DB",
            "snowhook.warehouse.snowflake.connection-timeout=30s",
            "snowhook.warehouse.snowflake.jdbc-properties.disablePlatformDetection=true"
        })
class SnowflakeTableLocksTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final int LOADS = 40;
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final SnowflakeFake fake = startFake();

    static SnowflakeFake startFake() {
        try {
            SnowflakeFake fake = new SnowflakeFake(Files.createTempDirectory("snowflake-locks"), "DB");
            fake.execute("CREATE SCHEMA PUBLIC");
            fake.execute("CREATE TABLE PUBLIC.ORDERS (ORDER_ID VARCHAR, FACTORY_ID VARCHAR, SKU VARCHAR,"
                    + " QUANTITY INTEGER, UNIT_PRICE DECIMAL(12,2), CURRENCY VARCHAR, ORDERED_AT TIMESTAMPTZ,"
                    + " CHANNEL VARCHAR, _SOURCE_BLOB VARCHAR, _ETAG VARCHAR, _LOAD_ID VARCHAR,"
                    + " _LOADED_AT TIMESTAMPTZ)");
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void azuriteAndFake(DynamicPropertyRegistry registry) {
        AzuriteServer.register(registry, CONTAINER);
        registry.add("snowhook.warehouse.snowflake.url", fake::jdbcUrl);
        // each context its own ledger: the other context's workers never see these loads
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:locks-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    @LocalServerPort
    int port;

    @Autowired
    LoadService loads;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void slowCopies() {
        fake.clearFaults();
        fake.execute("DELETE FROM PUBLIC.ORDERS");
        // a COPY takes a while, so the other transactions are all waiting on the table's lock meanwhile
        fake.copyTakes(Duration.ofMillis(300));
    }

    /** Uploads {@value #LOADS} blobs of two rows each and posts all their events in one request. */
    List<Load> loadFortyFilesIntoOneTable() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<ArgoEvents.StorageEvent> events = new ArrayList<>();
        for (int i = 0; i < LOADS; i++) {
            String blob = "orders/" + run + "/" + i + ".csv";
            String csv = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n"
                    + "o" + i + "a,f1,JS-100,1,4.50,EUR,2026-11-23T08:00:00Z,web\n"
                    + "o" + i + "b,f1,JS-200,2,9.00,EUR,2026-11-23T09:00:00Z,shop\n";
            String etag = azurite.upload(CONTAINER, blob, csv.getBytes(StandardCharsets.UTF_8));
            events.add(ArgoEvents.blobCreated(AzuriteServer.ACCOUNT, CONTAINER, blob)
                    .withETag(etag)
                    .withContentLength(csv.length())
                    .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT)));
        }
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                ArgoEvents.argoWholeEvent(events.toArray(ArgoEvents.StorageEvent[]::new))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        List<UUID> ids = new ArrayList<>();
        JSON.readTree(response.body())
                .path("loads")
                .forEach(l -> ids.add(UUID.fromString(l.path("id").asString())));
        assertThat(ids).hasSize(LOADS);
        List<Load> finished = new ArrayList<>();
        for (UUID id : ids) {
            finished.add(await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> loads.get(id),
                            load -> EnumSet.of(LoadStatus.LOADED, LoadStatus.FAILED, LoadStatus.SUPERSEDED)
                                    .contains(load.status())));
        }
        return finished;
    }

    @Nested
    class WithOneTransactionPerTable {

        @Test
        void fortyConcurrentLoadsIntoOneTableAllLoadOnceAndSnowflakeQueuesNone() throws Exception {
            int rejectedBefore = fake.lockQueueRejections();

            List<Load> finished = loadFortyFilesIntoOneTable();

            assertThat(finished)
                    .allSatisfy(load -> assertThat(load.status())
                            .as(load.id() + ": " + load.error())
                            .isEqualTo(LoadStatus.LOADED));
            assertThat(fake.lockQueueRejections() - rejectedBefore).isZero();
            assertThat(fake.count("SELECT count(*) FROM PUBLIC.ORDERS")).isEqualTo(2L * LOADS);
            assertThat(fake.count("SELECT count(DISTINCT _LOAD_ID) FROM PUBLIC.ORDERS"))
                    .isEqualTo(LOADS);
            assertThat(fake.count("SELECT count(*) FROM (SELECT ORDER_ID FROM PUBLIC.ORDERS GROUP BY ORDER_ID"
                            + " HAVING count(*) > 1)"))
                    .isZero();
        }
    }

    @Nested
    @TestPropertySource(properties = "snowhook.warehouse.snowflake.transactions.max-per-table=64")
    class WithoutTheBound {

        @Test
        void fortyConcurrentLoadsIntoOneTableOverflowSnowflakesLockQueue() throws Exception {
            int rejectedBefore = fake.lockQueueRejections();

            List<Load> finished = loadFortyFilesIntoOneTable();

            assertThat(fake.lockQueueRejections() - rejectedBefore).isPositive();
            assertThat(fake.mostLockWaiters()).isEqualTo(20);
            System.out.printf(
                    "without the bound: %d statements failed with 000625, %d of %d loads FAILED%n",
                    fake.lockQueueRejections() - rejectedBefore,
                    finished.stream()
                            .filter(l -> l.status() == LoadStatus.FAILED)
                            .count(),
                    LOADS);
        }
    }
}
