package io.snowhook.warehouse;

/** A permanent warehouse failure that is not about the data (auth, missing object, SQL compilation): not retried. */
public class WarehouseFailure extends RuntimeException {

    public WarehouseFailure(String message, Throwable cause) {
        super(message, cause);
    }

    public WarehouseFailure(String message) {
        super(message);
    }
}
