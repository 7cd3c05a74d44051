package io.snowhook.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.snowhook.blob.BlobUrl;
import io.snowhook.blob.ETag;
import io.snowhook.loads.ledger.IncomingBlob;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Validates one storage event and turns it into the {@link IncomingBlob} the ledger records: the blob is
 * named by topic/source (account) and subject (container, blob), and {@code data.url} must name the same
 * blob. Events that are well-formed but not for loading — another event type, an API that does not commit
 * a blob, a zero-length blob — come back with a skip reason, so they are recorded too.
 */
@Component
class BlobEvents {

    private static final Logger log = LoggerFactory.getLogger(BlobEvents.class);

    static final String BLOB_CREATED = "Microsoft.Storage.BlobCreated";
    static final String SUBSCRIPTION_VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";

    /** The APIs after which a blob is fully committed; CreateFile and SftpCreate come before the data. */
    static final Set<String> COMMITTING_APIS =
            Set.of("PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose", "SftpCommit");

    // Azure resource ids are case-insensitive; the account name is the segment after storageAccounts.
    private static final Pattern TOPIC =
            Pattern.compile("(?i).*/providers/Microsoft\\.Storage/storageAccounts/([^/]+)/?");
    private static final Pattern SUBJECT = Pattern.compile("/?blobServices/default/containers/([^/]+)/blobs/(.+)");

    /**
     * The validation code when the events are Event Grid's subscription validation handshake, which Event
     * Grid sends alone when a webhook subscription is created.
     */
    Optional<String> subscriptionValidationCode(java.util.List<RawEvent> events) {
        for (RawEvent event : events) {
            if (SUBSCRIPTION_VALIDATION.equals(event.type())) {
                JsonNode code = event.node().path("data").path("validationCode");
                if (!code.isString() || code.asString().isBlank()) {
                    throw new InvalidEvent(event.pointer("data/validationCode"), "is missing.");
                }
                return Optional.of(code.asString());
            }
        }
        return Optional.empty();
    }

    private final @Nullable MeterRegistry meters;

    @Autowired
    BlobEvents(ObjectProvider<MeterRegistry> meters) {
        this.meters = meters.getIfAvailable();
    }

    /** Without metrics. */
    BlobEvents() {
        this.meters = null;
    }

    /**
     * The blob a storage event is about, or empty for an event that is not about loading one and names no
     * blob (it is acknowledged and counted in {@code snowhook.intake.events.ignored}). Any type but
     * BlobCreated is skipped by its type before any other check: recorded {@code SKIPPED} with its type as
     * the reason when topic and subject name an account, container and blob. The handshake event is
     * answered by {@link #subscriptionValidationCode} and is empty here.
     *
     * @throws InvalidEvent when a BlobCreated event misses a required field or has a malformed one
     * @throws BlobUrlMismatch when {@code data.url} names another blob than topic and subject
     */
    Optional<IncomingBlob> toIncomingBlob(RawEvent event) {
        RawEvent.Schema schema = event.schema();
        String type = requiredText(event, event.node(), schema.typeField);
        if (SUBSCRIPTION_VALIDATION.equals(type)) {
            return Optional.empty();
        }
        if (!BLOB_CREATED.equals(type)) {
            return otherType(event, type);
        }
        return Optional.of(blobCreated(event, type));
    }

    /** An event of another type: skipped by its type, its other fields read only to name the blob. */
    private Optional<IncomingBlob> otherType(RawEvent event, String type) {
        JsonNode node = event.node();
        Matcher topic = TOPIC.matcher(lenientText(node, event.schema().topicField));
        Matcher subject = SUBJECT.matcher(lenientText(node, "subject"));
        if (!topic.matches() || !subject.matches()) {
            if (meters != null) {
                meters.counter("snowhook.intake.events.ignored", "type", abbreviate(type))
                        .increment();
            }
            log.info("Acknowledged an event of type {} that names no blob; nothing to record", abbreviate(type));
            return Optional.empty();
        }
        String id = lenientText(node, "id");
        Instant eventTime;
        try {
            eventTime = time(event);
        } catch (InvalidEvent e) {
            eventTime = null;
        }
        return Optional.of(new IncomingBlob(
                id.isBlank() ? null : id,
                type,
                null,
                topic.group(1),
                subject.group(1),
                subject.group(2),
                null,
                null,
                null,
                null,
                null,
                eventTime,
                notBlobCreated(type)));
    }

    private static String lenientText(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value != null && value.isString() ? value.asString() : "";
    }

