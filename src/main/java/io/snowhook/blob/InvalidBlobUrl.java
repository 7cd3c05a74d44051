package io.snowhook.blob;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/**
 * A URL that does not name a blob: no http(s) scheme, no container and blob name in its path, or names
 * longer than the ledger keeps. The URL is repeated without its query, which may hold a SAS signature.
 */
public final class InvalidBlobUrl extends Problem {

    public InvalidBlobUrl(String url, String why) {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-blob-url",
                "Invalid blob URL",
                "'" + BlobUrl.withoutQuery(url) + "' " + why);
        with("url", BlobUrl.withoutQuery(url));
    }
}
