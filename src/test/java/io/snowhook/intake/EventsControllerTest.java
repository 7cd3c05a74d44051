package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.snowhook.blob.StorageAccounts;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadOrigin;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import io.snowhook.system.Problem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

@WebMvcTest(
        controllers = EventsController.class,
        properties = {
            "snowhook.intake.max-body-size=4KB",
            "snowhook.storage.accounts[0].name=" + EventsControllerTest.ACCOUNT,
            "snowhook.storage.accounts[0].containers[0]=" + EventsControllerTest.CONTAINER,
            "snowhook.storage.accounts[0].sas-token=sv=test",
            "snowhook.storage.accounts[1].name=devstoreaccount1",
            "snowhook.storage.accounts[1].endpoint=http://127.0.0.1:10000/devstoreaccount1",
            "snowhook.storage.accounts[1].containers[0]=" + EventsControllerTest.CONTAINER,
            "snowhook.storage.accounts[1].sas-token=sv=test"
        })
@Import({Envelopes.class, BlobEvents.class, IncomingBlobCheck.class, StorageAccounts.class})
class EventsControllerTest {

    static final String ACCOUNT = "javasipsfactory";
    static final String CONTAINER = "factory-uploads";
    static final String CLOUD_EVENTS_JSON = "application/cloudevents+json";

    @Autowired
    MockMvc mvc;

    @MockitoBean
    LoadService loads;

    final StorageEvent event = ArgoEvents.blobCreated(
            ACCOUNT,
            CONTAINER,
            "orders/f1/2026-11-23.csv",
            "0x8DCB1A2B3C4D5E6",
            524288,
            "00000000000004420000000000028963",
            "PutBlockList",
            ArgoEvents.azureUrlBase(ACCOUNT));

    @BeforeEach
    void ledgerRecordsWhatItGets() {
        when(loads.submit(anyList())).thenAnswer(call -> {
            List<IncomingBlob> blobs = call.getArgument(0);
            return blobs.stream().map(EventsControllerTest::recorded).toList();
        });
    }

    @Test
    void acceptsTheWholeArgoEventBase64EncodedTwiceWithoutContentType() throws Exception {
        ResultActions result = mvc.perform(post("/events").content(ArgoEvents.argoWholeEvent(event)));

        result.andExpect(status().isAccepted())
                .andExpect(jsonPath("$.loads.length()").value(1))
                .andExpect(jsonPath("$.loads[0].status").value("QUEUED"))
                .andExpect(jsonPath("$.loads[0].blob").value("orders/f1/2026-11-23.csv"))
                .andExpect(header().string(
                                "Location",
                                "/loads/"
                                        + com.jayway.jsonpath.JsonPath.read(
                                                result.andReturn().getResponse().getContentAsString(),
                                                "$.loads[0].id")));
        IncomingBlob blob = submittedBlob();
        assertThat(blob.eventId()).isEqualTo(event.id());
        assertThat(blob.eventType()).isEqualTo(ArgoEvents.BLOB_CREATED);
        assertThat(blob.api()).isEqualTo("PutBlockList");
        assertThat(blob.account()).isEqualTo(ACCOUNT);
        assertThat(blob.container()).isEqualTo(CONTAINER);
        assertThat(blob.blobName()).isEqualTo("orders/f1/2026-11-23.csv");
        assertThat(blob.etag()).isEqualTo("0x8DCB1A2B3C4D5E6");
        assertThat(blob.sequencer()).isEqualTo("00000000000004420000000000028963");
        assertThat(blob.contentLength()).isEqualTo(524288L);
        assertThat(blob.contentType()).isEqualTo("text/csv");
        assertThat(blob.url())
                .isEqualTo(URI.create(
                        "https://javasipsfactory.blob.core.windows.net/factory-uploads/orders/f1/2026-11-23.csv"));
        assertThat(blob.eventTime()).isEqualTo(Instant.parse("2026-11-23T22:00:00.1234567Z"));
        assertThat(blob.skipReason()).isNull();
    }

