package io.snowhook.warehouse;

import java.io.InputStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The port to the warehouse: stage files and {@code COPY} them into their table, checking the per-file result.
 *
 * <p>Contract: a load is idempotent per blob version — running it again (after a crash, a retry or a
 * re-ingest) leaves the table as if it ran once. In {@link LoadMode#APPEND} mode the rows of the same
 * {@code (_source_blob, _etag)} are replaced; in {@link LoadMode#REPLACE} mode all rows of the same
 * {@code _source_blob} are replaced — in both cases delete and copy commit in one transaction.
 */
public interface Warehouse {

    /**
     * Whether the warehouse reads this file straight from storage; then {@link #load} gets no content.
     */
    default boolean readsFromStorage(FileLoad file) {
        return false;
    }

    /**
     * Loads a batch: every file of one target (table, format, mode, staging) and container, with one result per file.
     *
     * <p>Contract:
     *
     * <ul>
     *   <li>Exactly one {@link FileResult} per file of the batch, in the batch's order.
     *   <li>{@link FileResult.Loaded}: the file's rows are in the table, once; the rows earlier runs left are gone — in
     *       {@link LoadMode#REPLACE} mode every older version of the blob, in any mode an earlier run of the same blob
     *       version (the load retried or re-ingested).
     *   <li>{@link FileResult.Failed}: none of the file's rows remain, and the rows of earlier runs of its blob are
     *       untouched (in replace mode the blob's previous version keeps its rows). One file's failure never fails,
     *       and never rolls back, another file. A permanent failure that is no single file's (the table is missing or
     *       lacks a lineage column) is every file's {@code Failed}.
     *   <li>A {@link io.snowhook.system.TransientFailure} — warehouse busy or unreachable ({@link
     *       WarehouseUnavailable}), or one that {@code contents} raised for an outage of storage — is thrown for the
     *       whole batch: retry the batch (as a new attempt). Files a failed try committed are loaded again by the
     *       retry without duplicating their rows — unless the failure is a {@link PartlyLoaded} naming the files
     *       settled before it (committed each on its own, or failed for a reason of their own): the retry leaves
     *       those out, and they keep their results when the retries run out.
     *   <li>{@code contents} is opened for a file only when {@link #readsFromStorage} is false for it, once per try,
     *       and closed by the adapter; what its streams throw for one file fails only that file ({@link
     *       FileContents#open}).
     *   <li>Each file's {@link FileLoad#etag()} is the version the rows are tagged with ({@code _etag}): it must be
     *       known before the call.
     *   <li>Every transaction asks {@code fence} about the files it holds, after its last statement and before its
     *       {@code COMMIT}; when the fence throws {@link ClaimLost}, the adapter rolls that transaction back and throws
     *       the exception on — unchanged, or, when earlier transactions of the call settled files, as {@link
     *       ClaimLost#after} naming them.
     * </ul>
     *
     * <p>This default loads the files one at a time through {@link #load(FileLoad, InputStream)} ({@link
     * FileByFile}); adapters load a batch in fewer statements.
     */
    default List<FileResult> load(FileBatch batch, FileContents contents, CommitFence fence) {
        return FileByFile.load(this, batch, contents, fence);
    }

    /** {@link #load(FileBatch, FileContents, CommitFence)} for a caller that holds no claims. */
    default List<FileResult> load(FileBatch batch, FileContents contents) {
        return load(batch, contents, CommitFence.NONE);
    }

    /**
     * Loads one file.
     *
     * @param content the blob's bytes, streamed (never whole in memory); {@code null} when {@link
     *     #readsFromStorage} is true. The caller closes it.
     * @param fence asked after the load's last statement and before its {@code COMMIT}
     * @throws FileRejected the data did not load (first error, line, column); no rows remain
     * @throws WarehouseUnavailable transient failure, retry later
     * @throws WarehouseFailure permanent failure not about the data
     * @throws ClaimLost the fence refused the commit; the transaction was rolled back
     */
    LoadResult load(FileLoad file, @Nullable InputStream content, CommitFence fence);

    /** {@link #load(FileLoad, InputStream, CommitFence)} for a caller that holds no claims. */
    default LoadResult load(FileLoad file, @Nullable InputStream content) {
        return load(file, content, CommitFence.NONE);
    }

    /** A cheap round trip (e.g. {@code SELECT 1}) for readiness; throws when the warehouse cannot be reached. */
    void check();
}
