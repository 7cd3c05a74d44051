package io.snowhook.blob;

import org.jspecify.annotations.Nullable;

/**
 * Streams blobs from the configured storage accounts only — never from a host named in an event.
 */
public interface BlobSource {

    /**
     * Opens one blob version for reading; the caller closes it.
     *
     * @param expectedEtag the normalised eTag the load is for, and the read is conditional on it; null
     *     reads the current version (an operator ingestion of a blob seen for the first time)
     * @throws BlobNotFound the blob (or its container) does not exist
     * @throws BlobChanged the blob exists with another eTag: a newer version replaced it
     * @throws BlobUnavailable transient failure (I/O, timeout, 5xx, 429): retry
     * @throws BlobAccessDenied authentication or authorisation failed: permanent
     */
    BlobContent open(BlobId id, @Nullable String expectedEtag);

    /** A cheap round trip for health: each configured container of every account is reachable. Throws when not. */
    void check();

    /**
     * A cheap round trip for health and outage probes: each configured container of one account is
     * reachable. Throws when not ({@link BlobUnavailable} when storage does not answer).
     */
    void check(String account);
}
