package io.snowhook.warehouse;

import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * The port to the warehouse: stage one file and {@code COPY} it into its table, checking the per-file result.
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
     * Loads one file.
     *
     * @param content the blob's bytes, streamed (never whole in memory); {@code null} when {@link
     *     #readsFromStorage} is true. The caller closes it.
     * @throws FileRejected the data did not load (first error, line, column); no rows remain
     * @throws WarehouseUnavailable transient failure, retry later
     * @throws WarehouseFailure permanent failure not about the data
     */
    LoadResult load(FileLoad file, @Nullable InputStream content);

    /** A cheap round trip (e.g. {@code SELECT 1}) for readiness; throws when the warehouse cannot be reached. */
    void check();
}
