package io.snowhook.warehouse;

import io.snowhook.system.TransientFailure;

/** A transient warehouse failure (network, 5xx/429, session expiry, warehouse busy): worth retrying. */
public class WarehouseUnavailable extends TransientFailure {

    public WarehouseUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    public WarehouseUnavailable(String message) {
        super(message);
    }
}
