package io.snowhook.blob;

import java.time.Instant;
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

    /**
     * Pins one blob version: a server-side copy (Copy Blob, no bytes through snowhook) of {@code id}, on condition
     * that its eTag is still {@code expectedEtag}, to {@code pinnedName} in the same container. The copy is
     * complete when this returns; later writes to {@code id} do not change it.
     *
     * @throws BlobNotFound the blob (or its container) does not exist
     * @throws BlobChanged the blob exists with another eTag: a newer version replaced it
     * @throws BlobUnavailable transient failure: retry
     * @throws BlobAccessDenied authentication or authorisation failed: permanent
     */
    void pin(BlobId id, String expectedEtag, String pinnedName);

    /** Deletes a blob (a pinned copy) if it exists. */
    void delete(BlobId id);

    /**
     * Deletes the blobs of one container whose names start with {@code prefix} and that were last modified before
     * {@code cutoff}: pinned copies no running load uses any more.
     *
     * @return how many were deleted
     */
    int deleteOlderThan(String account, String container, String prefix, Instant cutoff);

    /** A cheap round trip for health: each configured container of every account is reachable. Throws when not. */
    void check();

    /**
     * A cheap round trip for health and outage probes: each configured container of one account is
     * reachable. Throws when not ({@link BlobUnavailable} when storage does not answer).
     */
    void check(String account);
}
