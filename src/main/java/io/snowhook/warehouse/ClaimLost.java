package io.snowhook.warehouse;

/**
 * A {@link CommitFence} refused a commit: its caller no longer holds a load it was about to commit (another worker took
 * it over after its lease ran out), or could not confirm that it does (the ledger did not answer). The adapter has
 * rolled the transaction back. Neither a file's failure nor a transient one: the batch or load is not the caller's to
 * finish or to retry.
 */
public class ClaimLost extends RuntimeException {

    public ClaimLost(String message) {
        super(message);
    }

    public ClaimLost(String message, Throwable cause) {
        super(message, cause);
    }
}
