package io.snowhook.warehouse;

import io.snowhook.system.TransientFailure;
import java.util.Collection;
import java.util.List;

/**
 * A transient failure that ended a batch after some of its files were settled for good — loaded and committed in a
 * transaction of their own, or failed for a reason of their own — carrying those files' results: a retry loads only
 * the others, and when the retries run out the settled files keep their results instead of failing with the rest.
 */
public final class PartlyLoaded extends TransientFailure {

    private final List<FileResult> settled;

    private PartlyLoaded(Collection<FileResult> settled, TransientFailure cause) {
        super(settled.size() + " file(s) of the batch settled before: " + cause.getMessage(), cause);
        this.settled = List.copyOf(settled);
    }

    /**
     * The failure to throw for a batch that met {@code failure} (transient) after the files of {@code settled} were
     * settled: {@code failure} itself when none were.
     */
    public static TransientFailure after(Collection<FileResult> settled, TransientFailure failure) {
        return settled.isEmpty() ? failure : new PartlyLoaded(settled, failure);
    }

    /** The results of the files settled before the failure. */
    public List<FileResult> settled() {
        return settled;
    }

    /** The transient failure that ended the batch. */
    public TransientFailure failure() {
        return (TransientFailure) getCause();
    }
}
