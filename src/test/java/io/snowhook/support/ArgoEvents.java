package io.snowhook.support;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the request bodies that reach {@code POST /events}, exactly as the hops of
 * {@code docs/wire-formats.md} produce them: Azure Storage's {@code BlobCreated} event in the Event Grid
 * and CloudEvents 1.0 schemas, and every envelope an Argo Events Sensor HTTP trigger can wrap it in.
 *
 * <p>Start from {@link #blobCreated(String, String, String)} (or the full {@link StorageEvent}
 * constructor), adjust with the {@code with…} methods, then pick a body:
 *
 * <pre>{@code
 * StorageEvent e = ArgoEvents.blobCreated("devstoreaccount1", "factory-uploads", "orders/f1/2026-11-23.csv")
 *         .withUrlBase(ArgoEvents.azuriteUrlBase(10000, "devstoreaccount1"))
 *         .withETag("0x8DCB1234567890A").withContentLength(2048);
 * String body = ArgoEvents.argoWholeEvent(e); // what a Sensor posts with the whole event as payload
 * }</pre>
 *
 * <p>Every method is static and side-effect free; bodies are returned as UTF-8 JSON strings (post them
 * with no Content-Type to mimic Argo).
 */
public final class ArgoEvents {

    /** The event type Azure Storage raises when a blob is committed. */
    public static final String BLOB_CREATED = "Microsoft.Storage.BlobCreated";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private ArgoEvents() {}

    /**
     * One storage event, the fields a test usually varies. Defaults (see {@link #blobCreated}) are those
     * of a real {@code PutBlockList} on a public Azure account.
     *
     * @param id the Event Grid event id (also the CloudEvents {@code id})
     * @param eventType e.g. {@link #BLOB_CREATED} or {@code Microsoft.Storage.BlobDeleted}
     * @param account the storage account (goes into {@code topic}/{@code source})
     * @param container the container (goes into {@code subject} and {@code data.url})
     * @param blobName the blob name, slashes allowed (goes into {@code subject} and {@code data.url},
     *     URL-encoded there)
     * @param eTag the eTag exactly as it should appear in {@code data.eTag} (quote it yourself to test
     *     the quoted form)
     * @param contentLength {@code data.contentLength}
     * @param sequencer {@code data.sequencer}
     * @param api {@code data.api}, e.g. {@code PutBlob}, {@code PutBlockList}, {@code CreateFile}
     * @param urlBase the blob endpoint that prefixes {@code data.url}: {@link #azureUrlBase(String)},
     *     {@link #dataLakeUrlBase(String)} or {@link #azuriteUrlBase(int, String)}
     * @param eventTime {@code eventTime}/{@code time}; written with 7 fractional digits as Event Grid does
     * @param contentType {@code data.contentType}
     */
    public record StorageEvent(
            String id,
            String eventType,
            String account,
            String container,
            String blobName,
            String eTag,
            long contentLength,
            String sequencer,
            String api,
            String urlBase,
            Instant eventTime,
            String contentType) {

        public StorageEvent withId(String id) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withEventType(String eventType) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withETag(String eTag) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withContentLength(long contentLength) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withSequencer(String sequencer) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withApi(String api) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withUrlBase(String urlBase) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withEventTime(Instant eventTime) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        public StorageEvent withContentType(String contentType) {
            return new StorageEvent(
                    id,
                    eventType,
                    account,
                    container,
                    blobName,
                    eTag,
                    contentLength,
                    sequencer,
                    api,
                    urlBase,
                    eventTime,
                    contentType);
        }

        /** {@code /subscriptions/…/storageAccounts/<account>}: Event Grid's {@code topic}, CloudEvents' {@code source}. */
        public String topic() {
            return "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/javasips"
                    + "/providers/Microsoft.Storage/storageAccounts/" + account;
        }

        /** {@code /blobServices/default/containers/<container>/blobs/<blob name>}. */
        public String subject() {
            return "/blobServices/default/containers/" + container + "/blobs/" + blobName;
        }

        /** {@code data.url}: the URL base, the container and the blob name, each path segment URL-encoded. */
        public String url() {
            String encoded = Arrays.stream(blobName.split("/", -1))
                    .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                    .reduce((a, b) -> a + "/" + b)
                    .orElse("");
            return urlBase + "/" + container + "/" + encoded;
        }

        /** The storage event's {@code data} object, identical in both schemas. */
        public ObjectNode data() {
            ObjectNode data = JSON.createObjectNode();
            data.put("api", api);
            data.put("clientRequestId", "6d79dbfb-0e37-4fc4-981f-442c9ca89e4f");
            data.put("requestId", "831e1650-001e-001b-66ab-eeb76e000000");
            data.put("eTag", eTag);
            data.put("contentType", contentType);
            data.put("contentLength", contentLength);
            data.put("blobType", "BlockBlob");
            data.put("url", url());
            data.put("sequencer", sequencer);
            data.putObject("storageDiagnostics").put("batchId", "b68529f3-68cd-4744-baa4-3c0498ec19f0");
            return data;
        }

        /** The event in the Event Grid schema, as one JSON object. */
        public ObjectNode eventGrid() {
            ObjectNode event = JSON.createObjectNode();
            event.put("topic", topic());
            event.put("subject", subject());
            event.put("eventType", eventType);
            event.put("id", id);
            event.set("data", data());
            event.put("dataVersion", "");
            event.put("metadataVersion", "1");
            event.put("eventTime", eventGridTime(eventTime));
            return event;
        }

        /** The event in the CloudEvents 1.0 schema (structured mode), as one JSON object. */
        public ObjectNode cloudEvent() {
            ObjectNode event = JSON.createObjectNode();
            event.put("source", topic());
            event.put("subject", subject());
            event.put("type", eventType);
            event.put("time", eventGridTime(eventTime));
            event.put("id", id);
            event.set("data", data());
            event.put("specversion", "1.0");
            return event;
        }

        /** The {@code ce-*} headers of this event in CloudEvents binary mode; the body is {@link #data()}. */
        public Map<String, String> binaryModeHeaders() {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("ce-specversion", "1.0");
            headers.put("ce-id", id);
            headers.put("ce-source", topic());
            headers.put("ce-type", eventType);
            headers.put("ce-subject", subject());
            headers.put("ce-time", eventGridTime(eventTime));
            return headers;
        }
    }

