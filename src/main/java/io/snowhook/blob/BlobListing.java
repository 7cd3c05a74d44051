package io.snowhook.blob;

import org.jspecify.annotations.Nullable;

/** Lists the blobs of the configured containers only, a page at a time. */
public interface BlobListing {

    /**
     * One page of the flat listing of the blobs whose names start with {@code prefix}, in name order: current
     * versions only (no snapshots, versions or deleted blobs).
     *
     * @param continuation where the previous page ended ({@link BlobPage#continuation()}), null for the first
     * @param pageSize at most this many blobs (Azure caps a page at 5000)
     * @throws BlobNotFound the container does not exist
     * @throws BlobUnavailable transient failure: retry later
     * @throws BlobAccessDenied authentication or authorisation failed, or the container is not configured
     */
    BlobPage list(String account, String container, String prefix, @Nullable String continuation, int pageSize);
}
