package io.snowhook.blob;

/**
 * Storage refused the request for a reason retrying cannot fix (an HTTP 4xx other than 401, 403, 404,
 * 408, 412 and 429, or a client that cannot be used): permanent.
 */
public class BlobRefused extends RuntimeException {

    public BlobRefused(String message, Throwable cause) {
        super(message, cause);
    }
}
