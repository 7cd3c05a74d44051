package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.FaultProxy;
import io.snowhook.support.SnowhookTest;
import io.snowhook.support.TestFiles;
import io.snowhook.system.Outages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * What an operator watches, on the whole application with a real Azurite (behind a fault-injecting proxy)
 * and the DuckDB warehouse: readiness is the ledger alone, so through a storage or a warehouse outage longer
 * than the retry budget intake keeps answering 202, the loads wait QUEUED and all load once it ends; after
 * a load {@code /actuator/prometheus} — closed to anyone without the operator credential — carries the load
 * metrics.
 */
@SnowhookTest
@TestPropertySource(
        properties = {
            SnowhookTest.CREDENTIALS,
            "snowhook.loads.retry.max-attempts=3",
            "snowhook.loads.retry.initial-delay=50ms",
            "snowhook.loads.retry.max-delay=200ms",
            "snowhook.outages.failures=2",
            "snowhook.outages.probe-interval=300ms",
            "snowhook.storage.read-timeout=5s"
        })
class ObservabilityTest {

    static final String INTAKE_TOKEN = SnowhookTest.INTAKE_TOKEN;
    static final String OPERATOR_TOKEN = SnowhookTest.OPERATOR_TOKEN;
    static final String OPERATOR = "Bearer " + OPERATOR_TOKEN;
    static final String CONTAINER = "factory-uploads";
    static final Duration PATIENCE = Duration.ofMinutes(2);
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final FaultProxy proxy = FaultProxy.inFrontOfAzurite();
    static final Path DIR = TestFiles.tempDir("snowhook-observability");
    static final Path STAGE = DIR.resolve("stage");
    static final byte[] ORDERS = ("order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n"
                    + "o-1,f1,JS-100,2,9.50,EUR,2026-11-23T08:00:00Z,web\n"
                    + "o-2,f1,JS-200,1,19.00,EUR,2026-11-23T09:00:00Z,shop\n")
            .getBytes(StandardCharsets.UTF_8);

    @Autowired
    Outages outages;

    @AfterAll
    static void closeProxy() {
        proxy.close();
    }

    @Autowired
    MockMvcTester mvc;

    @DynamicPropertySource
    static void storageAndWarehouse(DynamicPropertyRegistry registry) {
        azurite.createContainer(CONTAINER);
        Map<String, Object> storage = azurite.properties(List.of(CONTAINER));
        storage.put("snowhook.storage.accounts[0].endpoint", proxy.azuriteEndpoint());
        storage.forEach((key, value) -> registry.add(key, () -> value));
        registry.add("snowhook.warehouse.duckdb.path", () -> DIR.resolve("warehouse.duckdb"));
        registry.add("snowhook.warehouse.duckdb.stage", () -> STAGE);
    }

    @Test
    void readinessIsTheLedgerAloneWhileWarehouseAndStorageStayInTheHealthDetails() {
        assertThat(status("/actuator/health/readiness")).isEqualTo(HttpStatus.OK);
        assertThat(mvc.get().uri("/actuator/health/readiness").header(HttpHeaders.AUTHORIZATION, OPERATOR))
                .bodyJson()
                .satisfies(json -> assertThat(json.getJson())
                        .contains("\"ledger\"", "\"readinessState\"")
                        .doesNotContain("blobStorage", "warehouse"));
        assertThat(mvc.get().uri("/actuator/health").header(HttpHeaders.AUTHORIZATION, OPERATOR))
                .bodyJson()
                .satisfies(json -> assertThat(json.getJson())
                        .contains("\"blobStorage\"", "\"warehouse\"", "\"knownDown\"", "\"ledger\""));
        assertThat(mvc.get().uri("/actuator/health/liveness").header(HttpHeaders.AUTHORIZATION, OPERATOR))
                .bodyJson()
                .satisfies(json -> assertThat(json.getJson())
                        .contains("\"livenessState\"")
                        .doesNotContain("blobStorage", "warehouse"));
    }

    @Test
    void loadsQueuedDuringAStorageOutageLongerThanTheRetryBudgetAllLoadAfterIt() throws IOException {
        List<String> before = uploadOrders(3);
        proxy.dropReads(Integer.MAX_VALUE);
        List<String> during;
        try {
            List<String> locations = new ArrayList<>(post(before));
            await().atMost(PATIENCE).until(() -> outages.isDown(Outages.storage(AzuriteServer.ACCOUNT)));
            during = uploadOrders(3);
            locations.addAll(post(during));
            outlastTheRetryBudget(locations);
            assertThat(healthOf("blobStorage")).contains("\"knownDown\":true");
            during = locations;
        } finally {
            proxy.heal();
        }
        assertEveryLoadEndsLoaded(during);
    }

    @Test
    void loadsQueuedDuringAWarehouseOutageLongerThanTheRetryBudgetAllLoadAfterIt() throws IOException {
        List<String> before = uploadOrders(3);
        Path away = STAGE.resolveSibling("stage-away");
        // the stage volume goes away: DuckDB cannot stage a file, and its health check says so
        Files.move(STAGE, away);
        Files.writeString(STAGE, "not a folder");
        List<String> locations = new ArrayList<>();
        try {
            locations.addAll(post(before));
            await().atMost(PATIENCE).until(() -> outages.isDown(Outages.WAREHOUSE));
            locations.addAll(post(uploadOrders(3)));
            outlastTheRetryBudget(locations);
            assertThat(healthOf("warehouse")).contains("\"knownDown\":true");
        } finally {
            Files.delete(STAGE);
            Files.move(away, STAGE);
        }
        assertEveryLoadEndsLoaded(locations);
    }

