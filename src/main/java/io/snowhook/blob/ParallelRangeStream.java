package io.snowhook.blob;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.DownloadRetryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rest of a large blob, read with several Get Blob range requests in flight and handed on in order.
 *
 * <p>The SDK's {@code BlobInputStream} fetches one chunk per {@code read} that finds its buffer empty, so each
 * request's round trip and transfer waits for the reader (here: the write to the stage) and the reader waits
 * for the request. This stream keeps up to {@code parallelism} chunks requested ahead; memory is bounded by
 * {@code (parallelism + 1) × chunk}, in buffers allocated once per stream and reused: a chunk of megabytes is a
 * "humongous" object to G1, and allocating one per request would grow the heap to its maximum during a large
 * read. Every range is conditional on the eTag of the first response, so a blob
 * overwritten while it is read fails the read (HTTP 412) instead of mixing two versions.
 * https://learn.microsoft.com/rest/api/storageservices/get-blob ("x-ms-range", "If-Match")
 */
final class ParallelRangeStream extends InputStream {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final DownloadRetryOptions NO_RETRY = new DownloadRetryOptions().setMaxRetryRequests(0);

    private final BlobClient blob;
    private final long size;
    private final int chunk;
    private final int parallelism;
    private final BlobRequestConditions ifMatch;
    private final Duration timeout;
    private final ExecutorService readers;
    private final Deque<Future<Chunk>> ahead = new ArrayDeque<>();
    private final BlockingQueue<byte[]> free;
    private long requested;
    private byte[] current;
    private int limit;
    private int position;
    private boolean closed;

    /**
     * @param first the blob's bytes from offset 0, already fetched by the caller; {@code first.length} is the
     *     chunk size of every further range
     * @param quotedEtag the eTag of the version the first chunk came from, quoted for {@code If-Match}
     */
    ParallelRangeStream(
            BlobClient blob, byte[] first, long size, String quotedEtag, int parallelism, Duration timeout) {
        this.blob = blob;
        this.size = size;
        this.chunk = first.length;
        this.parallelism = parallelism;
        this.ifMatch = new BlobRequestConditions().setIfMatch(quotedEtag);
        this.timeout = timeout;
        this.current = first;
        this.limit = first.length;
        this.requested = first.length;
        // the first chunk's array and one per range in flight, reused as the reader moves on
        this.free = new ArrayBlockingQueue<>(parallelism + 1);
        this.readers = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "snowhook-blob-read-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        requestAhead();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (position == limit) {
            if (!next()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        long transferred = 0;
        while (!closed) {
            if (position < limit) {
                out.write(current, position, limit - position);
                transferred += limit - position;
                position = limit;
            }
            if (!next()) {
                break;
            }
        }
        return transferred;
    }

    @Override
    public int available() {
        return closed ? 0 : limit - position;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ahead.forEach(f -> f.cancel(true));
        ahead.clear();
        readers.shutdownNow();
        free.clear();
        current = new byte[0];
        limit = 0;
        position = 0;
    }

    /** Moves to the next chunk in order; false at the end of the blob. */
    private boolean next() throws IOException {
        Future<Chunk> head = ahead.poll();
        if (head == null) {
            return false;
        }
        try {
            Chunk next = head.get();
            free.offer(current);
            current = next.bytes();
            limit = next.length();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while reading a blob");
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                // the SDK's own exception, translated by the caller as a read of the first chunk would be
                throw runtime;
            }
            throw new IOException(cause == null ? "range read failed" : cause.toString(), cause);
        } catch (CancellationException e) {
            throw new IOException("stream closed", e);
        }
        position = 0;
        requestAhead();
        return true;
    }

    private void requestAhead() {
        while (ahead.size() < parallelism && requested < size) {
            long offset = requested;
            int length = (int) Math.min(chunk, size - offset);
            requested += length;
            byte[] buffer = free.poll();
            byte[] into = buffer != null ? buffer : new byte[chunk];
            ahead.add(readers.submit(() -> range(into, offset, length)));
        }
    }

    private Chunk range(byte[] into, long offset, int length) {
        Chunk chunk = new Chunk(into, length);
        // no retry inside a range: as every SDK call here, one try, leaving retries to the load's policy
        blob.downloadStreamWithResponse(
                chunk, new BlobRange(offset, (long) length), NO_RETRY, ifMatch, false, timeout, Context.NONE);
        chunk.complete();
        return chunk;
    }

    /** A reused buffer the SDK writes one range into, without the copies of a growing buffer. */
    private static final class Chunk extends OutputStream {
        private final byte[] bytes;
        private final int length;
        private int count;

        Chunk(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (count + len > length) {
                throw new IOException("storage sent more bytes than the range asked for");
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        void complete() {
            if (count != length) {
                throw new IllegalStateException("storage sent " + count + " bytes of a " + length + "-byte range");
            }
        }

        byte[] bytes() {
            return bytes;
        }

        int length() {
            return length;
        }

        @Override
        public String toString() {
            return "Chunk[" + count + "/" + length + "]";
        }
    }

    @Override
    public String toString() {
        return "ParallelRangeStream[" + blob.getBlobName() + ", " + size + " bytes]";
    }
}
