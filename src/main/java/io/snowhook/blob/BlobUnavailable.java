package io.snowhook.blob;

/** A transient storage failure (I/O, timeout, HTTP 5xx or 429): worth retrying. */
public class BlobUnavailable extends RuntimeException {

    public BlobUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    public BlobUnavailable(String message) {
        super(message);
    }
}
