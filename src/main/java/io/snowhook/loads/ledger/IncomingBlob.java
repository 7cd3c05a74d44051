package io.snowhook.loads.ledger;

import java.net.URI;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One validated storage event as intake hands it to the ledger.
 *
 * @param eventId the Event Grid / CloudEvents id (dedupe key); null for operator ingestions
 * @param eventType e.g. {@code Microsoft.Storage.BlobCreated}
 * @param api the storage API that raised it, e.g. {@code PutBlockList}
 * @param account storage account, from the event's topic
 * @param container container, from the subject
 * @param blobName blob name, from the subject
 * @param etag normalised (unquoted) eTag
 * @param sequencer Event Grid sequencer: orders versions of one blob by string comparison
 * @param contentLength size in bytes as the event reported it
 * @param contentType as the event reported it
 * @param url {@code data.url} as the event reported it (informational: snowhook never connects to it)
 * @param eventTime when storage raised the event
 * @param skipReason set when intake already knows the event is not to be loaded (other event type,
 *     uncommitted API, zero length); it is then recorded as {@code SKIPPED} with this reason
 */
public record IncomingBlob(
        @Nullable String eventId,
        String eventType,
        @Nullable String api,
        String account,
        String container,
        String blobName,
        @Nullable String etag,
        @Nullable String sequencer,
        @Nullable Long contentLength,
        @Nullable String contentType,
        @Nullable URI url,
        @Nullable Instant eventTime,
        @Nullable String skipReason) {}
