package io.snowhook.warehouse;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * A file's content as an adapter reads it, remembering the first failure the content itself raised — whatever the
 * adapter's own I/O (a driver, a file copy) then wraps it in — so that failure decides the file's result.
 * Hand-written: a filter stream of a few lines, where a library would be a new dependency.
 */
public final class SourceStream extends FilterInputStream {

    private @Nullable RuntimeException failure;

    public SourceStream(InputStream content) {
        super(content);
    }

    /** The first failure the content raised, as the port defines it (an escaped I/O error is {@link ContentUnreadable}). */
    public @Nullable RuntimeException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw remember(e);
        } catch (RuntimeException e) {
            throw remember(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            throw remember(e);
        } catch (RuntimeException e) {
            throw remember(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw remember(e);
        } catch (RuntimeException e) {
            throw remember(e);
        }
    }

    private <E extends Exception> E remember(E e) {
        if (failure == null) {
            failure = e instanceof RuntimeException r
                    ? r
                    : new ContentUnreadable("reading the file failed", (IOException) e);
        }
        return e;
    }
}
