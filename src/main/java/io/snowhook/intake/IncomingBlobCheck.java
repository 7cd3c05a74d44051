package io.snowhook.intake;

import io.snowhook.blob.StorageAccounts;
import io.snowhook.loads.ledger.IncomingBlob;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * What intake checks before the ledger records an event's blob: the storage allow-list, the URL's host, and
 * the values the ledger can store (field lengths, characters, timestamps). Nothing of a request is recorded
 * when one of its events fails.
 */
@Component
class IncomingBlobCheck {

    private static final String BLOB_CREATED = "Microsoft.Storage.BlobCreated";

    private final StorageAccounts accounts;

    IncomingBlobCheck(StorageAccounts accounts) {
        this.accounts = accounts;
    }

    /**
     * The blobs to record, in order: every blob checked, except events of another type than BlobCreated
     * about a container outside the allow-list, which are left out (not refused: they are not for snowhook).
     *
     * @throws io.snowhook.system.Problem 400 {@code invalid-event} naming the field for a value the ledger
     *     cannot store (NUL, a lone surrogate, control characters outside the blob name, a timestamp outside
     *     years 0001–9999, a value longer than its column); 422 {@code unknown-storage-account} for a blob
     *     outside the allow-list; 422 {@code untrusted-blob-url} for a {@code data.url} host the account
     *     cannot have
     */
    List<IncomingBlob> admitted(List<IncomingBlob> incoming) {
        List<IncomingBlob> blobs = incoming.stream()
                .filter(b -> !(isOtherType(b) && !accounts.allows(b.account(), b.container())))
                .toList();
        blobs.forEach(this::check);
        return blobs;
    }

    private static boolean isOtherType(IncomingBlob blob) {
        return blob.skipReason() != null && !BLOB_CREATED.equals(blob.eventType());
    }

    private void check(IncomingBlob blob) {
        checkLength("id", blob.eventId(), 200);
        checkLength("eventType", blob.eventType(), 200);
        checkLength("api", blob.api(), 64);
        checkLength("account", blob.account(), 64);
        checkLength("container", blob.container(), 64);
        checkLength("blob", blob.blobName(), 1024);
        checkLength("eTag", blob.etag(), 128);
        checkLength("sequencer", blob.sequencer(), 64);
        checkLength("contentType", blob.contentType(), 200);
        InvalidField.check("id", blob.eventId(), false);
        InvalidField.check("eventType", blob.eventType(), false);
        InvalidField.check("api", blob.api(), false);
        InvalidField.check("account", blob.account(), false);
        InvalidField.check("container", blob.container(), false);
        InvalidField.check("blob", blob.blobName(), true);
        InvalidField.check("eTag", blob.etag(), false);
        InvalidField.check("sequencer", blob.sequencer(), false);
        InvalidField.check("contentType", blob.contentType(), false);
        InvalidField.check("eventTime", blob.eventTime());
        accounts.checkAllowed(blob.account(), blob.container(), blob.blobName());
        URI url = blob.url();
        if (url != null) {
            accounts.checkUrlHost(blob.account(), url, blob.blobName());
        }
    }

    /** The limits are the column sizes of V1__create_loads.sql; Azure's own values are well within them. */
    private static void checkLength(String field, @Nullable String value, int max) {
        if (value != null && value.length() > max) {
            throw new FieldTooLong(field, max);
        }
    }
}
