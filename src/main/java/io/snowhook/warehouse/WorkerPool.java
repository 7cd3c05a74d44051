package io.snowhook.warehouse;

import java.time.Duration;

/**
 * How the ledger's workers use the warehouse, as the adapters need to know it: the loads one replica runs at once
 * (an adapter with a connection pool sizes it to this, so no worker waits for a connection) and the lease on a
 * claimed load (staged files older than a lease belong to no running try). The loading side publishes it as a bean.
 *
 * @param workers loads running at once in this replica; 0 on an intake-only replica
 * @param lease how long a claimed load is reserved for its worker
 */
public record WorkerPool(int workers, Duration lease) {

    public WorkerPool {
        if (workers < 0) {
            throw new IllegalArgumentException("workers must not be negative: " + workers);
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive: " + lease);
        }
    }
}
