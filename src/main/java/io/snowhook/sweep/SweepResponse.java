package io.snowhook.sweep;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A sweep and its progress: blobs listed so far, and the loads it queued — how many, how many reached a final
 * state, loaded and failed. Absent values are {@code null}, never left out.
 *
 * @param queued loads this sweep recorded (blob versions it found without a load)
 * @param finished of those, loads in a final state ({@code LOADED}, {@code FAILED}, {@code SUPERSEDED})
 * @param attempts how many times a replica took the sweep (more than 1: resumed after a replica stopped or died)
 * @param sweeper the replica running it, or that ran it last
 */
record SweepResponse(
        UUID id,
        SweepStatus status,
        String account,
        String container,
        @Nullable String prefix,
        @Nullable Instant modifiedSince,
        String requestedBy,
        @Nullable Instant scheduledFor,
        long listed,
        long queued,
        long finished,
        long loaded,
        long failed,
        int attempts,
        @Nullable String sweeper,
        @Nullable String error,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt) {

    static SweepResponse of(Sweep sweep, Map<String, Long> loads) {
        long queued = loads.values().stream().mapToLong(Long::longValue).sum();
        long loaded = loads.getOrDefault("LOADED", 0L);
        long failed = loads.getOrDefault("FAILED", 0L);
        long superseded = loads.getOrDefault("SUPERSEDED", 0L);
        long skipped = loads.getOrDefault("SKIPPED", 0L);
        return new SweepResponse(
                sweep.id(),
                sweep.status(),
                sweep.account(),
                sweep.container(),
                sweep.prefix(),
                sweep.modifiedSince(),
                sweep.requestedBy(),
                sweep.scheduledFor(),
                sweep.listed(),
                queued,
                loaded + failed + superseded + skipped,
                loaded,
                failed,
                sweep.attempts(),
                sweep.sweeper(),
                sweep.error(),
                sweep.createdAt(),
                sweep.startedAt(),
                sweep.finishedAt());
    }
}
