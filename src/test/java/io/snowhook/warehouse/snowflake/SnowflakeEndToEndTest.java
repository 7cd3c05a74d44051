package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.models.BlobStorageException;
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
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole service on Snowflake: events posted over HTTP exactly as Argo sends them, blobs read from a real
 * Azurite by the workers, and the real {@code snowflake-jdbc} driver talking to the wire fake, whose DuckDB
 * holds the rows. Internal and external staging, per-file COPY outcomes and injected faults, each checked in
 * the load's final status.
 */
// the fake outlives the context, closed after the class (see FakeClosedAfterContext)
@ExtendWith(FakeClosedAfterContext.class)
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "spring.datasource.url=jdbc:h2:mem:snowflake-e2e;DB_CLOSE_DELAY=-1",
            "snowhook.warehouse.type=snowflake",
            "snowhook.loads.workers=2",
            "snowhook.loads.poll-interval=100ms",
            "snowhook.loads.retry.max-attempts=4",
            "snowhook.loads.retry.initial-delay=10ms",
            "snowhook.loads.retry.max-delay=50ms",
            "snowhook.routes[0].prefix=orders/",
            "snowhook.routes[0].table=ORDERS",
            "snowhook.routes[0].mode=append",
            "snowhook.routes[1].prefix=inventory/",
            "snowhook.routes[1].table=INVENTORY",
            "snowhook.routes[1].mode=replace",
            "snowhook.routes[2].prefix=direct/",
            "snowhook.routes[2].table=ORDERS",
            "snowhook.routes[2].staging=external",
            "snowhook.routes[3].prefix=direct-inventory/",
            "snowhook.routes[3].table=INVENTORY",
            "snowhook.routes[3].mode=replace",
            "snowhook.routes[3].staging=external",
            "snowhook.warehouse.snowflake.account=fake",
            "snowhook.warehouse.snowflake.user=SNOWHOOK",
            "snowhook.warehouse.snowflake.password=not-a-secret",
            "snowhook.warehouse.snowflake.warehouse=WH",
            "snowhook.warehouse.snowflake.database=DB",
            "snowhook.warehouse.snowflake.role=SNOWHOOK_LOADER",
            "snowhook.warehouse.snowflake.external-stages.factory-uploads=FACTORY_UPLOADS",
            "snowhook.warehouse.snowflake.connection-timeout=3s",
            "snowhook.warehouse.snowflake.jdbc-properties.disablePlatformDetection=true",
            "snowhook.warehouse.snowflake.jdbc-properties.maxHttpRetries=1"
        })
class SnowflakeEndToEndTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final String HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final String STAGE = "@\"DB\".\"PUBLIC\".\"SNOWHOOK_STAGE\"";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final SnowflakeFake fake = startFake();

    static SnowflakeFake startFake() {
        try {
            SnowflakeFake fake = new SnowflakeFake(Files.createTempDirectory("snowflake-e2e"), "DB");
            fake.execute("CREATE SCHEMA PUBLIC");
            fake.execute("CREATE TABLE PUBLIC.ORDERS (ORDER_ID VARCHAR NOT NULL, FACTORY_ID VARCHAR NOT NULL,"
                    + " SKU VARCHAR NOT NULL, QUANTITY INTEGER NOT NULL, UNIT_PRICE DECIMAL(12,2) NOT NULL,"
                    + " CURRENCY VARCHAR NOT NULL, ORDERED_AT TIMESTAMPTZ NOT NULL, CHANNEL VARCHAR NOT NULL,"
                    + " _SOURCE_BLOB VARCHAR NOT NULL, _ETAG VARCHAR NOT NULL, _LOAD_ID VARCHAR NOT NULL,"
                    + " _LOADED_AT TIMESTAMPTZ NOT NULL, _ROW_NUMBER BIGINT)");
            fake.execute("CREATE TABLE PUBLIC.INVENTORY (FACTORY_ID VARCHAR NOT NULL, SKU VARCHAR NOT NULL,"
                    + " PRODUCT_NAME VARCHAR NOT NULL, QUANTITY_ON_HAND INTEGER NOT NULL, UNIT VARCHAR NOT NULL,"
                    + " COUNTED_AT TIMESTAMPTZ NOT NULL, _SOURCE_BLOB VARCHAR NOT NULL, _ETAG VARCHAR NOT NULL,"
                    + " _LOAD_ID VARCHAR NOT NULL, _LOADED_AT TIMESTAMPTZ NOT NULL)");
            // Snowflake reads an external stage straight from the container: so does the fake, from Azurite.
            fake.externalStage("FACTORY_UPLOADS", SnowflakeEndToEndTest::download);
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] download(String blob) {
        try {
            return azurite.blobServiceClient()
                    .getBlobContainerClient(CONTAINER)
                    .getBlobClient(blob)
                    .downloadContent()
                    .toBytes();
        } catch (BlobStorageException e) {
            return null;
        }
    }

    @DynamicPropertySource
    static void azuriteAndFake(DynamicPropertyRegistry registry) {
        AzuriteServer.register(registry, CONTAINER);
        registry.add("snowhook.warehouse.snowflake.url", fake::jdbcUrl);
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    LoadService loads;

    @Autowired
    SnowflakeWarehouse warehouse;

    @Autowired
    ApplicationContext context;

    final HttpClient http = HttpClient.newHttpClient();
    final String factory = "f" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void heal() {
        fake.clearFaults();
    }

    @Test
    void readinessStaysUpWhileTheWarehouseHealthGoesDownAndUp() {
        assertThat(probe("readiness")).isEqualTo(200);

        fake.failWithHttpStatus(503, Integer.MAX_VALUE, "SELECT 1");

        // the whole health (warehouse in it) goes down; readiness is the ledger's and stays up
        await().atMost(Duration.ofSeconds(60)).until(() -> probe("") == 503);
        assertThat(probe("readiness")).isEqualTo(200);
        assertThat(probe("liveness")).isEqualTo(200);

        fake.clearFaults();

        await().atMost(Duration.ofSeconds(60)).until(() -> probe("") == 200);
        assertThat(probe("readiness")).isEqualTo(200);
    }

    int probe(String group) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health"
                                            + (group.isEmpty() ? "" : "/" + group)))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String orders(int rows) {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("o-").append(i).append(",f1,JS-100,").append(i).append(",4.50,EUR,2026-11-23T08:00:00Z,web\n");
        }
        return csv.toString();
    }

    /** Uploads a blob to Azurite and posts its BlobCreated event as Argo's whole event, without Content-Type. */
    UUID upload(String blob, String content) throws Exception {
        String etag = azurite.upload(CONTAINER, blob, content.getBytes(StandardCharsets.UTF_8));
        return post(blob, etag, content.length());
    }

    UUID post(String blob, String etag, long length) throws Exception {
        var event = ArgoEvents.blobCreated(AzuriteServer.ACCOUNT, CONTAINER, blob)
                .withETag(etag)
                .withContentLength(length)
                .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                        .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return UUID.fromString(JSON.readTree(response.body()).at("/loads/0/id").asString());
    }

    Load finished(UUID id) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> loads.get(id),
                        load -> EnumSet.of(LoadStatus.LOADED, LoadStatus.FAILED, LoadStatus.SUPERSEDED)
                                .contains(load.status()));
    }

    long rows(UUID id) {
        return fake.count("SELECT count(*) FROM PUBLIC.ORDERS WHERE _LOAD_ID = '" + id + "'");
    }

    @Test
    void anInternalStageLoadReachesLoadedWithItsRowsAndExactlyThisSql() throws Exception {
        String blob = "orders/" + factory + "/2026-11-23.csv";

        Load load = finished(upload(blob, orders(3)));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.rowsLoaded()).isEqualTo(3L);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(rows(load.id())).isEqualTo(3);
        String prefix = STAGE + "/loads/" + load.id() + "/1";
        assertThat(fake.statements()).contains("put file:///tmp/placeholder " + prefix + " overwrite=true");
        assertThat(fake.statements("COPY").stream()
                        .filter(sql -> sql.contains(load.id().toString())))
                .singleElement()
                .satisfies(copy -> assertThat(copy)
                        .contains("'" + CONTAINER + "/" + blob + "', '" + load.etag() + "', '" + load.id() + "'")
                        .contains(" FROM " + prefix + "/) FILES = ('data.csv.gz') FILE_FORMAT = (FORMAT_NAME ="
                                + " \"DB\".\"PUBLIC\".\"SNOWHOOK_CSV\") ON_ERROR = SKIP_FILE FORCE = TRUE"));
        assertThat(fake.statements()).contains("REMOVE " + prefix + "/");
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void anExternalStageLoadReadsTheBlobItselfAndReachesLoaded() throws Exception {
        String blob = "direct/" + factory + "/2026-11-23.csv";

        Load load = finished(upload(blob, orders(4)));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.rowsLoaded()).isEqualTo(4L);
        assertThat(rows(load.id())).isEqualTo(4);
        assertThat(fake.statements("PUT"))
                .noneMatch(put -> put.contains(load.id().toString()));
        assertThat(fake.statements("COPY").stream()
                        .filter(sql -> sql.contains(load.id().toString())))
                .singleElement()
                .satisfies(copy -> assertThat(copy)
                        .contains(" FROM @\"DB\".\"PUBLIC\".\"FACTORY_UPLOADS\") FILES = ('.snowhook/" + load.id()
                                + "/1/" + blob + "')"));
    }

    @Test
    void anExternalBlobOverwrittenBetweenEventAndLoadAppendsEachVersionAtMostOnce() throws Exception {
        String blob = "direct/" + factory + "/overwritten.csv";
        String v1 = azurite.upload(CONTAINER, blob, orders(3).getBytes(StandardCharsets.UTF_8));
        String v2 = azurite.upload(CONTAINER, blob, orders(5).getBytes(StandardCharsets.UTF_8));

        // the event for version 1 arrives after version 2 replaced it: pinning eTag v1 fails
        Load first = finished(post(blob, v1, orders(3).length()));
        Load second = finished(post(blob, v2, orders(5).length()));

        assertThat(first.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(rows(first.id())).isZero();
        assertThat(second.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(fake.query("SELECT _ETAG, count(*) FROM PUBLIC.ORDERS WHERE _SOURCE_BLOB = '" + CONTAINER + "/"
                        + blob + "' GROUP BY _ETAG"))
                .containsExactly(List.of(v2, "5"));
        assertThat(pinnedCopies()).isEmpty();
    }

    @Test
    void anExternalBlobOverwrittenBetweenEventAndLoadReplacesWithOneVersionOnly() throws Exception {
        String blob = "direct-inventory/" + factory + "/overwritten.csv";
        String header = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
        String one = header + "f1,s1,Beans,10,kg,2026-11-23T20:00:00Z\n";
        String two = header + "f1,s1,Beans,7,kg,2026-11-23T21:00:00Z\nf1,s2,Cups,5,pcs,2026-11-23T21:00:00Z\n";
        String v1 = azurite.upload(CONTAINER, blob, one.getBytes(StandardCharsets.UTF_8));
        String v2 = azurite.upload(CONTAINER, blob, two.getBytes(StandardCharsets.UTF_8));

        Load first = finished(post(blob, v1, one.length()));
        Load second = finished(post(blob, v2, two.length()));

        assertThat(first.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(second.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(fake.query("SELECT _ETAG, SKU, QUANTITY_ON_HAND FROM PUBLIC.INVENTORY WHERE _SOURCE_BLOB = '"
                        + CONTAINER + "/" + blob + "' ORDER BY SKU"))
                .containsExactly(List.of(v2, "s1", "7"), List.of(v2, "s2", "5"));
        assertThat(pinnedCopies()).isEmpty();
    }

    static List<String> pinnedCopies() {
        return azurite.blobServiceClient().getBlobContainerClient(CONTAINER).listBlobs().stream()
                .map(b -> b.getName())
                .filter(name -> name.startsWith(".snowhook/"))
                .toList();
    }

    @Test
    void aReplacedInventoryKeepsOnlyTheNewVersionsRows() throws Exception {
        String blob = "inventory/" + factory + "/2026-11-23.csv";
        String header = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
        assertThat(finished(upload(
                                blob,
                                header + "f1,s1,Beans,10,kg,2026-11-23T20:00:00Z\nf1,s2,Cups,5,pcs,"
                                        + "2026-11-23T20:00:00Z\n"))
                        .status())
                .isEqualTo(LoadStatus.LOADED);

        Load second = finished(upload(blob, header + "f1,s1,Beans,7,kg,2026-11-23T21:00:00Z\n"));

        assertThat(second.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(fake.query("SELECT SKU, QUANTITY_ON_HAND FROM PUBLIC.INVENTORY WHERE _SOURCE_BLOB = '" + CONTAINER
                        + "/" + blob + "'"))
                .containsExactly(java.util.List.of("s1", "7"));
    }

    @Test
    void aLoadFailedFileEndsFailedWithTheFirstErrorAndNoRows() throws Exception {
        String blob = "orders/" + factory + "/bad.csv";

        Load load = finished(upload(blob, orders(1) + "o-2,f1,JS-100,lots,4.50,EUR,2026-11-23T08:00:00Z,web\n"));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).isEqualTo("LOAD_FAILED: Numeric value 'lots' is not recognized");
        assertThat(load.errorLine()).isEqualTo(3L);
        assertThat(load.errorColumn()).isEqualTo("\"ORDERS\"[\"QUANTITY\":4]");
        assertThat(rows(load.id())).isZero();
    }

    @Test
    void aBlobTheExternalStageDoesNotHoldEndsFailedAsBlobNotFound() throws Exception {
        // the event names a blob the external stage does not hold: Snowflake raises 091016, not retried
        Load load = finished(post("direct/" + factory + "/gone.csv", "0x8DCDEADBEEF", 100));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).isEqualTo("blob not found");
    }

    @Test
    void serverErrorsAreRetriedUntilTheLoadSucceeds() throws Exception {
        // the driver retries once itself (maxHttpRetries=1): four 503s fail two attempts, the third loads
        fake.failWithHttpStatus(503, 4, "COPY");

        Load load = finished(upload("orders/" + factory + "/5xx.csv", orders(2)));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).isEqualTo(3);
        assertThat(rows(load.id())).isEqualTo(2);
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void anExpiredSessionIsRenewedAndTheLoadSucceeds() throws Exception {
        fake.expireSession(1, "COPY");

        Load load = finished(upload("orders/" + factory + "/expired.csv", orders(2)));

        assertThat(load.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(rows(load.id())).isEqualTo(2);
    }

    @Test
    void aCompilationErrorFailsAtOnce() throws Exception {
        fake.compilationError("COPY");

        Load load = finished(upload("orders/" + factory + "/compile.csv", orders(1)));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).contains("SQL compilation error");
    }

    @Test
    void aRefusedLoginFailsAtOnce() throws Exception {
        fake.refuseLogins(true);
        warehouse.evictConnections();

        Load load = finished(upload("orders/" + factory + "/login.csv", orders(1)));

        assertThat(load.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(load.attempts()).isEqualTo(1);
        assertThat(load.error()).contains("authentication refused");
    }

    @Test
    void manyLoadsLeaveNoConnectionOrStagedFileBehind() throws Exception {
        java.util.List<UUID> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(upload("orders/" + factory + "/many-" + i + ".csv", orders(2)));
        }

        for (UUID id : ids) {
            assertThat(finished(id).status()).isEqualTo(LoadStatus.LOADED);
            assertThat(rows(id)).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.activeConnections() == 0);
        assertThat(fake.stagedFiles()).isEmpty();
        assertThat(fake.openSessions()).isLessThanOrEqualTo(2);
    }

    @Test
    void aBurstOf400FilesQueuedBeforeTheWorkersStartRunsOneCopyPerFiftyFilesAndLoadsEachFileOnce() throws Exception {
        SmartLifecycle workers = context.getBean("loadWorkers", SmartLifecycle.class);
        workers.stop();
        java.util.Map<UUID, Integer> expected = new java.util.LinkedHashMap<>();
        int copiesBefore;
        try {
            for (int i = 0; i < 400; i++) {
                int n = 1 + i % 3;
                expected.put(upload("orders/" + factory + "/burst-" + i + ".csv", orders(n)), n);
            }
            copiesBefore = fake.statements("COPY").size();
        } finally {
            workers.start();
        }

        for (java.util.Map.Entry<UUID, Integer> e : expected.entrySet()) {
            Load load = finished(e.getKey());
            assertThat(load.status()).as("%s", load).isEqualTo(LoadStatus.LOADED);
            assertThat(load.rowsLoaded()).isEqualTo(e.getValue().longValue());
            assertThat(rows(e.getKey()))
                    .as("rows of load %s, exactly once", e.getKey())
                    .isEqualTo(e.getValue().longValue());
        }
        int copies = fake.statements("COPY").size() - copiesBefore;
        assertThat(copies).as("COPY statements for 400 files").isLessThanOrEqualTo(400 / 50);
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void oneBadFileAmongFiftyFailsAloneWithItsFirstErrorAndItsBlobKeepsItsPreviousRows() throws Exception {
        String header = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
        String bad = "inventory/" + factory + "/bad.csv";
        String row = "f1,s%d,Beans,%s,kg,2026-11-23T20:00:00Z\n";
        Load previous = finished(upload(bad, header + row.formatted(1, "10") + row.formatted(2, "20")));
        assertThat(previous.status()).isEqualTo(LoadStatus.LOADED);

        SmartLifecycle workers = context.getBean("loadWorkers", SmartLifecycle.class);
        workers.stop();
        java.util.List<UUID> good = new java.util.ArrayList<>();
        UUID failing = null;
        try {
            for (int i = 0; i < 50; i++) {
                if (i == 25) {
                    failing = upload(bad, header + row.formatted(1, "11") + row.formatted(2, "lots"));
                } else {
                    good.add(upload(
                            "inventory/" + factory + "/good-" + i + ".csv",
                            header + row.formatted(1, "1") + row.formatted(2, "2")));
                }
            }
        } finally {
            workers.start();
        }

        Load failed = finished(failing);
        assertThat(failed.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(failed.error()).isEqualTo("LOAD_FAILED: Numeric value 'lots' is not recognized");
        assertThat(failed.errorLine()).isEqualTo(3L);
        assertThat(failed.errorColumn()).isEqualTo("\"INVENTORY\"[\"QUANTITY_ON_HAND\":4]");
        assertThat(fake.query("SELECT SKU, QUANTITY_ON_HAND, _LOAD_ID FROM PUBLIC.INVENTORY WHERE _SOURCE_BLOB = '"
                        + CONTAINER + "/" + bad + "' ORDER BY SKU"))
                .as("the previous version keeps its rows")
                .containsExactly(
                        java.util.List.of("s1", "10", previous.id().toString()),
                        java.util.List.of("s2", "20", previous.id().toString()));
        java.util.Set<UUID> batches = new java.util.HashSet<>();
        for (UUID id : good) {
            Load load = finished(id);
            assertThat(load.status()).as("%s", load).isEqualTo(LoadStatus.LOADED);
            assertThat(fake.count("SELECT count(*) FROM PUBLIC.INVENTORY WHERE _LOAD_ID = '" + id + "'"))
                    .isEqualTo(2L);
            batches.add(load.batchId());
        }
        assertThat(batches).as("the 50 files were claimed together").containsExactly(failed.batchId());
    }
}
