package io.snowhook.sweep;

/** The states of a sweep: {@code RUNNING → FINISHED | FAILED}. */
enum SweepStatus {
    /** Waiting for a replica, being run, or waiting to be resumed after its replica died. */
    RUNNING,
    /** Every page listed and compared. */
    FINISHED,
    /** Stopped by an error (storage unreachable, container missing…); the error says which. */
    FAILED
}
