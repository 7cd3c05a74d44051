package io.snowhook.blob;

/** The blob or its container does not exist (permanent). */
public class BlobNotFound extends RuntimeException {

    public BlobNotFound(String message, Throwable cause) {
        super(message, cause);
    }

    public BlobNotFound(String message) {
        super(message);
    }
}