    /**
     * A {@code PutBlockList} {@code BlobCreated} event for {@code account/container/blobName} on the
     * public Azure endpoint, with a random id, a fixed eTag, 1 KiB of {@code text/csv} and a fixed
     * sequencer.
     */
    public static StorageEvent blobCreated(String account, String container, String blobName) {
        return new StorageEvent(
                UUID.randomUUID().toString(),
                BLOB_CREATED,
                account,
                container,
                blobName,
                "0x8DCB1A2B3C4D5E6",
                1024,
                "00000000000004420000000000028963",
                "PutBlockList",
                azureUrlBase(account),
                Instant.parse("2026-11-23T22:00:00.1234567Z"),
                "text/csv");
    }

    /** The full form: every field a test or a generator may want to set at once. */
    public static StorageEvent blobCreated(
            String account,
            String container,
            String blobName,
            String eTag,
            long contentLength,
            String sequencer,
            String api,
            String urlBase) {
        return blobCreated(account, container, blobName)
                .withETag(eTag)
                .withContentLength(contentLength)
                .withSequencer(sequencer)
                .withApi(api)
                .withUrlBase(urlBase);
    }

    /** {@code https://<account>.blob.core.windows.net}. */
    public static String azureUrlBase(String account) {
        return "https://" + account + ".blob.core.windows.net";
    }

    /** {@code https://<account>.dfs.core.windows.net} (Data Lake Storage Gen2). */
    public static String dataLakeUrlBase(String account) {
        return "https://" + account + ".dfs.core.windows.net";
    }

    /** Azurite's path style, {@code http://127.0.0.1:<port>/<account>}. */
    public static String azuriteUrlBase(int port, String account) {
        return "http://127.0.0.1:" + port + "/" + account;
    }

    // --- storage-event bodies (what Event Grid delivers, what Event Hubs carries) ---

    /** Event Grid schema, a JSON array: what Event Grid puts in an Event Hubs message. */
    public static String eventGridArray(StorageEvent... events) {
        ArrayNode array = JSON.createArrayNode();
        for (StorageEvent event : events) {
            array.add(event.eventGrid());
        }
        return JSON.writeValueAsString(array);
    }

    /** Event Grid schema, one bare JSON object. */
    public static String eventGridObject(StorageEvent event) {
        return JSON.writeValueAsString(event.eventGrid());
    }

    /** CloudEvents structured mode ({@code application/cloudevents+json}). */
    public static String cloudEvent(StorageEvent event) {
        return JSON.writeValueAsString(event.cloudEvent());
    }

    /** CloudEvents batch mode ({@code application/cloudevents-batch+json}): a JSON array. */
    public static String cloudEventsBatch(StorageEvent... events) {
        ArrayNode array = JSON.createArrayNode();
        for (StorageEvent event : events) {
            array.add(event.cloudEvent());
        }
        return JSON.writeValueAsString(array);
    }

    /** CloudEvents binary mode: the body is {@code data} only; send {@link StorageEvent#binaryModeHeaders()}. */
    public static String binaryModeBody(StorageEvent event) {
        return JSON.writeValueAsString(event.data());
    }

