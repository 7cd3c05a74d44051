package io.snowhook.warehouse;

import org.jspecify.annotations.Nullable;

/** What became of one file of a batch: loaded with its row counts, or failed with its own error. */
public sealed interface FileResult {

    FileLoad file();

    static FileResult loaded(FileLoad file, LoadResult result) {
        return new Loaded(file, result.rowsParsed(), result.rowsLoaded());
    }

    static FileResult failed(FileLoad file, RuntimeException failure) {
        return new Failed(file, failure);
    }

    /** The file's rows are in the table (exactly once) and the rows of earlier runs it replaces are gone. */
    record Loaded(FileLoad file, long rowsParsed, long rowsLoaded) implements FileResult {}

    /**
     * The file did not load; none of its rows remain and the rows of earlier runs of the same blob are untouched.
     *
     * @param failure why: a {@link FileRejected} (the data; first error, line, column), a {@link
     *     SourceFileNotFound}, a {@link WarehouseFailure} about this file (e.g. a blob name no statement can name), or
     *     the exception {@link FileContents#open} or its stream threw for this file, unchanged
     */
    record Failed(FileLoad file, RuntimeException failure) implements FileResult {

        public Failed {
            if (io.snowhook.system.TransientFailure.is(failure)) {
                throw new IllegalArgumentException("a transient failure fails the batch, not a file", failure);
            }
        }

        /** The first error as the ledger records it. */
        public String error() {
            String message = failure.getMessage();
            return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
        }

        public @Nullable Long line() {
            return failure instanceof FileRejected rejected ? rejected.line() : null;
        }

        public @Nullable String column() {
            return failure instanceof FileRejected rejected ? rejected.column() : null;
        }
    }
}
