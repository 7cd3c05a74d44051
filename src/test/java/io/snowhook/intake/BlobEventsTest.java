package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.blob.BlobUrl;
import io.snowhook.intake.RawEvent.Schema;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class BlobEventsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    final BlobEvents blobEvents = new BlobEvents();

    IncomingBlob blob(RawEvent raw) {
        return blobEvents.toIncomingBlob(raw).orElseThrow();
    }

    final StorageEvent event = ArgoEvents.blobCreated("javasipsfactory", "factory-uploads", "orders/f1/2026-11-23.csv");

    @Test
    void readsEveryFieldOfAnEventGridEvent() {
        IncomingBlob blob = blob(eventGrid(event));

        assertThat(blob.eventId()).isEqualTo(event.id());
        assertThat(blob.eventType()).isEqualTo("Microsoft.Storage.BlobCreated");
        assertThat(blob.api()).isEqualTo("PutBlockList");
        assertThat(blob.account()).isEqualTo("javasipsfactory");
        assertThat(blob.container()).isEqualTo("factory-uploads");
        assertThat(blob.blobName()).isEqualTo("orders/f1/2026-11-23.csv");
        assertThat(blob.etag()).isEqualTo("0x8DCB1A2B3C4D5E6");
        assertThat(blob.sequencer()).isEqualTo("00000000000004420000000000028963");
        assertThat(blob.contentLength()).isEqualTo(1024L);
        assertThat(blob.contentType()).isEqualTo("text/csv");
        assertThat(blob.url()).isEqualTo(URI.create(event.url()));
        assertThat(blob.eventTime()).isEqualTo(Instant.parse("2026-11-23T22:00:00.1234567Z"));
        assertThat(blob.skipReason()).isNull();
    }

    @Test
    void readsTheSameFieldsFromACloudEvent() {
        IncomingBlob fromCloudEvent = blob(cloudEvent(event));

        assertThat(fromCloudEvent).isEqualTo(blob(eventGrid(event)));
    }

    @Test
    void acceptsASubjectWithoutItsLeadingSlash() {
        RawEvent e = cloudEvent(event, n -> n.put("subject", event.subject().substring(1)));

        assertThat(blob(e).blobName()).isEqualTo("orders/f1/2026-11-23.csv");
    }

    @Test
    void parsesArgoStyleWholeSecondTimes() {
        RawEvent e = eventGrid(event, n -> n.put("eventTime", "2026-11-23T22:00:01Z"));

        assertThat(blob(e).eventTime()).isEqualTo(Instant.parse("2026-11-23T22:00:01Z"));
    }

    @Test
    void stripsTheQuotesOfAQuotedETag() {
        assertThat(blob(eventGrid(event.withETag("\"0x8D1\""))).etag()).isEqualTo("0x8D1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose", "SftpCommit"})
    void queuesBlobsOfEveryCommittingApi(String api) {
        assertThat(blob(eventGrid(event.withApi(api))).skipReason()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"CreateFile", "SftpCreate"})
    void skipsEventsOfApisThatDoNotCommit(String api) {
        IncomingBlob blob = blob(eventGrid(event.withApi(api).withContentLength(0)));

        assertThat(blob.skipReason()).startsWith("api " + api + " does not commit a blob");
        assertThat(blob.blobName()).isEqualTo("orders/f1/2026-11-23.csv");
    }

    @Test
    void skipsZeroLengthBlobs() {
        assertThat(blob(eventGrid(event.withContentLength(0))).skipReason()).isEqualTo("zero-length blob");
    }

    @Test
    void skipsOtherEventTypesEvenWithoutData() {
        RawEvent deleted = eventGrid(event.withEventType("Microsoft.Storage.BlobDeleted"), n -> n.remove("data"));

        IncomingBlob blob = blob(deleted);

        assertThat(blob.skipReason())
                .isEqualTo("event type Microsoft.Storage.BlobDeleted is not Microsoft.Storage.BlobCreated");
        assertThat(blob.container()).isEqualTo("factory-uploads");
    }

    @Test
    void acceptsDataLakeAndAzuriteUrls() {
        assertThat(blob(eventGrid(event.withUrlBase(ArgoEvents.dataLakeUrlBase("javasipsfactory"))))
                        .skipReason())
                .isNull();
        assertThat(blob(eventGrid(event.withUrlBase(ArgoEvents.azuriteUrlBase(10000, "javasipsfactory"))))
                        .skipReason())
                .isNull();
    }

    @Test
    void comparesPercentDecodedUrlPaths() {
        StorageEvent odd = ArgoEvents.blobCreated("javasipsfactory", "factory-uploads", "orders/a+b c%/ünï 'x'.csv");

        assertThat(BlobUrl.names(
                        URI.create(odd.url()), "javasipsfactory", "factory-uploads", "orders/a+b c%/ünï 'x'.csv"))
                .isTrue();
        assertThat(BlobUrl.names(
                        URI.create("https://javasipsfactory.blob.core.windows.net/factory-uploads/orders/a%2Bb"),
                        "javasipsfactory",
                        "factory-uploads",
                        "orders/a b"))
                .isFalse();
    }

    @Test
    void rejectsUrlsOfAnotherAccountContainerOrBlob() {
        List<String> others = List.of(
                "https://other.blob.core.windows.net/factory-uploads/orders/f1/2026-11-23.csv",
                "https://javasipsfactory.blob.core.windows.net/other/orders/f1/2026-11-23.csv",
                "https://javasipsfactory.blob.core.windows.net/factory-uploads/orders/f1/2026-11-24.csv",
                "http://127.0.0.1:10000/other/factory-uploads/orders/f1/2026-11-23.csv",
                "https://javasipsfactory.blob.core.windows.net/factory-uploads",
                "http://127.0.0.1:10000/javasipsfactory");
        for (String url : others) {
            RawEvent e = eventGrid(event, n -> ((ObjectNode) n.get("data")).put("url", url));

            assertThatThrownBy(() -> blob(e)).as(url).isInstanceOfSatisfying(BlobUrlMismatch.class, p -> {
                assertThat(p.getBody().getStatus()).isEqualTo(422);
                assertThat(p.getBody().getType()).hasToString("https://snowhook.io/problems/blob-url-mismatch");
            });
        }
    }

    @Test
    void rejectsAMissingRequiredField() {
        assertInvalid(eventGrid(event, n -> n.remove("id")), "/0/id", "is missing");
        assertInvalid(eventGrid(event, n -> n.remove("topic")), "/0/topic", "is missing");
        assertInvalid(cloudEvent(event, n -> n.remove("source")), "/0/source", "is missing");
        assertInvalid(eventGrid(event, n -> n.remove("data")), "/0/data", "is missing");
        assertInvalid(eventGrid(event, n -> data(n).remove("api")), "/0/data/api", "is missing");
        assertInvalid(eventGrid(event, n -> data(n).remove("eTag")), "/0/data/eTag", "is missing");
        assertInvalid(eventGrid(event, n -> data(n).remove("url")), "/0/data/url", "is missing");
        assertInvalid(eventGrid(event, n -> data(n).remove("contentLength")), "/0/data/contentLength", "is missing");
    }

    @Test
    void rejectsMalformedFields() {
        assertInvalid(eventGrid(event, n -> n.put("topic", "/subscriptions/x")), "/0/topic", "storageAccounts");
        assertInvalid(eventGrid(event, n -> n.put("subject", "/blobServices/default/containers/c")), "/0/subject", "");
        assertInvalid(eventGrid(event, n -> n.put("eventTime", "yesterday")), "/0/eventTime", "RFC 3339");
        assertInvalid(eventGrid(event, n -> n.put("id", 7)), "/0/id", "must be a string");
        assertInvalid(eventGrid(event, n -> data(n).put("contentLength", "big")), "/0/data/contentLength", "integer");
        assertInvalid(eventGrid(event, n -> data(n).put("contentLength", -1)), "/0/data/contentLength", "non-negative");
        assertInvalid(eventGrid(event, n -> data(n).put("url", "not a url")), "/0/data/url", "not a valid URL");
        assertInvalid(eventGrid(event, n -> data(n).put("url", "ftp://x/y/z")), "/0/data/url", "http(s)");
    }

    @Test
    void findsTheSubscriptionValidationCode() {
        ObjectNode handshake = JSON.createObjectNode();
        handshake.put("eventType", BlobEvents.SUBSCRIPTION_VALIDATION);
        handshake.putObject("data").put("validationCode", "code-1");

        assertThat(blobEvents.subscriptionValidationCode(List.of(new RawEvent(handshake, Schema.EVENT_GRID, "/0"))))
                .hasValue("code-1");
        assertThat(blobEvents.subscriptionValidationCode(List.of(eventGrid(event))))
                .isEmpty();
    }

    private void assertInvalid(RawEvent e, String field, String detail) {
        assertThatThrownBy(() -> blob(e)).as(field).isInstanceOfSatisfying(InvalidEvent.class, p -> {
            assertThat(p.getBody().getProperties()).containsEntry("field", field);
            assertThat(p.getBody().getDetail()).contains(detail);
        });
    }

    static ObjectNode data(ObjectNode event) {
        return (ObjectNode) event.get("data");
    }

    static RawEvent eventGrid(StorageEvent event) {
        return eventGrid(event, n -> {});
    }

    static RawEvent eventGrid(StorageEvent event, Consumer<ObjectNode> change) {
        ObjectNode node = (ObjectNode) reparsed(event.eventGrid());
        change.accept(node);
        return new RawEvent(node, Schema.EVENT_GRID, "/0");
    }

    static RawEvent cloudEvent(StorageEvent event) {
        return cloudEvent(event, n -> {});
    }

    static RawEvent cloudEvent(StorageEvent event, Consumer<ObjectNode> change) {
        ObjectNode node = (ObjectNode) reparsed(event.cloudEvent());
        change.accept(node);
        return new RawEvent(node, Schema.CLOUD_EVENTS, "/0");
    }

    static JsonNode reparsed(JsonNode node) {
        return JSON.readTree(JSON.writeValueAsString(node));
    }
}
