package io.snowhook.intake;

import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /events}: storage events in whatever envelope Argo Events or Event Grid sends, recorded in
 * the ledger before the {@code 202}. The body is read as bytes whatever its Content-Type (Argo sends none).
 */
@RestController
@EnableConfigurationProperties(IntakeProperties.class)
@Tag(name = "intake", description = "Storage events from Argo Events or Event Grid")
class EventsController {

    private static final String EXAMPLE = """
            [{"topic":"/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
              "subject":"/blobServices/default/containers/factory-uploads/blobs/orders/f1/2026-11-23.csv",
              "eventType":"Microsoft.Storage.BlobCreated","eventTime":"2026-11-23T22:00:00.1234567Z",
              "id":"8d2e7c1a-0b3f-4c55-9e0a-1f2d3c4b5a69","dataVersion":"","metadataVersion":"1",
              "data":{"api":"PutBlockList","eTag":"0x8DCB1A2B3C4D5E6","contentType":"text/csv","contentLength":2048,
                      "blobType":"BlockBlob",
                      "url":"http://127.0.0.1:10000/devstoreaccount1/factory-uploads/orders/f1/2026-11-23.csv",
                      "sequencer":"00000000000004420000000000028963"}}]""";

    private static final Logger log = LoggerFactory.getLogger(EventsController.class);

    private final Envelopes envelopes;
    private final BlobEvents blobEvents;
    private final IncomingBlobCheck check;
    private final LoadService loads;
    private final IntakeProperties properties;

    EventsController(
            Envelopes envelopes,
            BlobEvents blobEvents,
            IncomingBlobCheck check,
            LoadService loads,
            IntakeProperties properties) {
        this.envelopes = envelopes;
        this.blobEvents = blobEvents;
        this.check = check;
        this.loads = loads;
        this.properties = properties;
    }

    @PostMapping("/events")
    @Operation(
            summary = "Record storage events: every Argo Events envelope, Event Grid and CloudEvents 1.0",
            description = "The body is read whatever its Content-Type (Argo sends none). Accepted shapes: Argo's"
                    + " whole event (context + base64 data whose body is base64 again), {\"event\": \"<escaped"
                    + " JSON>\"}, {\"body\": \"<base64>\"}, a plain Event Grid event or array, CloudEvents"
                    + " structured, batch or binary (ce-* headers). Event Grid's SubscriptionValidationEvent is"
                    + " answered with 200 {\"validationResponse\": code}, the other events of its request recorded."
                    + " Event types other than BlobCreated are skipped by type: SKIPPED when they name a blob, else"
                    + " acknowledged without a load.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = "application/json",
                                            schema = @Schema(type = "string", format = "binary"),
                                            examples = @ExampleObject(name = "Event Grid array", value = EXAMPLE))),
            responses = {
                @ApiResponse(
                        responseCode = "202",
                        description = "Recorded (or already known); one load per event, in order; Location when one",
                        content = @Content(schema = @Schema(implementation = EventsAccepted.class))),
                @ApiResponse(responseCode = "400", description = "invalid-event", content = @Content),
                @ApiResponse(
                        responseCode = "422",
                        description = "blob-url-mismatch, unknown-storage-account or untrusted-blob-url",
                        content = @Content),
                @ApiResponse(responseCode = "413", description = "payload-too-large", content = @Content)
            })
    ResponseEntity<?> receive(HttpServletRequest request, @Parameter(hidden = true) @RequestHeader HttpHeaders headers)
            throws IOException {
        byte[] body = BoundedBody.read(request, properties.maxBodySize());
        List<RawEvent> events = envelopes.unwrap(body, headers);
        Optional<String> validationCode = blobEvents.subscriptionValidationCode(events);
        List<IncomingBlob> blobs = events.stream()
                .map(blobEvents::toIncomingBlob)
                .flatMap(Optional::stream)
                .toList();
        blobs = check.admitted(blobs);
        List<Load> recorded = blobs.isEmpty() ? List.of() : loads.submit(blobs);
        if (validationCode.isPresent()) {
            // Event Grid counts any 2xx as delivered: the events beside the handshake are recorded above
            log.info(
                    "Answered Event Grid's subscription validation handshake ({} other events recorded)",
                    recorded.size());
            return ResponseEntity.ok(Map.of("validationResponse", validationCode.get()));
        }
        for (Load load : recorded) {
            log.debug(
                    "Event {} recorded as load {} for blob {}/{}/{}: {}",
                    load.eventId(),
                    load.id(),
                    load.account(),
                    load.container(),
                    load.blob(),
                    load.status());
        }
        ResponseEntity.BodyBuilder accepted = ResponseEntity.accepted();
        if (recorded.size() == 1) {
            accepted.location(URI.create("/loads/" + recorded.get(0).id()));
        }
        return accepted.body(EventsAccepted.of(recorded));
    }

    /**
     * The CloudEvents webhook validation handshake (CloudEvents HTTP webhook spec, section 4), which Azure
     * Event Grid performs before delivering CloudEvents to an endpoint.
     */
    @RequestMapping(path = "/events", method = RequestMethod.OPTIONS)
    @Operation(summary = "CloudEvents webhook validation handshake (WebHook-Request-Origin → WebHook-Allowed-Origin)")
    ResponseEntity<Void> validateWebhook(
            @RequestHeader(name = "WebHook-Request-Origin", required = false) @Nullable String origin) {
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok()
                .allow(org.springframework.http.HttpMethod.POST, org.springframework.http.HttpMethod.OPTIONS);
        if (origin != null && !origin.isBlank()) {
            ok.header("WebHook-Allowed-Origin", origin).header("WebHook-Allowed-Rate", "*");
        }
        return ok.build();
    }
}
