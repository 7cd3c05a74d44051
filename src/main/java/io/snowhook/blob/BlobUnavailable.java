package io.snowhook.blob;

import io.snowhook.system.TransientFailure;

/** A transient storage failure (I/O, timeout, HTTP 5xx or 429): worth retrying. */
public class BlobUnavailable extends TransientFailure {

    public BlobUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    public BlobUnavailable(String message) {
        super(message);
    }
}