    /**
     * Waits well past the retry budget (3 tries, at most 200 ms apart) while readiness stays up, intake
     * answers 202, and not one load is FAILED: they wait QUEUED, their tries during the outage not counted.
     */
    void outlastTheRetryBudget(List<String> locations) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            assertThat(status("/actuator/health/readiness")).isEqualTo(HttpStatus.OK);
            for (String location : locations) {
                assertThat(load(location)).doesNotContain("\"status\":\"FAILED\"");
            }
            sleep(Duration.ofMillis(250));
        }
        for (String location : locations) {
            assertThat(load(location)).contains("\"status\":\"QUEUED\"");
        }
    }

    void assertEveryLoadEndsLoaded(List<String> locations) {
        assertThat(locations).hasSize(6);
        for (String location : locations) {
            await().atMost(PATIENCE).until(() -> !load(location).matches(".*\"status\":\"(QUEUED|LOADING)\".*"));
            assertThat(load(location)).contains("\"status\":\"LOADED\"").contains("\"rowsLoaded\":2");
        }
        assertThat(status("/actuator/health/readiness")).isEqualTo(HttpStatus.OK);
    }

    List<String> uploadOrders(int files) {
        List<String> blobs = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            String blob = "orders/f" + UUID.randomUUID() + "/2026-11-23.csv";
            blobs.add(blob + "\n" + azurite.upload(CONTAINER, blob, ORDERS));
        }
        return blobs;
    }

    /** Posts one event per uploaded blob (name and eTag) and returns the loads' locations; each answers 202. */
    List<String> post(List<String> uploaded) {
        List<String> locations = new ArrayList<>();
        for (String upload : uploaded) {
            String[] nameAndETag = upload.split("\n");
            String event =
                    ArgoEvents.argoWholeEvent(ArgoEvents.blobCreated(AzuriteServer.ACCOUNT, CONTAINER, nameAndETag[0])
                            .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT))
                            .withETag(nameAndETag[1])
                            .withContentLength(ORDERS.length));
            MvcTestResult accepted = mvc.post()
                    .uri("/events")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN)
                    .content(event)
                    .exchange();
            assertThat(accepted).hasStatus(HttpStatus.ACCEPTED);
            locations.add(accepted.getResponse().getHeader(HttpHeaders.LOCATION));
        }
        return locations;
    }

    String load(String location) {
        return body(mvc.get()
                .uri(location)
                .header(HttpHeaders.AUTHORIZATION, OPERATOR)
                .exchange());
    }

    String healthOf(String component) {
        return body(mvc.get()
                .uri("/actuator/health/" + component)
                .header(HttpHeaders.AUTHORIZATION, OPERATOR)
                .exchange());
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void exposesLoadMetricsToTheOperatorAfterALoad() {
        String blob = "orders/f" + UUID.randomUUID() + "/2026-11-23.csv";
        byte[] csv = ("order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n"
                        + "o-1,f1,JS-100,2,9.50,EUR,2026-11-23T08:00:00Z,web\n"
                        + "o-2,f1,JS-200,1,19.00,EUR,2026-11-23T09:00:00Z,shop\n")
                .getBytes(StandardCharsets.UTF_8);
        String etag = azurite.upload(CONTAINER, blob, csv);
        String event = ArgoEvents.argoWholeEvent(ArgoEvents.blobCreated(AzuriteServer.ACCOUNT, CONTAINER, blob)
                .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT))
                .withETag(etag)
                .withContentLength(csv.length));

        MvcTestResult accepted = mvc.post()
                .uri("/events")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN)
                .content(event)
                .exchange();
        assertThat(accepted).hasStatus(HttpStatus.ACCEPTED);
        String location = accepted.getResponse().getHeader(HttpHeaders.LOCATION);
        await().atMost(PATIENCE)
                .until(() -> mvc.get()
                        .uri(location)
                        .header(HttpHeaders.AUTHORIZATION, OPERATOR)
                        .exchange()
                        .getResponse()
                        .getContentAsString()
                        .contains("\"status\":\"LOADED\""));

        assertThat(mvc.get().uri("/actuator/prometheus")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/actuator/prometheus").header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN))
                .hasStatus(HttpStatus.FORBIDDEN);
        MvcTestResult scrape = mvc.get()
                .uri("/actuator/prometheus")
                .header(HttpHeaders.AUTHORIZATION, OPERATOR)
                .exchange();
        assertThat(scrape).hasStatusOk();
        assertThat(body(scrape))
                .contains("snowhook_loads_finished_total{status=\"LOADED\",table=\"ORDERS\"}")
                .contains("snowhook_load_duration_seconds_bucket{")
                .contains("snowhook_load_latency_seconds_bucket{")
                .contains("snowhook_load_rows_total{table=\"ORDERS\"}")
                .contains("snowhook_load_bytes_total{table=\"ORDERS\"}")
                .contains("snowhook_loads_queue{status=\"QUEUED\"}")
                .contains("snowhook_loads_queue{status=\"LOADING\"}")
                .contains("snowhook_workers_busy")
                .contains("snowhook_loads_queue_limit 1000000.0")
                .contains("snowhook_dependency_down{dependency=\"warehouse\"}")
                .contains("snowhook_dependency_failures{dependency=\"storage/devstoreaccount1\"}")
                // Spring Security's per-filter observations are off: they cost intake CPU and nobody reads them
                .doesNotContain("spring_security_");
    }

    HttpStatus status(String path) {
        return HttpStatus.valueOf(mvc.get().uri(path).exchange().getResponse().getStatus());
    }

    static String body(MvcTestResult result) {
        try {
            return result.getResponse().getContentAsString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
