package io.snowhook.loads.work;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A blob's bytes as the warehouse reads them, checked before the warehouse sees their end: exactly {@code
 * expected} bytes (the blob's size), and for a gzip file every member's trailer (CRC-32 and length) right.
 * On a mismatch the read that would return end-of-file throws {@link FileIncomplete} instead, so the
 * warehouse never commits a partial file.
 *
 * <p>The gzip check runs the JDK's own {@link GZIPInputStream} on a copy of the bytes in a second thread,
 * fed through a pipe as the warehouse reads (the warehouse pulls, the check must be fed).
 */
final class VerifiedStream extends FilterInputStream {

    private static final int PIPE = 1 << 16;

    /** One thread per gzip file being read, never a shared pool a stalled check could hold up. */
    private static final ExecutorService CHECKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "snowhook-gzip-check");
        t.setDaemon(true);
        return t;
    });

    private final long expected;
    private final String blob;
    private long count;
    private boolean ended;
    private final @Nullable PipedOutputStream copy;
    private final @Nullable CompletableFuture<Long> gzip;

    VerifiedStream(InputStream in, long expected, boolean gzipped, String blob) {
        super(in);
        this.expected = expected;
        this.blob = blob;
        if (gzipped) {
            try {
                PipedInputStream sink = new PipedInputStream(PIPE);
                this.copy = new PipedOutputStream(sink);
                this.gzip = CompletableFuture.supplyAsync(() -> inflate(sink), CHECKERS);
            } catch (IOException e) {
                throw new IllegalStateException("cannot connect a pipe", e);
            }
        } else {
            this.copy = null;
            this.gzip = null;
        }
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            return -1;
        }
        int n = super.read(b, off, len);
        if (n > 0) {
            count += n;
            if (count > expected) {
                throw new FileIncomplete("read more bytes than the blob's " + expected + ": " + blob);
            }
            if (copy != null) {
                copy.write(b, off, n);
            }
            return n;
        }
        if (n < 0) {
            ended = true;
            verify();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // read instead: the check needs every byte
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
    }

    private void verify() throws IOException {
        if (count != expected) {
            throw new FileIncomplete("the file is truncated: read " + count + " of the blob's " + expected + " bytes");
        }
        if (copy != null && gzip != null) {
            copy.close();
            try {
                gzip.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new FileIncomplete(
                        "the gzip file is corrupt or truncated: " + (cause == null ? "unreadable" : cause.getMessage()),
                        cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while checking the gzip file", e);
            }
        }
    }

    private static long inflate(PipedInputStream sink) {
        long inflated = 0;
        // GZIPInputStream checks each member's CRC-32 and length at its trailer and reads concatenated members
        try (sink;
                GZIPInputStream in = new GZIPInputStream(sink, 1 << 16)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                inflated += n;
            }
            return inflated;
        } catch (IOException e) {
            // drain, so the writer never blocks on a full pipe
            try {
                sink.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // closed
            }
            throw new java.io.UncheckedIOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }
}
