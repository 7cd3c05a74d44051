package io.snowhook.loads.ledger;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Builds incoming blobs of the shipped test configuration (Azurite's account, container factory-uploads). */
public final class Blobs {

    public static final String ACCOUNT = "devstoreaccount1";
    public static final String CONTAINER = "factory-uploads";

    private Blobs() {}

    /** A blob name under {@code orders/} no other test uses. */
    public static String uniqueOrders() {
        return "orders/f" + UUID.randomUUID() + "/2026-11-23.csv";
    }

    public static IncomingBlob event(String eventId, String blob, String etag, @Nullable String sequencer) {
        return new IncomingBlob(
                eventId,
                "Microsoft.Storage.BlobCreated",
                "PutBlockList",
                ACCOUNT,
                CONTAINER,
                blob,
                etag,
                sequencer,
                1024L,
                "text/csv",
                URI.create("http://127.0.0.1:10000/" + ACCOUNT + "/" + CONTAINER + "/" + blob),
                Instant.parse("2026-11-23T22:00:00.123456Z"),
                null);
    }

    public static IncomingBlob event(String blob, String etag, String sequencer) {
        return event(UUID.randomUUID().toString(), blob, etag, sequencer);
    }

    public static IncomingBlob skipped(String blob, String reason) {
        return new IncomingBlob(
                UUID.randomUUID().toString(),
                "Microsoft.Storage.BlobCreated",
                "CreateFile",
                ACCOUNT,
                CONTAINER,
                blob,
                "0x8DC0000000000EMPTY",
                "00000000000000000000000000000001",
                0L,
                null,
                null,
                null,
                reason);
    }

    public static IncomingBlob withAccount(IncomingBlob b, String account, String container) {
        return new IncomingBlob(
                b.eventId(),
                b.eventType(),
                b.api(),
                account,
                container,
                b.blobName(),
                b.etag(),
                b.sequencer(),
                b.contentLength(),
                b.contentType(),
                null,
                b.eventTime(),
                b.skipReason());
    }

    public static IncomingBlob withUrl(IncomingBlob b, URI url) {
        return new IncomingBlob(
                b.eventId(),
                b.eventType(),
                b.api(),
                b.account(),
                b.container(),
                b.blobName(),
                b.etag(),
                b.sequencer(),
                b.contentLength(),
                b.contentType(),
                url,
                b.eventTime(),
                b.skipReason());
    }
}
