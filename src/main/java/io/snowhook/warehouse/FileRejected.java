package io.snowhook.warehouse;

import org.jspecify.annotations.Nullable;

/** The warehouse refused the file's content (bad data, partial load): permanent, never retried; no rows remain. */
public class FileRejected extends RuntimeException {

    private final @Nullable Long line;
    private final @Nullable String column;

    public FileRejected(String firstError, @Nullable Long line, @Nullable String column) {
        super(firstError);
        this.line = line;
        this.column = column;
    }

    public @Nullable Long line() {
        return line;
    }

    public @Nullable String column() {
        return column;
    }
}
