package io.snowhook.loads.work;

import io.snowhook.warehouse.CommitFence;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.InputStream;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The real warehouse behind a switch that makes the next loads fail, transiently or for good, before they
 * reach it — a warehouse that is briefly busy or misconfigured.
 */
class FlakyWarehouse implements Warehouse {

    private final Warehouse real;
    private final AtomicInteger transientFaults = new AtomicInteger();
    private final AtomicInteger permanentFaults = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    FlakyWarehouse(Warehouse real) {
        this.real = real;
    }

    /** The next {@code times} loads fail with {@link WarehouseUnavailable}. */
    void failTransiently(int times) {
        transientFaults.set(times);
    }

    /** The next {@code times} loads fail with {@link WarehouseFailure}. */
    void failPermanently(int times) {
        permanentFaults.set(times);
    }

    /** Loads wait before reaching the warehouse until {@link #unblock()}. */
    void block() {
        gate = new CountDownLatch(1);
    }

    void unblock() {
        gate.countDown();
    }

    /** How many loads are waiting at the gate now. */
    int waiting() {
        return waiting.get();
    }

    void heal() {
        transientFaults.set(0);
        permanentFaults.set(0);
        unblock();
    }

    @Override
    public boolean readsFromStorage(FileLoad file) {
        return real.readsFromStorage(file);
    }

    @Override
    public LoadResult load(FileLoad file, @Nullable InputStream content, CommitFence fence) {
        waiting.incrementAndGet();
        try {
            if (!gate.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            waiting.decrementAndGet();
        }
        if (transientFaults.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new WarehouseUnavailable(
                    "warehouse busy (injected)", new SQLTransientConnectionException("injected"));
        }
        if (permanentFaults.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new WarehouseFailure("table missing (injected)", new IllegalStateException("injected"));
        }
        return real.load(file, content, fence);
    }

    @Override
    public void check() {
        real.check();
    }
}
