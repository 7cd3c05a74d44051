package io.snowhook.loads.ledger;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The ledger's last hour, minute by minute, and its queue.
 *
 * @param from start of the first minute
 * @param minutes one entry per minute, oldest first, every minute listed
 * @param queued loads waiting for a worker
 * @param loading loads a worker holds
 */
public record LoadStats(Instant from, List<LoadMinute> minutes, long queued, long loading) {

    /**
     * Loads that finished in one minute.
     *
     * @param loaded loads finished {@code LOADED}
     * @param failed loads finished {@code FAILED}
     * @param latencyP50Millis median time from the event (or the operator's request) to {@code LOADED}
     * @param latencyMaxMillis the longest such time
     */
    public record LoadMinute(
            Instant start,
            long loaded,
            long failed,
            @Nullable Long latencyP50Millis,
            @Nullable Long latencyMaxMillis) {}
}
