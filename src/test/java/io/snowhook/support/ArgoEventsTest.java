package io.snowhook.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.support.ArgoEvents.StorageEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ArgoEventsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    final StorageEvent event = ArgoEvents.blobCreated(
            "javasipsfactory",
            "factory-uploads",
            "orders/f 1/2026-11-23.csv",
            "\"0x8DCB\"",
            42,
            "0000000000000442",
            "PutBlob",
            ArgoEvents.azureUrlBase("javasipsfactory"));

    @Test
    void buildsTheEventGridSchema() {
        JsonNode e = JSON.readTree(ArgoEvents.eventGridObject(event));

        assertThat(e.get("topic").asString()).endsWith("/providers/Microsoft.Storage/storageAccounts/javasipsfactory");
        assertThat(e.get("subject").asString())
                .isEqualTo("/blobServices/default/containers/factory-uploads/blobs/orders/f 1/2026-11-23.csv");
        assertThat(e.get("eventType").asString()).isEqualTo(ArgoEvents.BLOB_CREATED);
        assertThat(e.get("eventTime").asString()).isEqualTo("2026-11-23T22:00:00.1234567Z");
        assertThat(e.at("/data/url").asString())
                .isEqualTo("https://javasipsfactory.blob.core.windows.net/factory-uploads/orders/f%201/2026-11-23.csv");
        assertThat(e.at("/data/eTag").asString()).isEqualTo("\"0x8DCB\"");
        assertThat(e.at("/data/contentLength").asLong()).isEqualTo(42);
        assertThat(e.at("/data/api").asString()).isEqualTo("PutBlob");
    }

    @Test
    void buildsTheCloudEventsSchemaWithTheSameData() {
        JsonNode e = JSON.readTree(ArgoEvents.cloudEvent(event));

        assertThat(e.get("specversion").asString()).isEqualTo("1.0");
        assertThat(e.get("source").asString()).isEqualTo(event.topic());
        assertThat(e.get("type").asString()).isEqualTo(ArgoEvents.BLOB_CREATED);
        assertThat(e.has("dataVersion")).isFalse();
        assertThat(e.get("data")).isEqualTo(reparsed(event.data()));
    }

    @Test
    void encodesTheStorageEventTwiceInTheWholeArgoEvent() {
        JsonNode whole = JSON.readTree(ArgoEvents.argoWholeEvent(event));

        assertThat(whole.at("/context/type").asString()).isEqualTo("azureEventsHub");
        assertThat(whole.at("/context/time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        JsonNode sourceData = JSON.readTree(decode(whole.get("data").asString()));
        assertThat(sourceData.has("partitionKey")).isTrue();
        String body = decode(sourceData.get("body").asString());
        assertThat(ArgoEvents.base64(body)).startsWith("W3s");
        assertThat(JSON.readTree(body).get(0)).isEqualTo(reparsed(event.eventGrid()));
    }

    @Test
    void escapesTheWholeEventAsAStringInTheEventField() {
        JsonNode body = JSON.readTree(ArgoEvents.argoEventField(event));

        assertThat(body.get("event").isString()).isTrue();
        JsonNode whole = JSON.readTree(body.get("event").asString());
        String message = decode(
                JSON.readTree(decode(whole.get("data").asString())).get("body").asString());
        assertThat(JSON.readTree(message).get(0).get("id").asString()).isEqualTo(event.id());
    }

    @Test
    void encodesTheMessageOnceInTheBodyField() {
        JsonNode body = JSON.readTree(ArgoEvents.argoBodyField(event));

        assertThat(JSON.readTree(decode(body.get("body").asString())).get(0)).isEqualTo(reparsed(event.eventGrid()));
    }

    @Test
    void buildsAzuritePathStyleUrls() {
        StorageEvent azurite = event.withUrlBase(ArgoEvents.azuriteUrlBase(10000, "devstoreaccount1"));

        assertThat(azurite.url())
                .isEqualTo("http://127.0.0.1:10000/devstoreaccount1/factory-uploads/orders/f%201/2026-11-23.csv");
    }

    @Test
    void putsTheContextInCeHeadersForBinaryMode() {
        assertThat(event.binaryModeHeaders())
                .containsEntry("ce-specversion", "1.0")
                .containsEntry("ce-id", event.id())
                .containsEntry("ce-subject", event.subject());
        assertThat(JSON.readTree(ArgoEvents.binaryModeBody(event))).isEqualTo(reparsed(event.data()));
    }

    /** As a receiver sees it: numbers typed by their size, not as the builder wrote them. */
    static JsonNode reparsed(JsonNode node) {
        return JSON.readTree(JSON.writeValueAsString(node));
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
