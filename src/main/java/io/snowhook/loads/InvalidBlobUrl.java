package io.snowhook.loads;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A URL that does not name a blob: no http(s) scheme, or no container and blob name in its path. */
final class InvalidBlobUrl extends Problem {

    InvalidBlobUrl(String url, String why) {
        super(HttpStatus.BAD_REQUEST, "invalid-blob-url", "Invalid blob URL", "'" + url + "' " + why);
        with("url", url);
    }
}
