package io.snowhook.blob;

/** Storage refused snowhook's credentials (permanent). */
public class BlobAccessDenied extends RuntimeException {

    public BlobAccessDenied(String message, Throwable cause) {
        super(message, cause);
    }

    public BlobAccessDenied(String message) {
        super(message);
    }
}
