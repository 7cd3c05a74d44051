package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import io.snowhook.loads.ledger.LedgerSlice;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureJdbc;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/**
 * {@code POST /events} into the real ledger, run against each supported database by a subclass with the
 * same hostile bodies: each holds a valid event first and then one whose field no ledger can store, and
 * each gets a 400 naming the field with nothing of the request recorded.
 */
@WebMvcTest(controllers = EventsController.class)
@AutoConfigureJdbc
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({Envelopes.class, BlobEvents.class, IncomingBlobCheck.class, LedgerSlice.class})
abstract class IntakeLedgerContract {

    static final String ACCOUNT = "devstoreaccount1";
    static final String CONTAINER = "factory-uploads";
    static final String MARK = "HOSTILE";

    @Autowired
    MockMvc mvc;

    @Autowired
    LoadService loads;

    /** The field a hostile value goes in (its placeholder {@link #MARK}), the raw JSON it becomes, the field named. */
    static Stream<Arguments> hostileBodies() {
        return Stream.of(
                Arguments.of("id", "\\u0000", "id"),
                // the name is in data.url too, which no longer parses
                Arguments.of("subject", "\\u0000", "/1/data/url"),
                Arguments.of("eTag", "\\u0000", "eTag"),
                Arguments.of("sequencer", "\\u0000", "sequencer"),
                Arguments.of("contentType", "\\u0000", "contentType"),
                Arguments.of("subject", "\\ud800", "blob"),
                Arguments.of("eTag", "\\r\\n", "eTag"),
                Arguments.of("eventTime", "+300000-01-01T00:00:00Z", "eventTime"),
                // an overlong UTF-8 encoding of '/' (C0 AF): no valid UTF-8 decoder reads it
                Arguments.of("subject", "overlong", "not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("hostileBodies")
    void rejectsARequestWithAFieldNoLedgerCanStoreAndRecordsNothingOfIt(String where, String value, String field)
            throws Exception {
        String goodBlob = "orders/f" + UUID.randomUUID() + "/good.csv";
        String hostileBlob =
                "orders/f" + UUID.randomUUID() + "/hostile" + (where.equals("subject") ? MARK : "") + ".csv";
        StorageEvent good = event(goodBlob);
        StorageEvent hostile = event(hostileBlob);
        hostile = switch (where) {
            case "id" -> hostile.withId("ev-" + MARK);
            case "eTag" -> hostile.withETag("0x8DCB" + MARK + "01");
            case "sequencer" -> hostile.withSequencer("0000" + MARK);
            case "contentType" -> hostile.withContentType("text/csv" + MARK);
            default -> hostile;
        };
        String json = ArgoEvents.eventGridArray(good, hostile);
        if (where.equals("eventTime")) {
            json = json.replaceFirst("(?s)(.*)\"eventTime\":\"[^\"]+\"", "$1\"eventTime\":\"" + value + "\"");
        }
        byte[] body = where.equals("subject") && value.equals("overlong")
                ? overlong(json)
                : json.replace(MARK, value).getBytes(StandardCharsets.UTF_8);

        MvcResult result = mvc.perform(post("/events").content(body)).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(400);
        String problem = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(problem).contains("invalid-event").contains(field);
        assertThat(loads.find(null, null, goodBlob, null, 0, 10).totalElements())
                .isZero();
        assertThat(loads.find(null, null, hostileBlob.replace(MARK, ""), null, 0, 10)
                        .totalElements())
                .isZero();
    }

    static StorageEvent event(String blob) {
        return ArgoEvents.blobCreated(ACCOUNT, CONTAINER, blob)
                .withUrlBase(ArgoEvents.azuriteUrlBase(10000, ACCOUNT))
                .withSequencer("00000000000004420000000000028963");
    }

    /** The body with {@link #MARK} replaced by the bytes C0 AF, which a lenient decoder would read as '/'. */
    static byte[] overlong(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = json.split(MARK, -1);
        for (int i = 0; i < parts.length; i++) {
            out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
            if (i < parts.length - 1) {
                out.write(0xC0);
                out.write(0xAF);
            }
        }
        return out.toByteArray();
    }
}
