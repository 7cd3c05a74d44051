package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.SnowhookTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole application on a random loopback port with an in-memory H2 ledger: real bodies posted over
 * HTTP exactly as Argo sends them (no Content-Type), recorded with the right blob and route. Without
 * workers: this test is about what intake records, not about loading.
 */
@SnowhookTest
@TestPropertySource(properties = SnowhookTest.NO_WORKERS)
class EventsEndToEndTest {

    static final String ACCOUNT = "devstoreaccount1";
    static final String CONTAINER = "factory-uploads";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    LoadService loads;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void recordsTheWholeArgoEventPostedWithoutContentTypeWithItsRoute() throws Exception {
        StorageEvent event = azurite("orders/f1/" + UUID.randomUUID() + ".csv");

        HttpResponse<String> response = post(BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        UUID id = UUID.fromString(answer.at("/loads/0/id").asString());
        assertThat(response.headers().firstValue("Location")).hasValue("/loads/" + id);
        assertThat(answer.at("/loads/0/status").asString()).isEqualTo("QUEUED");
        Load load = loads.get(id);
        assertThat(load.eventId()).isEqualTo(event.id());
        assertThat(load.account()).isEqualTo(ACCOUNT);
        assertThat(load.container()).isEqualTo(CONTAINER);
        assertThat(load.blob()).isEqualTo(event.blobName());
        assertThat(load.etag()).isEqualTo(event.eTag());
        assertThat(load.sequencer()).isEqualTo(event.sequencer());
        assertThat(load.size()).isEqualTo(event.contentLength());
        assertThat(load.routePrefix()).isEqualTo("orders/");
        assertThat(load.table()).isEqualTo("ORDERS");
    }

    @Test
    void recordsEveryArgoShapeWithItsRoute() throws Exception {
        for (String shape : ArgoEvents.everyArgoShape(azurite("x")).keySet()) {
            StorageEvent event = azurite("inventory/f2/" + UUID.randomUUID() + ".csv");
            String body = ArgoEvents.everyArgoShape(event).get(shape);

            HttpResponse<String> response = post(BodyPublishers.ofString(body));

            assertThat(response.statusCode()).as(shape).isEqualTo(202);
            Load load = loads.get(UUID.fromString(
                    JSON.readTree(response.body()).at("/loads/0/id").asString()));
            assertThat(load.blob()).as(shape).isEqualTo(event.blobName());
            assertThat(load.table()).as(shape).isEqualTo("INVENTORY");
        }
    }

    @Test
    void readsTheBodyEvenWhenItIsLabelledAsAForm() throws Exception {
        // curl -d and --data-binary label bodies application/x-www-form-urlencoded unless told otherwise.
        StorageEvent event = azurite("orders/f4/" + UUID.randomUUID() + ".csv");

        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(BodyPublishers.ofString(ArgoEvents.argoBodyField(event)))
                        .build(),
                BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).at("/loads/0/blob").asString())
                .isEqualTo(event.blobName());
    }

    @Test
    void answersADuplicateDeliveryWithTheSameLoad() throws Exception {
        String body = ArgoEvents.argoEventField(azurite("orders/f3/" + UUID.randomUUID() + ".csv"));

        String first = JSON.readTree(post(BodyPublishers.ofString(body)).body())
                .at("/loads/0/id")
                .asString();
        String second = JSON.readTree(post(BodyPublishers.ofString(body)).body())
                .at("/loads/0/id")
                .asString();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void recordsABlobWithoutRouteAsSkipped() throws Exception {
        StorageEvent event = azurite("returns/f1/" + UUID.randomUUID() + ".csv");

        HttpResponse<String> response = post(BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.at("/loads/0/status").asString()).isEqualTo("SKIPPED");
        assertThat(loads.get(UUID.fromString(answer.at("/loads/0/id").asString()))
                        .status())
                .isEqualTo(LoadStatus.SKIPPED);
    }

    @Test
    void rejectsABlobOfAnUnconfiguredAccount() throws Exception {
        StorageEvent event = ArgoEvents.blobCreated("strangers", CONTAINER, "orders/f1/" + UUID.randomUUID() + ".csv");

        HttpResponse<String> response = post(BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)));

        assertProblem(response, 422, "unknown-storage-account");
    }

    @Test
    void rejectsMalformedBodiesWithAProblem() throws Exception {
        assertProblem(post(BodyPublishers.ofString("{\"event\": ")), 400, "invalid-event");
    }

    @Test
    void rejectsAChunkedBodyOverTheLimitWhileReadingIt() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');

        HttpResponse<String> response = post(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));

        assertProblem(response, 413, "payload-too-large");
    }

    @Test
    void rejectsADeclaredBodyOverTheLimit() throws Exception {
        byte[] big = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        assertProblem(post(BodyPublishers.ofByteArray(big)), 413, "payload-too-large");
    }

    @Test
    void answersUnknownPathsWithAProblem() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nothing"))
                        .build(),
                BodyHandlers.ofString());

        assertProblem(response, 404, "not-found");
    }

    @Test
    void publishesTheIntakeInTheOpenApiDocument() throws Exception {
        HttpResponse<String> docs = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs"))
                        .build(),
                BodyHandlers.ofString());

        JsonNode events = JSON.readTree(docs.body()).at("/paths/~1events");
        assertThat(events.at("/post/summary").asString()).contains("Argo");
        assertThat(events.at("/post/requestBody/required").asBoolean()).isTrue();
        assertThat(events.at("/post/responses/202").isMissingNode()).isFalse();
        assertThat(events.at("/post/parameters").isMissingNode()
                        || events.at("/post/parameters").isEmpty())
                .as("no request parameters leak into the contract")
                .isTrue();
    }

    private static StorageEvent azurite(String blobName) {
        return ArgoEvents.blobCreated(ACCOUNT, CONTAINER, blobName)
                .withId(UUID.randomUUID().toString())
                .withETag("0x8DC" + UUID.randomUUID().toString().substring(0, 8).toUpperCase())
                .withUrlBase(ArgoEvents.azuriteUrlBase(AzuriteServer.shared().port(), ACCOUNT));
    }

    /** Posts like Argo's HTTP trigger: no Content-Type header at all. */
    private HttpResponse<String> post(BodyPublisher body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                        .POST(body)
                        .build(),
                BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void assertProblem(HttpResponse<String> response, int status, String kind) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        Map<String, Object> problem = JSON.readValue(response.body(), Map.class);
        assertThat(problem)
                .containsEntry("type", "https://snowhook.io/problems/" + kind)
                .containsEntry("status", status);
    }
}
