package io.snowhook.system;

import java.io.IOException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The one mark of a failure worth retrying: the same work may succeed later without anyone changing anything
 * (network, timeouts, 5xx and 429, an expired session, a busy warehouse). Adapters decide, at the place that knows
 * the cause, by throwing a subtype; callers retry exactly the {@code TransientFailure}s and nothing else.
 *
 * <p>Of the transient failures, the connection-level ones — the dependency gave no answer at all — are the
 * ones {@link Outages} counts towards calling the dependency down; both questions are answered here.
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

    /**
     * Whether a failure is connection-level: somewhere in its causes the dependency gave no answer (an I/O
     * error, a timeout, a JDBC connection failure) — rather than an answer saying "not now" (429, 5xx, busy).
     */
    public static boolean isConnectionLevel(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof IOException
                    || t instanceof TimeoutException
                    || t instanceof CheckTimedOut
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
        }
        return false;
    }
}