    @Test
    void acceptsTheEscapedWholeEventInAnEventField() throws Exception {
        send(post("/events").content(ArgoEvents.argoEventField(event))).andExpect(status().isAccepted());

        assertThat(submittedBlob().blobName()).isEqualTo("orders/f1/2026-11-23.csv");
        assertThat(submittedBlob().eventId()).isEqualTo(event.id());
    }

    @Test
    void acceptsTheBase64MessageInABodyField() throws Exception {
        send(post("/events").contentType(MediaType.APPLICATION_JSON).content(ArgoEvents.argoBodyField(event)))
                .andExpect(status().isAccepted());

        assertThat(submittedBlob().etag()).isEqualTo("0x8DCB1A2B3C4D5E6");
    }

    @Test
    void acceptsAPlainEventGridArray() throws Exception {
        send(post("/events").contentType(MediaType.APPLICATION_JSON).content(ArgoEvents.argoDecodedBody(event)))
                .andExpect(status().isAccepted());

        assertThat(submittedBlob().account()).isEqualTo(ACCOUNT);
    }

    @Test
    void acceptsAPlainEventGridObjectSentAsOctetStream() throws Exception {
        send(post("/events").contentType(MediaType.APPLICATION_OCTET_STREAM).content(ArgoEvents.eventGridObject(event)))
                .andExpect(status().isAccepted());

        assertThat(submittedBlob().container()).isEqualTo(CONTAINER);
    }

    @Test
    void acceptsAStructuredCloudEvent() throws Exception {
        send(post("/events").contentType(CLOUD_EVENTS_JSON).content(ArgoEvents.cloudEvent(event)))
                .andExpect(status().isAccepted());

        IncomingBlob blob = submittedBlob();
        assertThat(blob.eventId()).isEqualTo(event.id());
        assertThat(blob.account()).isEqualTo(ACCOUNT);
        assertThat(blob.blobName()).isEqualTo("orders/f1/2026-11-23.csv");
        assertThat(blob.eventTime()).isEqualTo(Instant.parse("2026-11-23T22:00:00.1234567Z"));
    }

    @Test
    void acceptsACloudEventsBatchAndAnswersEveryLoadWithoutLocation() throws Exception {
        StorageEvent second = event.withId(UUID.randomUUID().toString())
                .withSequencer("00000000000004420000000000028964")
                .withApi("PutBlob");

        send(post("/events")
                        .contentType("application/cloudevents-batch+json")
                        .content(ArgoEvents.cloudEventsBatch(event, second)))
                .andExpect(status().isAccepted())
                .andExpect(header().doesNotExist("Location"))
                .andExpect(jsonPath("$.loads.length()").value(2));

        List<IncomingBlob> blobs = submitted();
        assertThat(blobs).extracting(IncomingBlob::eventId).containsExactly(event.id(), second.id());
        assertThat(blobs)
                .extracting(IncomingBlob::sequencer)
                .containsExactly("00000000000004420000000000028963", "00000000000004420000000000028964");
    }

    @Test
    void acceptsABinaryModeCloudEvent() throws Exception {
        MockHttpServletRequestBuilder request =
                post("/events").contentType(MediaType.APPLICATION_JSON).content(ArgoEvents.binaryModeBody(event));
        event.binaryModeHeaders().forEach(request::header);

        send(request).andExpect(status().isAccepted());

        IncomingBlob blob = submittedBlob();
        assertThat(blob.eventId()).isEqualTo(event.id());
        assertThat(blob.account()).isEqualTo(ACCOUNT);
        assertThat(blob.container()).isEqualTo(CONTAINER);
        assertThat(blob.blobName()).isEqualTo("orders/f1/2026-11-23.csv");
        assertThat(blob.etag()).isEqualTo("0x8DCB1A2B3C4D5E6");
    }

