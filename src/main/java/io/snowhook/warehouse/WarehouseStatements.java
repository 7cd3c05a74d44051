package io.snowhook.warehouse;

/**
 * Counts the statements an adapter sends to its warehouse (SQL statements, {@code PUT} uploads, commits and
 * rollbacks) on the thread that runs a load, so the caller can tell what one file cost: the figure batching exists
 * to cut. Hand-written: a counter per thread, where a JDBC proxy library would wrap every connection of two drivers
 * (one of them behind a concrete class) for one number.
 */
public final class WarehouseStatements {

    private static final ThreadLocal<long[]> COUNT = ThreadLocal.withInitial(() -> new long[1]);

    private WarehouseStatements() {}

    /** An adapter sent one statement on this thread. */
    public static void sent() {
        COUNT.get()[0]++;
    }

    /** Statements adapters sent on this thread so far: the difference of two readings is what a call sent. */
    public static long onThisThread() {
        return COUNT.get()[0];
    }
}
