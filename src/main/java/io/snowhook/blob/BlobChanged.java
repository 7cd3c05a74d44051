package io.snowhook.blob;

/** The blob exists with another eTag than the load's: a newer version replaced it (permanent for this load). */
public class BlobChanged extends RuntimeException {

    public BlobChanged(String message, Throwable cause) {
        super(message, cause);
    }

    public BlobChanged(String message) {
        super(message);
    }
}