    @Test
    void acceptsAzuritePathStyleUrlsWithEncodedNames() throws Exception {
        StorageEvent azurite = ArgoEvents.blobCreated("devstoreaccount1", CONTAINER, "orders/f 1/día 1.csv")
                .withUrlBase(ArgoEvents.azuriteUrlBase(10000, "devstoreaccount1"));

        send(post("/events").content(ArgoEvents.argoWholeEvent(azurite))).andExpect(status().isAccepted());

        assertThat(submittedBlob().blobName()).isEqualTo("orders/f 1/día 1.csv");
        assertThat(submittedBlob().account()).isEqualTo("devstoreaccount1");
    }

    @Test
    void normalisesAQuotedETag() throws Exception {
        send(post("/events").content(ArgoEvents.argoWholeEvent(event.withETag("\"0x8DCB1A2B3C4D5E6\""))))
                .andExpect(status().isAccepted());

        assertThat(submittedBlob().etag()).isEqualTo("0x8DCB1A2B3C4D5E6");
    }

    @Test
    void recordsCreateFileEventsAsSkipped() throws Exception {
        StorageEvent createFile =
                event.withApi("CreateFile").withContentLength(0).withUrlBase(ArgoEvents.dataLakeUrlBase(ACCOUNT));

        send(post("/events").content(ArgoEvents.argoWholeEvent(createFile)))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.loads[0].status").value("SKIPPED"))
                .andExpect(jsonPath("$.loads[0].reason").value(org.hamcrest.Matchers.containsString("CreateFile")));

        assertThat(submittedBlob().skipReason()).contains("CreateFile");
    }

    @Test
    void recordsZeroLengthBlobsAsSkipped() throws Exception {
        send(post("/events").content(ArgoEvents.argoWholeEvent(event.withContentLength(0))))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.loads[0].status").value("SKIPPED"));

        assertThat(submittedBlob().skipReason()).isEqualTo("zero-length blob");
    }

    @Test
    void recordsOtherEventTypesAsSkipped() throws Exception {
        send(post("/events")
                        .content(ArgoEvents.argoWholeEvent(event.withEventType("Microsoft.Storage.BlobDeleted")
                                .withApi("DeleteBlob"))))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.loads[0].status").value("SKIPPED"));

        assertThat(submittedBlob().skipReason()).contains("Microsoft.Storage.BlobDeleted");
    }

