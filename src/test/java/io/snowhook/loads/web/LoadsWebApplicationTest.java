package io.snowhook.loads.web;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.loads.ledger.Blobs;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.support.SnowhookTest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;

/**
 * What of the status API needs the whole application: its OpenAPI document and Swagger UI, the health the
 * stats report, and the cross-site request guard of the security chain. Without workers, so loads stay as
 * the ledger recorded them.
 */
@SnowhookTest
@TestPropertySource(properties = SnowhookTest.NO_WORKERS)
class LoadsWebApplicationTest {

    static final String SEQ_1 = "00000000000004420000000000028961";

    @Autowired
    MockMvc mvc;

    @Autowired
    LoadService loads;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(mvc);
    }

    private Load submit(IncomingBlob blob) {
        return loads.submit(List.of(blob)).get(0);
    }

    @Test
    void publishesTheStatusApiInTheOpenApiDocumentAndSwaggerUi() {
        Http.Reply docs = http.get("/v3/api-docs");

        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body().path("paths").propertyNames())
                .contains("/loads", "/loads/{id}", "/loads/summary", "/loads/{id}/reingest", "/ingestions");
        assertThat(docs.body()
                        .path("paths")
                        .path("/loads/{id}")
                        .path("get")
                        .path("summary")
                        .asString())
                .isNotBlank();
        assertThat(docs.body()
                        .path("paths")
                        .path("/loads/{id}/reingest")
                        .path("post")
                        .path("responses")
                        .propertyNames())
                .containsExactlyInAnyOrder("202", "400", "404", "408", "409", "413", "422");
        assertThat(docs.body()
                        .path("paths")
                        .path("/ingestions")
                        .path("post")
                        .path("responses")
                        .propertyNames())
                .containsExactlyInAnyOrder("202", "400", "408", "409", "413", "422");
        assertThat(http.status("/swagger-ui/index.html")).isEqualTo(200);
    }

    @Test
    void showsStatsOfTheLastHourWithQueueAndHealth() {
        submit(event(uniqueOrders(), "0x1", SEQ_1));

        Http.Reply reply = http.get("/loads/stats");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode stats = reply.body();
        assertThat(stats.path("minutes").size()).isEqualTo(60);
        assertThat(stats.path("queued").asLong()).isPositive();
        assertThat(stats.path("byStatus").path("QUEUED").asLong()).isPositive();
        assertThat(stats.path("health").path("warehouse").asString()).isIn("UP", "DOWN");
        assertThat(stats.path("health").path("storage").asString()).isIn("UP", "DOWN");
        assertThat(stats.path("tables").isArray()).isTrue();
    }

    @Test
    void refusesACrossSiteFormPostOfReingestInOpenMode() {
        Load skipped = submit(Blobs.skipped(uniqueOrders(), "zero-length blob"));
        String host = "127.0.0.1:8080";

        Http.Reply crossSite = http.post(
                "/loads/" + skipped.id() + "/reingest",
                java.util.Map.of(
                        "Host",
                        host,
                        "Origin",
                        "http://attacker.example",
                        "Sec-Fetch-Site",
                        "cross-site",
                        "Content-Type",
                        "application/x-www-form-urlencoded"));
        Http.Reply sameOriginWithoutHeader = http.post(
                "/loads/" + skipped.id() + "/reingest",
                java.util.Map.of("Host", host, "Origin", "http://" + host, "Sec-Fetch-Site", "same-origin"));
        Http.Reply console = http.post(
                "/loads/" + skipped.id() + "/reingest",
                java.util.Map.of(
                        "Host",
                        host,
                        "Origin",
                        "http://" + host,
                        "Sec-Fetch-Site",
                        "same-origin",
                        "X-Snowhook-Console",
                        "1"));

        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.body().path("type").asString())
                .isEqualTo("https://snowhook.io/problems/cross-site-request");
        assertThat(sameOriginWithoutHeader.status()).isEqualTo(403);
        assertThat(console.status()).isEqualTo(202);
        assertThat(loads.find(null, null, skipped.blob(), null, 0, 10).totalElements())
                .as("only the console's own request re-ingested")
                .isEqualTo(2);
    }
}
