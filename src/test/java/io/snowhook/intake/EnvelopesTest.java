package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.intake.RawEvent.Schema;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

class EnvelopesTest {

    final Envelopes envelopes = new Envelopes(JsonMapper.builder().build());

    static final StorageEvent EVENT =
            ArgoEvents.blobCreated("javasipsfactory", "factory-uploads", "inventory/f1/2026-11-23.csv");

    static List<Map.Entry<String, String>> everyArgoShape() {
        return List.copyOf(ArgoEvents.everyArgoShape(EVENT).entrySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyArgoShape")
    void findsTheEventGridEventInEveryArgoShape(Map.Entry<String, String> shape) {
        List<RawEvent> events = unwrap(shape.getValue());

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.schema()).isEqualTo(Schema.EVENT_GRID);
            assertThat(e.node().get("id").asString()).isEqualTo(EVENT.id());
            assertThat(e.type()).isEqualTo(ArgoEvents.BLOB_CREATED);
        });
    }

    @Test
    void tracksWhereInTheEnvelopeAnEventWasFound() {
        assertThat(unwrap(ArgoEvents.argoWholeEvent(EVENT)))
                .singleElement()
                .extracting(RawEvent::path)
                .isEqualTo("/data(base64)/body(base64)/0");
        assertThat(unwrap(ArgoEvents.argoEventField(EVENT)))
                .singleElement()
                .extracting(RawEvent::path)
                .isEqualTo("/event/data(base64)/body(base64)/0");
    }

    @Test
    void findsEveryEventOfAnArgoMessageCarryingSeveral() {
        StorageEvent second = EVENT.withId("second");

        assertThat(unwrap(ArgoEvents.argoWholeEvent(EVENT, second)))
                .extracting(e -> e.node().get("id").asString())
                .containsExactly(EVENT.id(), "second");
    }

    @Test
    void readsAStructuredCloudEventAndABatch() {
        assertThat(unwrap(ArgoEvents.cloudEvent(EVENT)))
                .singleElement()
                .extracting(RawEvent::schema)
                .isEqualTo(Schema.CLOUD_EVENTS);
        assertThat(unwrap(ArgoEvents.cloudEventsBatch(EVENT, EVENT.withId("2"))))
                .hasSize(2);
    }

    @Test
    void readsCloudEventsInsideArgosBodyField() {
        assertThat(unwrap(ArgoEvents.argoBodyField(ArgoEvents.cloudEventsBatch(EVENT))))
                .singleElement()
                .extracting(RawEvent::schema)
                .isEqualTo(Schema.CLOUD_EVENTS);
    }

    @Test
    void buildsABinaryModeCloudEventFromCeHeadersAndTheBody() {
        HttpHeaders headers = new HttpHeaders();
        EVENT.binaryModeHeaders().forEach(headers::add);
        headers.set("ce-subject", "/blobServices/default/containers/factory-uploads/blobs/inventory/f%201.csv");

        List<RawEvent> events =
                envelopes.unwrap(ArgoEvents.binaryModeBody(EVENT).getBytes(StandardCharsets.UTF_8), headers);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.schema()).isEqualTo(Schema.CLOUD_EVENTS);
            assertThat(e.node().get("id").asString()).isEqualTo(EVENT.id());
            assertThat(e.node().get("source").asString()).isEqualTo(EVENT.topic());
            assertThat(e.node().get("subject").asString())
                    .isEqualTo("/blobServices/default/containers/factory-uploads/blobs/inventory/f 1.csv");
            assertThat(e.node().at("/data/eTag").asString()).isEqualTo(EVENT.eTag());
        });
    }

    @Test
    void acceptsUrlSafeBase64() {
        String body = "{\"body\":\""
                + java.util.Base64.getUrlEncoder()
                        .encodeToString(ArgoEvents.eventGridArray(EVENT).getBytes(StandardCharsets.UTF_8))
                + "\"}";

        assertThat(unwrap(body)).hasSize(1);
    }

    @Test
    void rejectsAnEmptyBody() {
        assertInvalid("  \n", "", "empty");
    }

    @Test
    void rejectsMalformedJsonWithItsPosition() {
        assertInvalid("{\"eventType\": ", "/", "not valid JSON (line 1");
    }

    @Test
    void rejectsTrailingGarbageAfterTheJson() {
        assertInvalid(ArgoEvents.eventGridObject(EVENT) + " }{", "/", "not valid JSON");
    }

    @Test
    void rejectsAnEmptyArray() {
        assertInvalid("[]", "", "no storage event");
    }

    @Test
    void rejectsAnUnknownObject() {
        assertInvalid("{\"hello\": 1}", "/", "no storage event found");
    }

    @Test
    void rejectsScalarsWhereEventsBelong() {
        assertInvalid("[42]", "/0", "found a number");
    }

    @Test
    void rejectsABase64BodyThatIsNotJson() {
        assertInvalid("{\"body\":\"" + ArgoEvents.base64("not json") + "\"}", "/body(base64)", "not valid JSON");
    }

    @Test
    void rejectsAnEventFieldThatIsNeitherJsonNorBase64() {
        assertInvalid("{\"event\":\"hello world!\"}", "/event", "neither JSON nor base64");
    }

    @Test
    void rejectsEnvelopesNestedWithoutEnd() {
        String body = ArgoEvents.eventGridObject(EVENT);
        for (int i = 0; i < 12; i++) {
            body = "{\"body\":\"" + ArgoEvents.base64(body) + "\"}";
        }

        assertInvalid(body, "", "nested too deeply");
    }

    private List<RawEvent> unwrap(String body) {
        return envelopes.unwrap(body.getBytes(StandardCharsets.UTF_8), new HttpHeaders());
    }

    private void assertInvalid(String body, String fieldPrefix, String detail) {
        assertThatThrownBy(() -> unwrap(body)).isInstanceOfSatisfying(InvalidEvent.class, e -> {
            ProblemDetail problem = e.getBody();
            assertThat(problem.getType()).hasToString("https://snowhook.io/problems/invalid-event");
            assertThat(problem.getStatus()).isEqualTo(400);
            assertThat(problem.getDetail()).startsWith(fieldPrefix).contains(detail);
        });
    }
}