    // --- Argo Events envelopes ---

    /**
     * The whole Argo event, as a Sensor posts it when the payload is the dependency's event: a CloudEvents
     * {@code context} from Argo and {@code data} = BASE64 of the azureEventsHub event-source data
     * {@code {id, partitionKey, body, metadata}}, whose {@code body} is BASE64 of the Event Hubs message
     * — so the storage event is base64-encoded twice. The message carries the events as an Event Grid array.
     */
    public static String argoWholeEvent(StorageEvent... events) {
        return argoWholeEvent(eventGridArray(events));
    }

    /** As {@link #argoWholeEvent(StorageEvent...)}, with any Event Hubs message body (e.g. a bare object). */
    public static String argoWholeEvent(String eventHubsMessageBody) {
        return JSON.writeValueAsString(argoWholeEventNode(eventHubsMessageBody));
    }

    /**
     * {@code {"event": "<the whole Argo event as an escaped JSON string>"}}: what a Sensor posts with
     * {@code src: {dependencyName: d}} and {@code dest: event}.
     */
    public static String argoEventField(StorageEvent... events) {
        return argoEventField(eventGridArray(events));
    }

    /** As {@link #argoEventField(StorageEvent...)}, with any Event Hubs message body. */
    public static String argoEventField(String eventHubsMessageBody) {
        ObjectNode body = JSON.createObjectNode();
        body.put("event", argoWholeEvent(eventHubsMessageBody));
        return JSON.writeValueAsString(body);
    }

    /**
     * {@code {"body": "<BASE64 of the Event Hubs message>"}}: what a Sensor posts with
     * {@code src: {dependencyName: d, dataKey: body}} and {@code dest: body}.
     */
    public static String argoBodyField(StorageEvent... events) {
        return argoBodyField(eventGridArray(events));
    }

    /** As {@link #argoBodyField(StorageEvent...)}, with any Event Hubs message body. */
    public static String argoBodyField(String eventHubsMessageBody) {
        ObjectNode body = JSON.createObjectNode();
        body.put("body", base64(eventHubsMessageBody));
        return JSON.writeValueAsString(body);
    }

    /**
     * The plain Event Hubs message, as a Sensor posts it with {@code dataTemplate: "{{ .Input.body | b64dec }}"}
     * and {@code dest: ""} (Argo v1.9.8+): an Event Grid array.
     */
    public static String argoDecodedBody(StorageEvent... events) {
        return eventGridArray(events);
    }

    /** The Argo event-source data of the azureEventsHub source for one Event Hubs message. */
    public static ObjectNode eventHubsSourceData(String eventHubsMessageBody) {
        ObjectNode data = JSON.createObjectNode();
        data.put("id", UUID.randomUUID().toString());
        data.put("partitionKey", "");
        data.put("body", base64(eventHubsMessageBody));
        data.putObject("metadata");
        return data;
    }

    private static ObjectNode argoWholeEventNode(String eventHubsMessageBody) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode context = event.putObject("context");
        // Argo mints a fresh context id on every dispatch: never a dedupe key.
        context.put("id", UUID.randomUUID().toString().replace("-", ""));
        context.put("source", "azure-events-hub");
        context.put("specversion", "1.0");
        context.put("type", "azureEventsHub");
        context.put("datacontenttype", "application/json");
        context.put("subject", "blob-created");
        context.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("data", base64(JSON.writeValueAsString(eventHubsSourceData(eventHubsMessageBody))));
        return event;
    }

    /** BASE64 (standard alphabet, padded, as Go's encoding/json writes {@code []byte}) of UTF-8 text. */
    public static String base64(String text) {
        return BASE64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Every Argo body shape of one event, by name: handy for parameterised tests. */
    public static Map<String, String> everyArgoShape(StorageEvent event) {
        Map<String, String> shapes = new LinkedHashMap<>();
        shapes.put("whole event", argoWholeEvent(event));
        shapes.put("escaped event field", argoEventField(event));
        shapes.put("base64 body field", argoBodyField(event));
        shapes.put("decoded array", argoDecodedBody(event));
        shapes.put("decoded object", eventGridObject(event));
        return shapes;
    }

    /** Event Grid writes 7 fractional digits: {@code 2026-11-23T22:00:00.1234567Z}. */
    static String eventGridTime(Instant time) {
        String seconds = time.truncatedTo(ChronoUnit.SECONDS).toString();
        return seconds.substring(0, seconds.length() - 1) + String.format(".%07dZ", time.getNano() / 100);
    }

    /** The names of the committing APIs, for generators that vary them. */
    public static List<String> committingApis() {
        return List.of("PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose", "SftpCommit");
    }
}
