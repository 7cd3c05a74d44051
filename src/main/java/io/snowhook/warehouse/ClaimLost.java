package io.snowhook.warehouse;

import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CommitFence} refused a commit: its caller no longer holds a load it was about to commit (another worker took
 * it over after its lease ran out), or could not confirm that it does (the ledger did not answer: then the cause is
 * the ledger's failure). The adapter has rolled that transaction back. Neither a file's failure nor a transient one:
 * the batch or load is not the caller's to finish or to retry.
 *
 * <p>A call that committed some files of a batch each in a transaction of its own before the refusal (file by file)
 * throws a copy naming them ({@link #settled()}): those commits were fenced while the claim was held, and their results
 * stand.
 */
public class ClaimLost extends RuntimeException {

    private final List<FileResult> settled;

    /** Another worker holds the loads. */
    public ClaimLost(String message) {
        this(message, null, List.of());
    }

    /** The holder could not tell: {@code cause} is why. */
    public ClaimLost(String message, Throwable cause) {
        this(message, cause, List.of());
    }

    private ClaimLost(String message, @Nullable Throwable cause, List<FileResult> settled) {
        super(message, cause);
        this.settled = List.copyOf(settled);
    }

    /**
     * What to throw when this refusal came after the files of {@code settled} were settled in the same call (committed,
     * or failed for a reason of their own): this exception itself when none were.
     */
    public ClaimLost after(Collection<FileResult> settled) {
        if (settled.isEmpty()) {
            return this;
        }
        ClaimLost copy = new ClaimLost(getMessage(), getCause(), List.copyOf(settled));
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /** The results of the files settled in the same call before the refusal. */
    public List<FileResult> settled() {
        return settled;
    }
}
