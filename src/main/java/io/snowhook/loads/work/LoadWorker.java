package io.snowhook.loads.work;

import io.snowhook.blob.BlobChanged;
import io.snowhook.blob.BlobContent;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobNotFound;
import io.snowhook.blob.BlobSource;
import io.snowhook.blob.BlobUnavailable;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.system.Outages;
import io.snowhook.system.TransientFailure;
import io.snowhook.warehouse.ClaimLost;
import io.snowhook.warehouse.CommitFence;
import io.snowhook.warehouse.FileBatch;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.FileResult;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.LoadTarget;
import io.snowhook.warehouse.PartlyLoaded;
import io.snowhook.warehouse.SourceFileNotFound;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.Warehouse;
import io.snowhook.warehouse.WarehouseStatements;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
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
    private volatile boolean stopping;
    /**
     * When the worker pool was last stopped or started: a claim made before a stop may since have been put back in the
     * queue by it, and one made before a start by the start's requeue of loads left {@code LOADING} (H2).
     */
    private volatile @Nullable Instant poolChangedAt;

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
     * Runs a load {@code worker} has claimed alone and records its outcome; on interruption (shutdown) puts it
     * back in the queue instead.
     */
    void run(Load load, String worker) {
        run(new LoadQueue.Claimed(null, List.of(load)), worker);
    }

    /**
     * Runs what {@code worker} has claimed — one load, or a batch that shares one warehouse statement — and records
     * each load's outcome.
     */
    void run(LoadQueue.Claimed claimed, String worker) {
        PhaseTimes times = new PhaseTimes();
        try (LoadMetrics.Busy busy = metrics.busy()) {
            List<Load> runnable = new ArrayList<>();
            int maxAttempts = properties.retry().maxAttempts();
            for (Load load : claimed.loads()) {
                // the claim counted the try about to start
                int before = load.attempts() - 1;
                if (before >= maxAttempts) {
                    // Tried this often already by workers that died mid-load (a crash loop): stop trying.
                    fail(load, worker, before, "gave up after " + before + " attempts");
                } else if (!load.planned()) {
                    fail(load, worker, before, "load has no route");
                } else {
                    runnable.add(load);
                }
            }
            if (runnable.size() == 1 || claimed.batchId() == null) {
                runnable.forEach(load -> runClaimed(load, worker, times));
            } else if (!runnable.isEmpty()) {
                runBatch(claimed.batchId(), runnable, worker, times);
            }
        }
    }

    private void runClaimed(Load load, String worker, PhaseTimes times) {
        int maxAttempts = properties.retry().maxAttempts();
        int before = load.attempts() - 1;
        // the row is the plan: the staging recorded with the load, never the routes as they are now (a row
        // without one predates the column being read: those were always staged internally)
        Staging staging = load.staging() == null ? Staging.INTERNAL : load.staging();
        AtomicInteger attempts = new AtomicInteger(before);
        long statements = WarehouseStatements.onThisThread();
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
            RetryTemplate retry = retryTemplate(properties.retry(), maxAttempts - before, this::sleep);
            CommitFence fence = fence(worker, List.of(load));
            Result result = retry.execute(context -> {
                context.setAttribute("loadId", load.id());
                int attempt = attempts.incrementAndGet();
                if (context.getRetryCount() > 0) {
                    metrics.retried(load);
                }
                String down = knownDown(load.account());
                if (down != null) {
                    throw new DependencyDown(down);
                }
                // the claim counted the first try
                if (context.getRetryCount() > 0
                        && !queue.recordAttempt(load.id(), worker, attempt, properties.lease())) {
                    throw new LostClaim();
                }
                return observed(load.account(), () -> attempt(load, staging, attempt, times, fence));
            });
            boolean recorded = recordLoaded(
                    load,
                    worker,
                    Outcome.loaded(
                            attempts.get(),
                            result.loaded().rowsParsed(),
                            result.loaded().rowsLoaded(),
                            result.bytes(),
                            result.etag()),
                    times);
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
        } catch (ClaimLost e) {
            // the fence refused the commit: the warehouse rolled the try back, nothing of it is in the table, and the
            // try does not count (a takeover leaves nothing to release; a ledger that did not answer is no file's
            // fault)
            boolean released = releaseHeld(() -> queue.release(load.id(), worker, attempts.get() - 1) ? 1 : 0) == 1;
            log.warn(
                    "load {} of blob {}/{}/{}: not committed, {}; {}",
                    load.id(),
                    load.account(),
                    load.container(),
                    load.blob(),
                    e.getMessage(),
                    released ? "put back in the queue" : "left to whoever holds it (or to its lease running out)");
        } catch (OutcomeNotRecorded e) {
            log.error(
                    "load {} of blob {}/{}/{}: its rows are in {}, but the ledger did not take the outcome ({}); it"
                            + " stays LOADING until its lease ends, then runs again and replaces its own rows",
                    load.id(),
                    load.account(),
                    load.container(),
                    load.blob(),
                    load.table(),
                    e.getCause().toString());
        } catch (DependencyDown e) {
            if (queue.release(load.id(), worker, before)) {
                log.info(
                        "load {} of blob {}/{}/{} waits in the queue: {} is known down (its tries meanwhile do"
                                + " not count, attempts stay {})",
                        load.id(),
                        load.account(),
                        load.container(),
                        load.blob(),
                        e.dependency,
                        before);
            }
        } catch (BackOffInterruptedException e) {
            // shutting down while waiting to retry: the next start tries again
            uninterrupted(() -> release(load, worker));
        } catch (RuntimeException e) {
            recordFailure(load, worker, attempts.get(), e, times);
        } finally {
            metrics.statements(
                    Objects.requireNonNull(load.table()), WarehouseStatements.onThisThread() - statements, 1);
        }
    }

    /**
     * Runs a batch: one call of the warehouse's batch port per try, the files read from storage as the adapter
     * stages them; a transient failure retries the whole batch (a try counted on every load of it), each file's own
     * failure fails only its load.
     */
    private void runBatch(UUID batchId, List<Load> loads, String worker, PhaseTimes times) {
        Load first = loads.get(0);
        int maxAttempts = properties.retry().maxAttempts();
        // every load of a batch was claimed untried: the claim counted this run's first try on each
        int before = first.attempts() - 1;
        AtomicInteger tries = new AtomicInteger();
        // tries counted on the rows: the claim counted the first
        AtomicInteger counted = new AtomicInteger(1);
        Map<UUID, Long> bytes = new ConcurrentHashMap<>();
        Map<UUID, FileResult> settled = new ConcurrentHashMap<>();
        LoadTarget target = new LoadTarget(
                Objects.requireNonNull(first.table()),
                Objects.requireNonNull(first.format()),
                Objects.requireNonNull(first.mode()),
                first.staging() == null ? Staging.INTERNAL : first.staging());
        log.info(
                "batch {} of {} files from {}/{} into {} starts, by {}",
                batchId,
                loads.size(),
                first.account(),
                first.container(),
                target.table(),
                worker);
        metrics.batch(target.table(), loads.size());
        long statements = WarehouseStatements.onThisThread();
        try {
            RetryTemplate retry = retryTemplate(properties.retry(), maxAttempts - before, this::sleep);
            CommitFence fence = fence(worker, loads);
            List<FileResult> results = retry.execute(context -> {
                context.setAttribute("loadId", "batch " + batchId);
                int attempt = tries.incrementAndGet();
                if (context.getRetryCount() > 0) {
                    loads.forEach(metrics::retried);
                }
                String down = knownDown(first.account());
                if (down != null) {
                    throw new DependencyDown(down);
                }
                if (context.getRetryCount() > 0) {
                    if (queue.recordBatchAttempt(batchId, worker, properties.lease()) < loads.size()) {
                        throw new LostClaim();
                    }
                    counted.incrementAndGet();
                }
                // files an earlier try settled for good (a PartlyLoaded) are not loaded again
                List<FileLoad> files = loads.stream()
                        .filter(l -> !settled.containsKey(l.id()))
                        .map(l -> file(l, target.staging(), before + attempt, l.etag(), l.size()))
                        .toList();
                FileBatch batch = new FileBatch(batchId, attempt, target, first.account(), first.container(), files);
                bytes.keySet().retainAll(settled.keySet());
                long loading = System.nanoTime();
                try {
                    List<FileResult> loaded = observed(first.account(), () -> {
                        try {
                            return warehouse.load(batch, file -> open(file, bytes), fence);
                        } catch (PartlyLoaded e) {
                            e.settled().forEach(r -> settled.put(r.file().loadId(), r));
                            throw e.failure();
                        }
                    });
                    List<FileResult> all = new ArrayList<>(settled.values());
                    all.addAll(loaded);
                    return all;
                } finally {
                    times.batched(System.nanoTime() - loading);
                }
            });
            int attempts = before + tries.get();
            Map<UUID, Outcome> outcomes = new LinkedHashMap<>();
            Map<UUID, FileResult> byLoad = new HashMap<>();
            for (FileResult result : results) {
                byLoad.put(result.file().loadId(), result);
                outcomes.put(
                        result.file().loadId(),
                        outcome(result, attempts, bytes.get(result.file().loadId())));
            }
            long recording = System.nanoTime();
            Set<UUID> recorded;
            try {
                recorded = queue.complete(worker, outcomes);
            } catch (RuntimeException e) {
                throw new OutcomeNotRecorded(e);
            }
            times.recorded(metrics, target.table(), recording, System.nanoTime());
            long rows = 0;
            int loaded = 0;
            for (Load load : loads) {
                Outcome outcome = outcomes.get(load.id());
                if (outcome == null || !recorded.contains(load.id())) {
                    log.warn(
                            "load {} of blob {}: {} not recorded, the load was put back in the queue or taken over",
                            load.id(),
                            load.blob(),
                            outcome == null ? "no outcome" : outcome.status());
                    continue;
                }
                metrics.finished(load, outcome);
                if (outcome.status() == LoadStatus.LOADED) {
                    loaded++;
                    rows += outcome.rowsLoaded() == null ? 0 : outcome.rowsLoaded();
                } else {
                    logOutcome(
                            load,
                            outcome,
                            byLoad.get(load.id()) instanceof FileResult.Failed failed ? failed.failure() : null);
                }
            }
            log.info(
                    "batch {} into {}: {} of {} files LOADED, {} rows, in {} attempt(s)",
                    batchId,
                    target.table(),
                    loaded,
                    loads.size(),
                    rows,
                    attempts);
        } catch (LostClaim e) {
            recordSettled(loads, worker, settled, before + tries.get() - 1, bytes);
            // the try about to start was counted on the loads still held (recordBatchAttempt), and never ran
            int released = queue.releaseBatch(batchId, worker, 1);
            log.warn(
                    "batch {}: loads were taken over by another worker; {} still held put back in the queue",
                    batchId,
                    released);
        } catch (ClaimLost e) {
            // the fence refused a commit: the warehouse rolled that transaction back. Files settled before it — by an
            // earlier try, or committed one by one in this one while the claim was held — keep their results; the
            // others go back to the queue without the refused try counted.
            e.settled().forEach(r -> settled.put(r.file().loadId(), r));
            int released = releaseHeld(() -> {
                recordSettled(loads, worker, settled, before + tries.get(), bytes);
                return queue.releaseBatch(batchId, worker, 1);
            });
            log.warn(
                    "batch {} of {} files: not committed, {}; {} loads still held put back in the queue",
                    batchId,
                    loads.size(),
                    e.getMessage(),
                    released);
        } catch (OutcomeNotRecorded e) {
            log.error(
                    "batch {} of {} files: the warehouse has their results, but the ledger did not take the outcomes"
                            + " ({}); they stay LOADING until their leases end, then run again, each replacing its own"
                            + " rows",
                    batchId,
                    loads.size(),
                    e.getCause().toString());
        } catch (DependencyDown e) {
            recordSettled(loads, worker, settled, before + tries.get(), bytes);
            int released = queue.releaseBatch(batchId, worker, counted.get());
            log.info(
                    "batch {} of {} files waits in the queue: {} is known down (its tries meanwhile do not count,"
                            + " attempts stay {}); {} loads released",
                    batchId,
                    loads.size(),
                    e.dependency,
                    before,
                    released);
        } catch (BackOffInterruptedException e) {
            // shutting down while waiting to retry: the next start tries again
            uninterrupted(() -> {
                recordSettled(loads, worker, settled, before + tries.get(), bytes);
                int released = queue.releaseBatch(batchId, worker, 0);
                log.info("batch {}: {} loads put back in the queue (shutdown)", batchId, released);
            });
        } catch (RuntimeException e) {
            int attempts = before + Math.max(1, tries.get());
            long recording = System.nanoTime();
            for (Load load : loads) {
                // one record per load: the batch's phases are timed once, over all of them
                if (!settled.containsKey(load.id())) {
                    recordFailure(load, worker, attempts, e, null);
                }
            }
            recordSettled(loads, worker, settled, attempts, bytes);
            times.recorded(metrics, target.table(), recording, System.nanoTime());
        } finally {
            metrics.statements(target.table(), WarehouseStatements.onThisThread() - statements, loads.size());
        }
    }

    /**
     * Records the outcome of each load of a batch that an earlier try settled for good (a {@link PartlyLoaded}: its
     * rows committed, or it failed for a reason of its own), however the batch ends; the other loads are left as they
     * are.
     */
    private void recordSettled(
            List<Load> loads, String worker, Map<UUID, FileResult> settled, int attempts, Map<UUID, Long> bytes) {
        for (Load load : loads) {
            FileResult result = settled.get(load.id());
            if (result == null) {
                continue;
            }
            Outcome outcome = outcome(result, attempts, bytes.get(load.id()));
            if (record(load, worker, outcome, null)) {
                if (outcome.status() == LoadStatus.LOADED) {
                    log.info(
                            "load {} of blob {}/{}/{} LOADED: {} rows into {} (committed before the rest of its batch"
                                    + " met a transient failure)",
                            load.id(),
                            load.account(),
                            load.container(),
                            load.blob(),
                            outcome.rowsLoaded(),
                            load.table());
                } else {
                    logOutcome(load, outcome, result instanceof FileResult.Failed f ? f.failure() : null);
                }
            }
        }
    }

    /**
     * Opens one file of a batch for its adapter: the blob version of the event (If-Match), checked whole (size
     * and gzip trailer) before the adapter sees its end, the bytes read counted for the load's record.
     */
    private InputStream open(FileLoad file, Map<UUID, Long> bytes) {
        BlobContent content = blobs.open(new BlobId(file.account(), file.container(), file.blobName()), file.etag());
        return new CountingStream(
                new VerifiedStream(content.stream(), content.length(), file.gzipped(), file.blobName()),
                count -> bytes.put(file.loadId(), count));
    }

    /** A file's result as its load's outcome; the failure is classified as for a load run alone. */
    private static Outcome outcome(FileResult result, int attempts, @Nullable Long bytes) {
        if (result instanceof FileResult.Loaded loaded) {
            return Outcome.loaded(attempts, loaded.rowsParsed(), loaded.rowsLoaded(), bytes, null);
        }
        FileResult.Failed failed = (FileResult.Failed) result;
        return failure(
                attempts, result.file().etag(), failed.failure(), failed.error(), failed.line(), failed.column());
    }

    /**
     * How a failure ends its load, alone or in a batch: a blob changed since the event supersedes it, a vanished
     * one fails it as not found, anything else fails it with {@code error} at the line and column given.
     */
    private static Outcome failure(
            int attempts,
            @Nullable String etag,
            RuntimeException e,
            String error,
            @Nullable Long line,
            @Nullable String column) {
        if (e instanceof BlobChanged) {
            return Outcome.superseded(
                    attempts, "the blob changed since the event: a newer version replaced eTag " + etag);
        }
        if (e instanceof BlobNotFound || e instanceof SourceFileNotFound) {
            return Outcome.failed(attempts, "blob not found", null, null);
        }
        return Outcome.failed(attempts, error, line, column);
    }

    /** The outcome line of a load that did not load; the stack trace only at debug level (no traces in logs). */
    private static void logOutcome(Load load, Outcome outcome, @Nullable RuntimeException failure) {
        if (outcome.status() == LoadStatus.SUPERSEDED) {
            log.info("load {} of blob {} SUPERSEDED: the blob changed since the event", load.id(), load.blob());
            return;
        }
        if (failure != null
                && !(failure instanceof FileRejected)
                && !(failure instanceof BlobNotFound)
                && !(failure instanceof SourceFileNotFound)
                && !TransientFailure.is(failure)) {
            log.debug("load {} of blob {} failed permanently", load.id(), load.blob(), failure);
        }
        log.warn(
                "load {} of blob {}/{}/{} FAILED after {} attempt(s): {}",
                load.id(),
                load.account(),
                load.container(),
                load.blob(),
                outcome.attempts(),
                outcome.error());
    }

    /**
     * Ends every wait between retries now and for good (shutdown): those loads go back to the queue. Loads
     * in the middle of a try are not interrupted — interrupting JDBC and file I/O can corrupt more than it
     * saves — and finish or are released by {@link LoadWorkers}.
     */
    void stopRetrying() {
        poolChangedAt = Instant.now();
        synchronized (backOffs) {
            stopping = true;
            backOffs.notifyAll();
        }
    }

    /** Retries wait again (the workers started again after a stop). */
    void resumeRetrying() {
        poolChangedAt = Instant.now();
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

    private void recordFailure(Load load, String worker, int attempts, RuntimeException e, @Nullable PhaseTimes times) {
        Outcome outcome;
        if (e instanceof FileRejected rejected) {
            outcome = failure(attempts, load.etag(), e, rejected.getMessage(), rejected.line(), rejected.column());
        } else if (TransientFailure.is(e)) {
            outcome = failure(
                    attempts, load.etag(), e, "gave up after " + attempts + " attempts: " + e.getMessage(), null, null);
        } else {
            outcome = failure(attempts, load.etag(), e, describe(e), null, null);
        }
        record(load, worker, outcome, times);
        logOutcome(load, outcome, e);
    }

    /** Fails a load before any try: no phases to time. */
    private void fail(Load load, String worker, int attempts, String error) {
        Outcome outcome = Outcome.failed(attempts, error, null, null);
        record(load, worker, outcome, null);
        logOutcome(load, outcome, null);
    }

    /** Records the outcome, and the run's phases unless {@code times} is null (they are timed elsewhere). */
    private boolean record(Load load, String worker, Outcome outcome, @Nullable PhaseTimes times) {
        long recording = System.nanoTime();
        boolean completed = queue.complete(load.id(), worker, outcome);
        if (times != null) {
            times.recorded(metrics, load.table(), recording, System.nanoTime());
        }
        if (completed) {
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

    /**
     * Records a load's rows as {@code LOADED}. The warehouse has committed them: a ledger that fails now must not
     * turn the load into a failure, so the failure ends the run instead (the lease runs out and the load runs again,
     * replacing its own rows).
     */
    private boolean recordLoaded(Load load, String worker, Outcome outcome, PhaseTimes times) {
        try {
            return record(load, worker, outcome, times);
        } catch (RuntimeException e) {
            throw new OutcomeNotRecorded(e);
        }
    }

    /**
     * Runs {@code step} with the thread's interrupt flag cleared, then sets it again: Spring Retry sets the flag when
     * shutdown ends a wait between tries, and a connection pool or H2's file channel refuses or closes on an
     * interrupted thread — the loads would not go back to the queue.
     */
    private static void uninterrupted(Runnable step) {
        boolean interrupted = Thread.interrupted();
        try {
            step.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The commit fence of a run of {@code worker} over {@code claimed}: the loads about to be committed must still be
     * this worker's for long enough to commit.
     *
     * <p>Within half a lease of the claim (its {@code started_at}, on this process's clock, as the lease itself; claims
     * are granted a whole {@code snowhook.loads.lease}), with the pool neither stopping nor stopped or started since the
     * claim, no one can have taken them: other workers claim a load only once its lease ran out, and only this
     * process's stop (its release of tries still running) and start (its requeue of loads left {@code LOADING} on H2)
     * put a running load back in the queue. Then nothing is asked. Later, the ledger is asked
     * ({@link LoadQueue#hold}, which renews a lease that ran short); a ledger that does not answer refuses too: a commit
     * it cannot vouch for might duplicate another worker's.
     */
    private CommitFence fence(String worker, List<Load> claimed) {
        Map<UUID, Instant> claimedAt = new HashMap<>();
        claimed.forEach(l -> claimedAt.put(l.id(), l.startedAt()));
        Duration fresh = properties.lease().dividedBy(2);
        return files -> {
            List<UUID> ids = files.stream().map(FileLoad::loadId).toList();
            Instant now = Instant.now();
            Instant stop = poolChangedAt;
            boolean undisputed = !stopping
                    && ids.stream().allMatch(id -> {
                        Instant at = claimedAt.get(id);
                        return at != null && (stop == null || stop.isBefore(at)) && now.isBefore(at.plus(fresh));
                    });
            if (undisputed) {
                return;
            }
            boolean held;
            try {
                held = queue.hold(ids, worker, properties.lease());
            } catch (RuntimeException e) {
                throw new ClaimLost("the ledger did not confirm the claim (" + describe(e) + ")", e);
            }
            if (!held) {
                throw new ClaimLost(
                        ids.size() == 1
                                ? "another worker took the load over"
                                : "another worker took over loads of the batch");
            }
        };
    }

    /**
     * Puts back loads this worker still holds after a refused commit; 0 when the ledger does not answer (they stay
     * {@code LOADING} until their leases run out, then run again).
     */
    private static int releaseHeld(IntSupplier release) {
        try {
            return release.getAsInt();
        } catch (RuntimeException e) {
            log.warn("could not put the loads back in the queue: {}", describe(e));
            return 0;
        }
    }

    private void release(Load load, String worker) {
        if (queue.release(load.id(), worker)) {
            log.info("load {} of blob {} put back in the queue (shutdown)", load.id(), load.blob());
        }
    }

    private @Nullable String knownDown(String account) {
        if (outages.isDown(Outages.WAREHOUSE)) {
            return Outages.WAREHOUSE;
        }
        String storage = Outages.storage(account);
        return outages.isDown(storage) ? storage : null;
    }

    /**
     * One try, reported to {@link Outages}: a success clears both dependencies' failures; a connection-level
     * failure counts against the one that failed, and ends the run when it makes the dependency known down.
     */
    private <T> T observed(String account, Supplier<T> attempt) {
        String storage = Outages.storage(account);
        try {
            T result = attempt.get();
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

    /**
     * One try: open the blob (unless the warehouse reads storage itself) and load it. Its time is split where the
     * warehouse reads the file's end: before it the download (storage into the stage), after it the insert.
     */
    private Result attempt(Load load, Staging staging, int attempt, PhaseTimes times, CommitFence fence) {
        FileLoad planned = file(load, staging, attempt, load.etag(), load.size());
        if (load.etag() != null && warehouse.readsFromStorage(planned)) {
            long loading = System.nanoTime();
            try {
                return new Result(warehouse.load(planned, null, fence), null, null);
            } finally {
                times.inserted(System.nanoTime() - loading);
            }
        }
        long opening = System.nanoTime();
        BlobContent content;
        try {
            content = blobs.open(new BlobId(load.account(), load.container(), load.blob()), load.etag());
        } finally {
            times.downloaded(System.nanoTime() - opening);
        }
        try {
            FileLoad file = file(load, staging, attempt, content.etag(), content.length());
            if (warehouse.readsFromStorage(file)) {
                // opened only to learn the current eTag of an operator ingestion
                content.stream().close();
                long loading = System.nanoTime();
                try {
                    return new Result(warehouse.load(file, null, fence), null, content.etag());
                } finally {
                    times.inserted(System.nanoTime() - loading);
                }
            }
            // the whole file or nothing: a short read or a bad gzip trailer fails before the warehouse commits
            CountingStream counted = new CountingStream(
                    new VerifiedStream(content.stream(), content.length(), file.gzipped(), load.blob()));
            LoadResult loaded;
            long loading = System.nanoTime();
            try {
                loaded = warehouse.load(file, counted, fence);
            } catch (RuntimeException e) {
                // The warehouse may wrap a read failure in its own exception: the storage fault decides.
                RuntimeException storage = counted.failure;
                if (storage != null && storage != e && !(e instanceof ClaimLost)) {
                    storage.addSuppressed(e);
                    throw storage;
                }
                throw e;
            } finally {
                long done = System.nanoTime();
                long end = counted.endedAt == 0 ? done : counted.endedAt;
                times.downloaded(end - loading);
                if (counted.endedAt != 0) {
                    times.inserted(done - end);
                }
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

    /** Where one run's time went, for the {@code snowhook.load.phase} timers: summed over its tries. */
    private static final class PhaseTimes {
        final long started = System.nanoTime();
        /** Nanoseconds by phase reached: download, insert or batch (the others are timed where they happen). */
        final Map<LoadMetrics.Phase, Long> spent = new EnumMap<>(LoadMetrics.Phase.class);

        void downloaded(long nanos) {
            spent.merge(LoadMetrics.Phase.DOWNLOAD, nanos, Long::sum);
        }

        void inserted(long nanos) {
            spent.merge(LoadMetrics.Phase.INSERT, nanos, Long::sum);
        }

        void batched(long nanos) {
            spent.merge(LoadMetrics.Phase.BATCH, nanos, Long::sum);
        }

        /** Times the run's phases once its outcome was recorded, from {@code recording} to {@code recorded}. */
        void recorded(LoadMetrics metrics, @Nullable String table, long recording, long recorded) {
            spent.forEach((phase, nanos) -> metrics.phase(table, phase, nanos));
            metrics.phase(table, LoadMetrics.Phase.RECORD, recorded - recording);
            long phases = spent.values().stream().mapToLong(Long::longValue).sum();
            metrics.phase(table, LoadMetrics.Phase.OTHER, recording - started - phases);
        }
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

    /**
     * The warehouse committed a run's rows but the ledger failed to take the outcome: the run ends without recording
     * anything else, the load keeps its claim until the lease runs out.
     */
    private static final class OutcomeNotRecorded extends RuntimeException {
        OutcomeNotRecorded(RuntimeException cause) {
            super("the outcome was not recorded", cause, false, false);
        }
    }

    /** Another worker took over the load (this one's lease expired): stop without recording anything. */
    private static final class LostClaim extends RuntimeException {
        LostClaim() {
            super("the claim on the load was lost", null, false, false);
        }
    }

    /**
     * Counts the bytes read and remembers the first storage failure, whatever the reader does with it — an I/O error
     * too, as the storage's {@link BlobUnavailable}: a warehouse adapter wraps it in its own failure, which would
     * blame the warehouse for storage's fault. Hand-written: a dozen lines, where a library (Guava, Commons IO) would
     * be a new dependency.
     */
    private static final class CountingStream extends FilterInputStream {

        long count;

        /** {@link System#nanoTime()} when a read first met the end (0 before): the file has been read whole. */
        long endedAt;

        @Nullable
        RuntimeException failure;

        private final @Nullable LongConsumer onClose;

        CountingStream(InputStream in) {
            this(in, null);
        }

        /** @param onClose told the bytes read when the stream is closed */
        CountingStream(InputStream in, @Nullable LongConsumer onClose) {
            super(in);
            this.onClose = onClose;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                if (onClose != null) {
                    onClose.accept(count);
                }
            }
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) {
                    count++;
                } else if (endedAt == 0) {
                    endedAt = System.nanoTime();
                }
                return b;
            } catch (IOException e) {
                throw remember(e);
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
                } else if (n < 0 && endedAt == 0) {
                    endedAt = System.nanoTime();
                }
                return n;
            } catch (IOException e) {
                throw remember(e);
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
            } catch (IOException e) {
                throw remember(e);
            } catch (RuntimeException e) {
                throw remember(e);
            }
        }

        private <E extends Exception> E remember(E e) {
            if (failure == null) {
                failure = e instanceof RuntimeException r ? r : new BlobUnavailable("reading the blob failed", e);
            }
            return e;
        }
    }
}
