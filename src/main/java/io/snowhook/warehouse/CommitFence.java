package io.snowhook.warehouse;

import java.util.List;

/**
 * Asked by an adapter inside a load's warehouse transaction, after its last statement and just before its {@code
 * COMMIT}: does the caller still hold these files' loads? A worker whose lease ran out (a long pause, a ledger it could
 * not reach to renew it) may have lost its loads to another worker that is loading the same files; committing then
 * would put their rows in twice. A yes means no other worker can take the loads over for at least half a lease: the
 * {@code COMMIT} that follows is the holder's.
 */
@FunctionalInterface
public interface CommitFence {

    /** For callers that hold no claims (tools, tests of an adapter alone): every commit goes ahead. */
    CommitFence NONE = files -> {};

    /**
     * Checks the caller's hold on the loads of {@code files} (renewing it when it runs short): every file whose rows, or
     * whose removal of rows, the coming {@code COMMIT} makes visible.
     *
     * @throws ClaimLost when the caller no longer holds one of them, or cannot tell: the adapter rolls the transaction
     *     back and throws this exception on, unchanged, to its caller — no file of that transaction gets a result
     */
    void check(List<FileLoad> files);
}
