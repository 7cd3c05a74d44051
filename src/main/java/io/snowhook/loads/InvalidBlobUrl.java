package io.snowhook.loads;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/**
 * A URL that does not name a blob: no http(s) scheme, no container and blob name in its path, or names
 * longer than the ledger keeps. The URL is repeated without its query, which may hold a SAS signature.
 */
final class InvalidBlobUrl extends Problem {

    InvalidBlobUrl(String url, String why) {
        super(HttpStatus.BAD_REQUEST, "invalid-blob-url", "Invalid blob URL", "'" + withoutQuery(url) + "' " + why);
        with("url", withoutQuery(url));
    }

    /** A SAS token is never repeated, in an answer or in the log. */
    static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }
}
