package io.snowhook.loads.work;

import io.snowhook.blob.BlobChanged;
import io.snowhook.blob.BlobContent;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobNotFound;
import io.snowhook.blob.BlobSource;
import io.snowhook.blob.BlobUnavailable;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.loads.ledger.Load;
import io.snowhook.system.Outages;
import io.snowhook.system.TransientFailure;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.SourceFileNotFound;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;
import org.springframework.retry.backoff.BackOffInterruptedException;
import org.springframework.retry.backoff.ExponentialRandomBackOffPolicy;
import org.springframework.retry.backoff.Sleeper;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs one claimed load: blob → warehouse, retrying transient failures with Spring Retry (exponential
 * backoff with jitter), and records the outcome in the ledger.
 *
 * <p>Outcomes: {@code LOADED} with rows and bytes; {@code SUPERSEDED} when the blob changed since the event
 * (a newer version has its own load); {@code FAILED} with the first error for a missing blob, rejected data
 * (with its line and column), refused credentials or any other permanent fault, and for transient faults
 * that outlasted every attempt. Each attempt is counted in the ledger as it starts.
 *
 * <p>Outages: a load whose warehouse or storage account is {@linkplain Outages known down} is not tried; a
 * run that meets an outage (its try made the dependency known down, or another worker's did) puts the load
 * back in the queue with the attempt count it was claimed with — tries that met an outage do not count
 * towards {@code max-attempts}. A worker that dies mid-try leaves its count raised, so the crash-loop guard
 * still stops a load that kills its workers.
 */
@Component
class LoadWorker {

    private static final Logger log = LoggerFactory.getLogger(LoadWorker.class);

    private final LoadQueue queue;
    private final BlobSource blobs;
    private final Warehouse warehouse;
    private final LoadsProperties properties;
    private final LoadMetrics metrics;
    private final Outages outages;
    private final Object backOffs = new Object();
    private boolean stopping;

    LoadWorker(
            LoadQueue queue,
            BlobSource blobs,
            Warehouse warehouse,
            LoadsProperties properties,
            LoadMetrics metrics,
            Outages outages) {
        this.metrics = metrics;
        this.outages = outages;
        this.queue = queue;
        this.blobs = blobs;
        this.warehouse = warehouse;
        this.properties = properties;
    }

    /**
     * Only transient failures are retried, with exponential backoff randomised between 1× and {@code
     * multiplier}× the previous delay (jitter, so loads that failed together do not retry together);
     * everything else fails the load at once.
     */
    static RetryTemplate retryTemplate(LoadsProperties.Retry retry, int maxAttempts, Sleeper sleeper) {
        ExponentialRandomBackOffPolicy backOff = new ExponentialRandomBackOffPolicy();
        backOff.setInitialInterval(retry.initialDelay().toMillis());
        backOff.setMultiplier(retry.multiplier());
        backOff.setMaxInterval(retry.maxDelay().toMillis());
        backOff.setSleeper(sleeper);
        return RetryTemplate.builder()
                .maxAttempts(maxAttempts)
                .customBackoff(backOff)
                .retryOn(TransientFailure.class)
                .withListener(new RetryListener() {
                    @Override
                    public <T, E extends Throwable> void onError(
                            RetryContext context, RetryCallback<T, E> callback, Throwable failure) {
                        if (TransientFailure.is(failure)) {
                            log.warn(
                                    "load {} try {} failed, transient: {}",
                                    context.getAttribute("loadId"),
                                    context.getRetryCount(),
                                    failure.getMessage());
                        }
                    }
                })
                .build();
    }

    /**
     * Runs a load {@code worker} has claimed and records its outcome; on interruption (shutdown) puts it
     * back in the queue instead.
     */
    void run(Load load, String worker) {
        try (LoadMetrics.Busy busy = metrics.busy()) {
            runClaimed(load, worker);
        }
    }

    private void runClaimed(Load load, String worker) {
        int maxAttempts = properties.retry().maxAttempts();
        if (load.attempts() >= maxAttempts) {
            // Tried this often already by workers that died mid-load (a crash loop): stop trying.
            fail(load, worker, load.attempts(), "gave up after " + load.attempts() + " attempts", null, null);
            return;
        }
        if (!load.planned()) {
            fail(load, worker, load.attempts(), "load has no route", null, null);
            return;
        }
        // the row is the plan: the staging recorded with the load, never the routes as they are now (a row
        // without one predates the column being read: those were always staged internally)
        Staging staging = load.staging() == null ? Staging.INTERNAL : load.staging();
        AtomicInteger attempts = new AtomicInteger(load.attempts());
        log.info(
                "load {} of blob {}/{}/{} (eTag {}) starts, by {}",
                load.id(),
                load.account(),
                load.container(),
                load.blob(),
                load.etag(),
                worker);
        try {
            // tries made before a crash count: a load gets max-attempts tries in all, however often reclaimed
            RetryTemplate retry = retryTemplate(properties.retry(), maxAttempts - load.attempts(), this::sleep);
            Result result = retry.execute(context -> {
                context.setAttribute("loadId", load.id());
                int attempt = attempts.incrementAndGet();
                if (context.getRetryCount() > 0) {
                    metrics.retried(load);
                }
                String down = knownDown(load);
                if (down != null) {
                    throw new DependencyDown(down);
                }
                if (!queue.recordAttempt(load.id(), worker, attempt, properties.lease())) {
                    throw new LostClaim();
                }
                return observed(load, staging, attempt);
            });
            boolean recorded = record(
                    load,
                    worker,
                    Outcome.loaded(
                            attempts.get(),
                            result.loaded().rowsParsed(),
                            result.loaded().rowsLoaded(),
                            result.bytes(),
                            result.etag()));
            if (recorded) {
                log.info(
                        "load {} of blob {}/{}/{} LOADED: {} rows into {} in {} attempt(s)",
                        load.id(),
                        load.account(),
                        load.container(),
                        load.blob(),
                        result.loaded().rowsLoaded(),
                        load.table(),
                        attempts.get());
            }
        } catch (LostClaim e) {
            log.warn("load {} of blob {} was taken over by another worker; leaving it", load.id(), load.blob());
        } catch (DependencyDown e) {
            if (queue.release(load.id(), worker, load.attempts())) {
                log.info(
                        "load {} of blob {}/{}/{} waits in the queue: {} is known down (its tries meanwhile do"
                                + " not count, attempts stay {})",
                        load.id(),
                        load.account(),
                        load.container(),
                        load.blob(),
                        e.dependency,
                        load.attempts());
            }
        } catch (BackOffInterruptedException e) {
            // shutting down while waiting to retry: the next start tries again
            release(load, worker);
        } catch (RuntimeException e) {
            recordFailure(load, worker, attempts.get(), e);
        }
    }

    /**
     * Ends every wait between retries now and for good (shutdown): those loads go back to the queue. Loads
     * in the middle of a try are not interrupted — interrupting JDBC and file I/O can corrupt more than it
     * saves — and finish or are released by {@link LoadWorkers}.
     */
    void stopRetrying() {
        synchronized (backOffs) {
            stopping = true;
            backOffs.notifyAll();
        }
    }

    /** Retries wait again (the workers started again after a stop). */
    void resumeRetrying() {
        synchronized (backOffs) {
            stopping = false;
        }
    }

    private void sleep(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (backOffs) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(backOffs, left);
            }
            if (stopping) {
                throw new InterruptedException("shutting down");
            }
        }
    }

    private void recordFailure(Load load, String worker, int attempts, RuntimeException e) {
        if (e instanceof BlobChanged) {
            record(
                    load,
                    worker,
                    Outcome.superseded(
                            attempts,
                            "the blob changed since the event: a newer version replaced eTag " + load.etag()));
            log.info("load {} of blob {} SUPERSEDED: the blob changed since the event", load.id(), load.blob());
        } else if (e instanceof BlobNotFound || e instanceof SourceFileNotFound) {
            fail(load, worker, attempts, "blob not found", null, null);
        } else if (e instanceof FileRejected rejected) {
            fail(load, worker, attempts, rejected.getMessage(), rejected.line(), rejected.column());
        } else if (TransientFailure.is(e)) {
            fail(load, worker, attempts, "gave up after " + attempts + " attempts: " + e.getMessage(), null, null);
        } else {
            // the outcome line below says what failed; the stack trace only at debug level (no traces in logs)
            log.debug("load {} of blob {} failed permanently", load.id(), load.blob(), e);
            fail(load, worker, attempts, describe(e), null, null);
        }
    }

    private void fail(
            Load load,
            String worker,
            int attempts,
            String error,
            @Nullable Long errorLine,
            @Nullable String errorColumn) {
        record(load, worker, Outcome.failed(attempts, error, errorLine, errorColumn));
        log.warn(
                "load {} of blob {}/{}/{} FAILED after {} attempt(s): {}",
                load.id(),
                load.account(),
                load.container(),
                load.blob(),
                attempts,
                error);
    }

    private boolean record(Load load, String worker, Outcome outcome) {
        if (queue.complete(load.id(), worker, outcome)) {
            metrics.finished(load, outcome);
            return true;
        }
        log.warn(
                "load {} of blob {}: {} not recorded, the load was put back in the queue or taken over",
                load.id(),
                load.blob(),
                outcome.status());
        return false;
    }

    private void release(Load load, String worker) {
        if (queue.release(load.id(), worker)) {
            log.info("load {} of blob {} put back in the queue (shutdown)", load.id(), load.blob());
        }
    }

    private @Nullable String knownDown(Load load) {
        if (outages.isDown(Outages.WAREHOUSE)) {
            return Outages.WAREHOUSE;
        }
        String storage = Outages.storage(load.account());
        return outages.isDown(storage) ? storage : null;
    }

    /**
     * One try, reported to {@link Outages}: a success clears both dependencies' failures; a connection-level
     * failure counts against the one that failed, and ends the run when it makes the dependency known down.
     */
    private Result observed(Load load, Staging staging, int attempt) {
        String storage = Outages.storage(load.account());
        try {
            Result result = attempt(load, staging, attempt);
            outages.succeeded(Outages.WAREHOUSE);
            outages.succeeded(storage);
            return result;
        } catch (BlobUnavailable e) {
            if (outages.failed(storage, e)) {
                throw new DependencyDown(storage, e);
            }
            throw e;
        } catch (WarehouseUnavailable e) {
            if (outages.failed(Outages.WAREHOUSE, e)) {
                throw new DependencyDown(Outages.WAREHOUSE, e);
            }
            throw e;
        }
    }

    /** One try: open the blob (unless the warehouse reads storage itself) and load it. */
    private Result attempt(Load load, Staging staging, int attempt) {
        FileLoad planned = file(load, staging, attempt, load.etag(), load.size());
        if (load.etag() != null && warehouse.readsFromStorage(planned)) {
            return new Result(warehouse.load(planned, null), null, null);
        }
        BlobContent content = blobs.open(new BlobId(load.account(), load.container(), load.blob()), load.etag());
        try {
            FileLoad file = file(load, staging, attempt, content.etag(), content.length());
            if (warehouse.readsFromStorage(file)) {
                // opened only to learn the current eTag of an operator ingestion
                content.stream().close();
                return new Result(warehouse.load(file, null), null, content.etag());
            }
            // the whole file or nothing: a short read or a bad gzip trailer fails before the warehouse commits
            CountingStream counted = new CountingStream(
                    new VerifiedStream(content.stream(), content.length(), file.gzipped(), load.blob()));
            LoadResult loaded;
            try {
                loaded = warehouse.load(file, counted);
            } catch (RuntimeException e) {
                // The warehouse may wrap a read failure in its own exception: the storage fault decides.
                RuntimeException storage = counted.failure;
                if (storage != null && storage != e) {
                    storage.addSuppressed(e);
                    throw storage;
                }
                throw e;
            }
            return new Result(loaded, counted.count, content.etag());
        } catch (IOException e) {
            throw new BlobUnavailable("reading blob " + load.blob() + " failed", e);
        } finally {
            try {
                content.close();
            } catch (IOException ignored) {
                // nothing left to read
            }
        }
    }

    private static FileLoad file(Load load, Staging staging, int attempt, @Nullable String etag, @Nullable Long size) {
        return new FileLoad(
                load.id(),
                load.account(),
                load.container(),
                load.blob(),
                etag == null ? "" : etag,
                size == null ? 0 : size,
                Objects.requireNonNull(load.table()),
                Objects.requireNonNull(load.format()),
                Objects.requireNonNull(load.mode()),
                staging,
                attempt);
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private record Result(
            LoadResult loaded,
            @Nullable Long bytes,
            @Nullable String etag) {}

    /** The load's warehouse or storage account is known down: the load goes back to the queue. */
    private static final class DependencyDown extends RuntimeException {
        final String dependency;

        DependencyDown(String dependency) {
            super(dependency + " is known down", null, false, false);
            this.dependency = dependency;
        }

        DependencyDown(String dependency, RuntimeException failure) {
            super(dependency + " is known down: " + failure.getMessage(), failure, false, false);
            this.dependency = dependency;
        }
    }

    /** Another worker took over the load (this one's lease expired): stop without recording anything. */
    private static final class LostClaim extends RuntimeException {
        LostClaim() {
            super("the claim on the load was lost", null, false, false);
        }
    }

    /**
     * Counts the bytes read and remembers the first storage failure, whatever the reader does with it.
     * Hand-written: a dozen lines, where a library (Guava, Commons IO) would be a new dependency.
     */
    private static final class CountingStream extends FilterInputStream {

        long count;

        @Nullable
        RuntimeException failure;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) {
                    count++;
                }
                return b;
            } catch (RuntimeException e) {
                throw remember(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count += n;
                }
                return n;
            } catch (RuntimeException e) {
                throw remember(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                long skipped = super.skip(n);
                count += skipped;
                return skipped;
            } catch (RuntimeException e) {
                throw remember(e);
            }
        }

        private RuntimeException remember(RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
    }
}