    @Test
    void answersEventGridsSubscriptionValidationHandshake() throws Exception {
        String handshake = """
                [{"id":"2d1781af-3a4c-4d7c-bd0c-e34b19da4e66","topic":"/subscriptions/x/resourceGroups/rg",
                  "subject":"","data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
                  "validationUrl":"https://rp-eastus2.eventgrid.azure.net/api/subscriptions/x/validate"},
                  "eventType":"Microsoft.EventGrid.SubscriptionValidationEvent",
                  "eventTime":"2026-11-23T22:00:00.0000000Z","metadataVersion":"1","dataVersion":"1"}]""";

        send(post("/events").contentType(MediaType.APPLICATION_JSON).content(handshake))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.validationResponse").value("512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));

        verify(loads, never()).submit(anyList());
    }

    @Test
    void recordsABlobCreatedEventDeliveredWithTheValidationHandshake() throws Exception {
        String handshake =
                "{\"id\":\"2d1781af-3a4c-4d7c-bd0c-e34b19da4e66\",\"topic\":\"/subscriptions/x/resourceGroups/rg\","
                        + "\"subject\":\"\",\"data\":{\"validationCode\":\"512d38b6-c7b8-40c8-89fe-f46f9e9622b6\"},"
                        + "\"eventType\":\"Microsoft.EventGrid.SubscriptionValidationEvent\","
                        + "\"eventTime\":\"2026-11-23T22:00:00.0000000Z\",\"metadataVersion\":\"1\",\"dataVersion\":\"1\"}";
        String batch = "[" + handshake + "," + ArgoEvents.eventGridObject(event) + "]";

        send(post("/events").content(batch))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.validationResponse").value("512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));

        assertThat(submittedBlob().blobName()).isEqualTo("orders/f1/2026-11-23.csv");
    }

    @Test
    void skipsAnotherStorageEventTypeByItsTypeBeforeCheckingItsFields() throws Exception {
        // a lifecycle policy run names no blob: its subject is the account's, and it has no blob data
        String lifecycle = "{\"id\":\"9b1f4c0e-lifecycle\",\"topic\":\"/subscriptions/x/resourceGroups/rg/providers"
                + "/Microsoft.Storage/storageAccounts/javasipsfactory\","
                + "\"subject\":\"BlobDataManagement/LifeCycleManagement/SummaryReport\","
                + "\"eventType\":\"Microsoft.Storage.LifecyclePolicyCompleted\",\"eventTime\":\"2026-11-23T22:00:00Z\","
                + "\"data\":{\"scheduleTime\":\"2026/11/23 22:00:00\"},\"dataVersion\":\"1\",\"metadataVersion\":\"1\"}";
        String batch = "[" + lifecycle + "," + ArgoEvents.eventGridObject(event) + "]";

        send(post("/events").content(batch)).andExpect(status().isAccepted());

        // acknowledged, not recorded (it names no blob); the BlobCreated beside it is recorded
        assertThat(submittedBlob().eventType()).isEqualTo("Microsoft.Storage.BlobCreated");
    }

    @Test
    void skipsAnotherTypeNamingABlobByItsTypeWhateverItsData() throws Exception {
        StorageEvent tierChanged = event.withEventType("Microsoft.Storage.BlobTierChanged")
                .withApi("SetBlobTier")
                .withUrlBase("https://elsewhere.example.com");

        send(post("/events").content(ArgoEvents.eventGridArray(tierChanged))).andExpect(status().isAccepted());

        assertThat(submittedBlob().skipReason())
                .isEqualTo("event type Microsoft.Storage.BlobTierChanged is not Microsoft.Storage.BlobCreated");
    }

    @Test
    void answersTheCloudEventsWebhookValidationHandshake() throws Exception {
        mvc.perform(options("/events").header("WebHook-Request-Origin", "eventgrid.azure.net"))
                .andExpect(status().isOk())
                .andExpect(header().string("WebHook-Allowed-Origin", "eventgrid.azure.net"))
                .andExpect(header().string("WebHook-Allowed-Rate", "*"));
    }

    @Test
    void rejectsMalformedJson() throws Exception {
        problem(post("/events").content("{\"topic\": "), HttpStatus.BAD_REQUEST, "invalid-event")
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("not valid JSON")));
    }

    @Test
    void rejectsAnEmptyBody() throws Exception {
        problem(post("/events"), HttpStatus.BAD_REQUEST, "invalid-event");
    }

    @Test
    void rejectsABodyWithoutAStorageEvent() throws Exception {
        problem(post("/events").content("{\"hello\":\"world\"}"), HttpStatus.BAD_REQUEST, "invalid-event")
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("no storage event found")));
    }

    @Test
    void rejectsAnArgoBodyThatIsNotBase64() throws Exception {
        problem(post("/events").content("{\"body\":\"%%% not base64 %%%\"}"), HttpStatus.BAD_REQUEST, "invalid-event")
                .andExpect(jsonPath("$.field").value("/body"));
    }

    @Test
    void rejectsAnEventMissingItsSubjectNamingTheField() throws Exception {
        String noSubject = ArgoEvents.eventGridObject(event).replace("\"subject\":", "\"subjectx\":");

        problem(
                        post("/events").content(ArgoEvents.argoWholeEvent("[" + noSubject + "]")),
                        HttpStatus.BAD_REQUEST,
                        "invalid-event")
                .andExpect(jsonPath("$.field").value("/data(base64)/body(base64)/0/subject"));
    }

    @Test
    void rejectsABlobCreatedEventWithoutETag() throws Exception {
        String noETag = ArgoEvents.eventGridObject(event).replace("\"eTag\":", "\"etagx\":");

        problem(post("/events").content(noETag), HttpStatus.BAD_REQUEST, "invalid-event")
                .andExpect(jsonPath("$.field").value("/data/eTag"));
    }

    @Test
    void rejectsAUrlNamingAnotherBlob() throws Exception {
        String otherBlob = ArgoEvents.eventGridObject(event)
                .replace("factory-uploads/orders/f1/2026-11-23.csv\"", "factory-uploads/orders/f2/2026-11-23.csv\"");

        problem(post("/events").content(otherBlob), HttpStatus.UNPROCESSABLE_CONTENT, "blob-url-mismatch")
                .andExpect(jsonPath("$.blob").value("orders/f1/2026-11-23.csv"));
        verify(loads, never()).submit(anyList());
    }

    @Test
    void rejectsAUrlOfAnotherAccount() throws Exception {
        StorageEvent elsewhere = event.withUrlBase(ArgoEvents.azureUrlBase("attacker"));

        problem(
                post("/events").content(ArgoEvents.argoWholeEvent(elsewhere)),
                HttpStatus.UNPROCESSABLE_CONTENT,
                "blob-url-mismatch");
    }

    @Test
    void rejectsBodiesOverTheConfiguredLimit() throws Exception {
        byte[] big = ("[" + ArgoEvents.eventGridObject(event) + "," + " ".repeat(4096) + "]")
                .getBytes(StandardCharsets.UTF_8);

        problem(post("/events").content(big), HttpStatus.CONTENT_TOO_LARGE, "payload-too-large");
        verify(loads, never()).submit(anyList());
    }

    @Test
    void passesTheLedgersProblemsThrough() throws Exception {
        when(loads.submit(anyList()))
                .thenThrow(new Problem(
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        "unknown-storage-account",
                        "Unknown storage account",
                        "Storage account javasipsfactory is not configured."));

        problem(
                post("/events").content(ArgoEvents.argoWholeEvent(event)),
                HttpStatus.UNPROCESSABLE_CONTENT,
                "unknown-storage-account");
    }

    @Test
    void hidesUnexpectedFailuresBehindAnInternalError() throws Exception {
        when(loads.submit(any())).thenThrow(new IllegalStateException("jdbc:h2:secret-path is locked"));

        problem(
                        post("/events").content(ArgoEvents.argoWholeEvent(event)),
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "internal-error")
                .andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("secret"))));
    }

    @Test
    void refusesOtherMethodsWithAProblem() throws Exception {
        problem(get("/events"), HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed");
    }

    private ResultActions send(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request);
    }

    private ResultActions problem(MockHttpServletRequestBuilder request, HttpStatus status, String kind)
            throws Exception {
        return mvc.perform(request)
                .andExpect(status().is(status.value()))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value(Problem.TYPE_BASE + kind))
                .andExpect(jsonPath("$.status").value(status.value()));
    }

    @SuppressWarnings("unchecked")
    private List<IncomingBlob> submitted() {
        ArgumentCaptor<List<IncomingBlob>> captor = ArgumentCaptor.forClass(List.class);
        verify(loads).submit(captor.capture());
        return captor.getValue();
    }

    private IncomingBlob submittedBlob() {
        List<IncomingBlob> blobs = submitted();
        assertThat(blobs).hasSize(1);
        return blobs.get(0);
    }

    static Load recorded(IncomingBlob blob) {
        LoadStatus status = blob.skipReason() == null ? LoadStatus.QUEUED : LoadStatus.SKIPPED;
        return Load.received(blob, status, blob.skipReason(), null, LoadOrigin.EVENT, Instant.now());
    }
}
