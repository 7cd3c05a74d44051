package io.snowhook.blob;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a container listing.
 *
 * @param continuation the opaque token for the next page; null when this page is the last
 */
public record BlobPage(List<ListedBlob> blobs, @Nullable String continuation) {}
