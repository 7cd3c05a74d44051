package io.snowhook.system;

/**
 * The one mark of a failure worth retrying: the same work may succeed later without anyone changing anything
 * (network, timeouts, 5xx and 429, an expired session, a busy warehouse). Adapters decide, at the place that knows
 * the cause, by throwing a subtype; callers retry exactly the {@code TransientFailure}s and nothing else.
 */
public abstract class TransientFailure extends RuntimeException {

    protected TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }

    protected TransientFailure(String message) {
        super(message);
    }

    /** Whether {@code failure} is marked transient. */
    public static boolean is(Throwable failure) {
        return failure instanceof TransientFailure;
    }
}
