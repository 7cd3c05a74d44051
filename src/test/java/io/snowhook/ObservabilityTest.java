package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * What an operator watches, on the whole application with a real Azurite and the DuckDB warehouse: the
 * readiness group follows blob storage down and up again while liveness stays up, and after a load
 * {@code /actuator/prometheus} — closed to anyone without the operator credential — carries the load metrics.
 */
@SpringBootTest(
        properties = {
            "spring.datasource.url=jdbc:h2:mem:observability;DB_CLOSE_DELAY=-1",
            "snowhook.security.intake-token=" + ObservabilityTest.INTAKE_TOKEN,
            "snowhook.security.operator-token=" + ObservabilityTest.OPERATOR_TOKEN,
            "snowhook.loads.workers=1"
        })
@AutoConfigureMockMvc
class ObservabilityTest {

    static final String INTAKE_TOKEN = "intake-token-5f1c0e7a9b";
    static final String OPERATOR_TOKEN = "operator-token-8e2a91c4f0";
    static final String OPERATOR = "Bearer " + OPERATOR_TOKEN;
    static final String CONTAINER = "factory-uploads";
    static final Duration PATIENCE = Duration.ofMinutes(2);
    static final AzuriteServer azurite = AzuriteServer.shared();

    @Autowired
    MockMvcTester mvc;

    @DynamicPropertySource
    static void storageAndWarehouse(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("snowhook-observability");
        azurite.createContainer(CONTAINER);
        azurite.properties(List.of(CONTAINER)).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("snowhook.warehouse.duckdb.path", () -> dir.resolve("warehouse.duckdb"));
        registry.add("snowhook.warehouse.duckdb.stage", () -> dir.resolve("stage"));
    }

    @Test
    void readinessFollowsBlobStorageDownAndUpWhileLivenessStaysUp() {
        assertThat(status("/actuator/health/readiness")).isEqualTo(HttpStatus.OK);
        assertThat(mvc.get().uri("/actuator/health/readiness").header(HttpHeaders.AUTHORIZATION, OPERATOR))
                .bodyJson()
                .satisfies(json -> assertThat(json.getJson())
                        .contains("\"blobStorage\"", "\"warehouse\"", "\"db\"", "\"readinessState\""));
        assertThat(mvc.get().uri("/actuator/health/liveness").header(HttpHeaders.AUTHORIZATION, OPERATOR))
                .bodyJson()
                .satisfies(json -> assertThat(json.getJson())
                        .contains("\"livenessState\"")
                        .doesNotContain("blobStorage", "warehouse"));

        azurite.stop();
        try {
            await().atMost(PATIENCE)
                    .until(() -> status("/actuator/health/readiness") == HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(mvc.get().uri("/actuator/health/readiness").header(HttpHeaders.AUTHORIZATION, OPERATOR))
                    .bodyJson()
                    .extractingPath("$.components.blobStorage.status")
                    .isEqualTo("DOWN");
            assertThat(status("/actuator/health/liveness")).isEqualTo(HttpStatus.OK);
        } finally {
            azurite.start();
        }
        await().atMost(PATIENCE).until(() -> status("/actuator/health/readiness") == HttpStatus.OK);
        assertThat(status("/actuator/health/liveness")).isEqualTo(HttpStatus.OK);
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
                .contains("snowhook_workers_busy");
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