    private static String abbreviate(String type) {
        return type.length() <= 100 ? type : type.substring(0, 100);
    }

    private IncomingBlob blobCreated(RawEvent event, String type) {
        RawEvent.Schema schema = event.schema();
        String id = requiredText(event, event.node(), "id");

        String topic = requiredText(event, event.node(), schema.topicField);
        Matcher topicMatch = TOPIC.matcher(topic);
        if (!topicMatch.matches()) {
            throw new InvalidEvent(
                    event.pointer(schema.topicField),
                    "must be a storage account resource id ending in /providers/Microsoft.Storage/storageAccounts/<account>.");
        }
        String account = topicMatch.group(1);

        String subject = requiredText(event, event.node(), "subject");
        Matcher subjectMatch = SUBJECT.matcher(subject);
        if (!subjectMatch.matches()) {
            throw new InvalidEvent(
                    event.pointer("subject"),
                    "must be /blobServices/default/containers/<container>/blobs/<blob name>.");
        }
        String container = subjectMatch.group(1);
        String blob = subjectMatch.group(2);

        Instant eventTime = time(event);
        JsonNode data = event.node().get("data");
        if (data == null || !data.isObject()) {
            throw new InvalidEvent(event.pointer("data"), "is missing; a BlobCreated event needs its data object.");
        }

        String urlText = optionalText(event, data, "url");
        URI url = null;
        if (urlText != null) {
            url = url(event, urlText);
            if (!BlobUrl.names(url, account, container, blob)) {
                throw new BlobUrlMismatch(event.pointer("data/url"), account, container, blob);
            }
        }
        String api = requiredText(event, data, "api");
        String rawETag = requiredText(event, data, "eTag");
        Long contentLength = requiredLength(event, data);
        String sequencer = optionalText(event, data, "sequencer");
        String contentType = optionalText(event, data, "contentType");

        String skipReason = null;
        if (!COMMITTING_APIS.contains(api)) {
            skipReason = "api " + api + " does not commit a blob (only "
                    + String.join(", ", COMMITTING_APIS.stream().sorted().toList()) + " do)";
        } else if (url == null) {
            throw new InvalidEvent(event.pointer("data/url"), "is missing.");
        } else if (contentLength != null && contentLength == 0) {
            skipReason = "zero-length blob";
        }
        return new IncomingBlob(
                id,
                type,
                api,
                account,
                container,
                blob,
                rawETag == null ? null : ETag.unquoted(rawETag),
                sequencer,
                contentLength,
                contentType,
                url,
                eventTime,
                skipReason);
    }

    private static String notBlobCreated(String type) {
        return "event type " + type + " is not " + BLOB_CREATED;
    }

    private static URI url(RawEvent event, String text) {
        try {
            URI url = new URI(text);
            if (!BlobUrl.isHttp(url)) {
                throw new InvalidEvent(event.pointer("data/url"), "must be an absolute http(s) URL.");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new InvalidEvent(event.pointer("data/url"), "is not a valid URL.");
        }
    }

    private static @Nullable Instant time(RawEvent event) {
        String field = event.schema().timeField;
        String text = optionalText(event, event.node(), field);
        if (text == null) {
            return null;
        }
        try {
            // ISO_OFFSET_DATE_TIME takes Event Grid's 7 fractional digits and Argo's whole seconds alike.
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEvent(event.pointer(field), "is not an RFC 3339 timestamp.");
        }
    }

    private static String requiredText(RawEvent event, JsonNode object, String field) {
        String value = optionalText(event, object, field);
        if (value == null || value.isBlank()) {
            throw new InvalidEvent(pointer(event, object, field), "is missing.");
        }
        return value;
    }

    private static @Nullable String optionalText(RawEvent event, JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new InvalidEvent(pointer(event, object, field), "must be a string.");
        }
        return value.asString();
    }

    private static Long requiredLength(RawEvent event, JsonNode data) {
        Long length = optionalLength(event, data);
        if (length == null) {
            throw new InvalidEvent(event.pointer("data/contentLength"), "is missing.");
        }
        return length;
    }

    private static @Nullable Long optionalLength(RawEvent event, JsonNode data) {
        JsonNode value = data.get("contentLength");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new InvalidEvent(event.pointer("data/contentLength"), "must be a non-negative integer.");
        }
        return value.asLong();
    }

    private static String pointer(RawEvent event, JsonNode object, String field) {
        return object == event.node() ? event.pointer(field) : event.pointer("data/" + field);
    }
}
