package io.snowhook.sweep;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One sweep as the ledger records it.
 *
 * @param prefix the one prefix listed; null for every routed prefix
 * @param modifiedSince blobs last modified before this are not queued; null for no bound
 * @param requestedBy {@code SCHEDULE} or {@code OPERATOR}
 * @param scheduledFor the start of the schedule's interval, for scheduled sweeps
 * @param listed blobs listed so far
 * @param prefixIndex the prefix being listed (index into the sweep's prefixes)
 * @param continuation the listing's token after the last page compared; null at the start of a prefix
 * @param attempts how many times a replica took the sweep
 * @param sweeper the replica running it (or that ran it last)
 */
record Sweep(
        UUID id,
        String account,
        String container,
        @Nullable String prefix,
        @Nullable Instant modifiedSince,
        String requestedBy,
        @Nullable Instant scheduledFor,
        SweepStatus status,
        long listed,
        int prefixIndex,
        @Nullable String continuation,
        int attempts,
        @Nullable String sweeper,
        @Nullable String error,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt) {

    static final String SCHEDULE = "SCHEDULE";
    static final String OPERATOR = "OPERATOR";
}
