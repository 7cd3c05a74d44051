package io.snowhook.loads.ledger;

/** The states of a load: {@code QUEUED → LOADING → LOADED | FAILED}, plus {@code SKIPPED} and {@code SUPERSEDED}. */
public enum LoadStatus {
    /** Recorded, waiting for a worker. */
    QUEUED,
    /** Claimed by a worker, under a lease. */
    LOADING,
    /** All rows of the file are in the table. */
    LOADED,
    /** Did not load; the first error says why. */
    FAILED,
    /** Ignored on purpose (not a committed blob, zero length, no route…); the reason says why. */
    SKIPPED,
    /** An older version of a blob whose newer version is known (by Event Grid sequencer or eTag). */
    SUPERSEDED;

    public boolean isFinal() {
        return this != QUEUED && this != LOADING;
    }
}
