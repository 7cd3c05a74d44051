package io.snowhook.loads.work;

import io.snowhook.loads.ledger.LoadStatus;
import org.jspecify.annotations.Nullable;

/**
 * The final outcome of one load, as its worker records it on the ledger row.
 *
 * @param attempts tries made, across restarts
 * @param etagRead the eTag of the version read, for a load queued without one (the blob's current version)
 */
record Outcome(
        LoadStatus status,
        int attempts,
        @Nullable Long rowsParsed,
        @Nullable Long rowsLoaded,
        @Nullable Long bytes,
        @Nullable String reason,
        @Nullable String error,
        @Nullable Long errorLine,
        @Nullable String errorColumn,
        @Nullable String etagRead) {

    /** The file is in the warehouse: {@code rowsLoaded} of {@code rowsParsed} rows, {@code bytes} read. */
    static Outcome loaded(
            int attempts, long rowsParsed, long rowsLoaded, @Nullable Long bytes, @Nullable String etagRead) {
        return new Outcome(
                LoadStatus.LOADED, attempts, rowsParsed, rowsLoaded, bytes, null, null, null, null, etagRead);
    }

    /** The load failed for good: its first error, and where in the file when the warehouse names it. */
    static Outcome failed(int attempts, String error, @Nullable Long errorLine, @Nullable String errorColumn) {
        return new Outcome(LoadStatus.FAILED, attempts, null, null, null, null, error, errorLine, errorColumn, null);
    }

    /** A newer version replaced the blob before it was read. */
    static Outcome superseded(int attempts, String reason) {
        return new Outcome(LoadStatus.SUPERSEDED, attempts, null, null, null, reason, null, null, null, null);
    }
}
