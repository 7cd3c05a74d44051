package io.snowhook.intake;

import io.snowhook.loads.IncomingBlob;
import io.snowhook.loads.Load;
import io.snowhook.loads.LoadService;
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
class EventsController {

    private static final Logger log = LoggerFactory.getLogger(EventsController.class);

    private final Envelopes envelopes;
    private final BlobEvents blobEvents;
    private final LoadService loads;
    private final IntakeProperties properties;

    EventsController(Envelopes envelopes, BlobEvents blobEvents, LoadService loads, IntakeProperties properties) {
        this.envelopes = envelopes;
        this.blobEvents = blobEvents;
        this.loads = loads;
        this.properties = properties;
    }

    @PostMapping("/events")
    ResponseEntity<?> receive(HttpServletRequest request, @RequestHeader HttpHeaders headers) throws IOException {
        byte[] body = BoundedBody.read(request, properties.maxBodySize());
        List<RawEvent> events = envelopes.unwrap(body, headers);
        Optional<String> validationCode = blobEvents.subscriptionValidationCode(events);
        if (validationCode.isPresent()) {
            log.info("Answered Event Grid's subscription validation handshake");
            return ResponseEntity.ok(Map.of("validationResponse", validationCode.get()));
        }
        List<IncomingBlob> blobs =
                events.stream().map(blobEvents::toIncomingBlob).toList();
        List<Load> recorded = loads.submit(blobs);
        for (Load load : recorded) {
            log.info(
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
