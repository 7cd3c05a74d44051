package io.snowhook.warehouse;

import java.io.InputStream;

/**
 * The bytes of a batch's files, as the caller of {@link Warehouse#load(FileBatch, FileContents)} reads them from
 * storage: the adapter opens each file when it stages it, reads it once and closes it. An adapter may stage
 * several files of a batch at once, from threads of its own: {@link #open} is called concurrently.
 */
@FunctionalInterface
public interface FileContents {

    /**
     * Opens one file of the batch.
     *
     * <p>This method and the returned stream's {@code read} throw, for a fault of this one file (the blob vanished,
     * changed since the event, is shorter or longer than its size, a bad gzip trailer), an unchecked exception that
     * is not a {@link io.snowhook.system.TransientFailure}: the adapter fails only this file with it, unchanged, in
     * its {@link FileResult.Failed}. For an outage (storage unreachable, 5xx, timeouts) they throw a {@code
     * TransientFailure}: the adapter then fails the whole batch with it. An {@code IOException} a stream lets escape
     * counts as an outage ({@link ContentUnreadable}).
     *
     * @param file one of the batch's files
     */
    InputStream open(FileLoad file);
}
