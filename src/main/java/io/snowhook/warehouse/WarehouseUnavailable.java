package io.snowhook.warehouse;

/** A transient warehouse failure (network, 5xx/429, session expiry, warehouse busy): worth retrying. */
public class WarehouseUnavailable extends RuntimeException {

    public WarehouseUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
