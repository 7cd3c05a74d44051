package io.snowhook.blob;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The current version of one blob as a listing shows it.
 *
 * @param etag normalised (unquoted), as events carry it
 */
public record ListedBlob(
        String name,
        String etag,
        long size,
        Instant lastModified,
        @Nullable String contentType) {}
