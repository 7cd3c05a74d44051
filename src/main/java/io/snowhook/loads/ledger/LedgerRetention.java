package io.snowhook.loads.ledger;

import java.time.Duration;

/**
 * How long the ledger keeps a final load ({@code snowhook.loads.retention}; zero keeps it for ever), for the
 * features whose own windows must fit inside it: a load purged is a version the ledger no longer knows.
 */
public record LedgerRetention(Duration retention) {

    /** Whether a window of {@code window} ends before the ledger forgets what it saw in it. */
    public boolean outlasts(Duration window) {
        return retention.isZero() || retention.compareTo(window) > 0;
    }
}
