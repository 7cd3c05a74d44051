package io.snowhook.sweep;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.snowhook.blob.BlobAccessDenied;
import io.snowhook.blob.BlobListing;
import io.snowhook.blob.BlobNotFound;
import io.snowhook.blob.BlobPage;
import io.snowhook.blob.BlobRefused;
import io.snowhook.blob.BlobUnavailable;
import io.snowhook.blob.ListedBlob;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.KnownVersion;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.routing.Route;
import io.snowhook.routing.Router;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Runs sweeps: each replica has one sweeper thread that creates the scheduled sweeps of each interval (once
 * across replicas: the ledger keeps one per container and interval) and takes any sweep nobody holds —
 * new, or left behind by a replica that died — under a lease. Page by page it lists the blobs, compares the
 * page's names and eTags with the ledger in one query, records a load for each version without one, exactly as
 * an event for it would be, and saves its place.
 *
 * <p>Metrics: {@code snowhook.sweep.blobs.listed} and {@code snowhook.sweep.loads.missing} counters and the
 * {@code snowhook.sweep.duration} timer (tag {@code status}), each tagged {@code account} and {@code container}.
 */
@Component
class Sweeper implements SmartLifecycle {

    /** A listed blob is recorded as the BlobCreated event it would have had (its listing shows it committed). */
    static final String SWEPT_EVENT_TYPE = "Microsoft.Storage.BlobCreated";

    private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final SweepStore store;
    private final SweepService sweeps;
    private final LoadService loads;
    private final BlobListing listing;
    private final Router router;
    private final SweepProperties properties;
    private final MeterRegistry registry;
    private final String instance;

    private final Object signal = new Object();
    private long wakeUps;
    private volatile boolean running;
    private @Nullable Thread thread;
    private @Nullable Instant lastSlot;

    Sweeper(
            SweepStore store,
            SweepService sweeps,
            LoadService loads,
            BlobListing listing,
            Router router,
            SweepProperties properties,
            MeterRegistry registry) {
        this.store = store;
        this.sweeps = sweeps;
        this.loads = loads;
        this.listing = listing;
        this.router = router;
        this.properties = properties;
        this.registry = registry;
        this.instance = ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        Thread t = new Thread(this::loop, "snowhook-sweeper");
        t.setDaemon(true);
        thread = t;
        t.start();
        log.info(
                "sweeper {} started; scheduled sweeps {}",
                instance,
                properties.scheduled()
                        ? "every " + properties.interval() + ", queueing blobs modified within " + properties.lookback()
                                + (properties.fromFirstStart() ? " and since the ledger's first start" : "")
                        : "off (snowhook.sweep.interval=0)");
    }

    @Override
    public void stop() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
        }
        wake();
        if (t != null) {
            try {
                // the sweeper stops after the blob it is recording; a sweep left behind is resumed later
                t.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("sweeper {} stopped", instance);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @EventListener
    void onSweepRequested(SweepRequested requested) {
        wake();
    }

    private void wake() {
        synchronized (signal) {
            wakeUps++;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            long seen;
            synchronized (signal) {
                seen = wakeUps;
            }
            try {
                scheduleDue();
                while (running) {
                    var claimed = store.claim(instance, properties.lease());
                    if (claimed.isEmpty() || !run(claimed.get())) {
                        // nothing to do, or a sweep paused on a transient failure: wait before claiming again
                        break;
                    }
                }
            } catch (RuntimeException e) {
                log.warn("sweeper {} cannot reach the ledger: {}", instance, e.toString());
            }
            synchronized (signal) {
                long deadline =
                        System.currentTimeMillis() + properties.pollInterval().toMillis();
                while (running && wakeUps == seen) {
                    long wait = deadline - System.currentTimeMillis();
                    if (wait <= 0) {
                        break;
                    }
                    try {
                        signal.wait(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** The schedule's intervals start at multiples of the interval (UTC), the same on every replica. */
    private void scheduleDue() {
        if (!properties.scheduled()) {
            return;
        }
        long every = properties.interval().toMillis();
        Instant slot = Instant.ofEpochMilli(System.currentTimeMillis() / every * every);
        if (!slot.equals(lastSlot)) {
            sweeps.schedule(slot);
            lastSlot = slot;
        }
    }

    /**
     * Runs a sweep this sweeper holds, from where it stands, until it ends, the lease is lost, shutdown comes or a
     * transient failure pauses it.
     *
     * @return false when a transient failure (storage unavailable, the ledger's connection lost) paused the sweep:
     *     it is left to be taken up again from its last page, by this sweeper after its poll interval or by another
     */
    boolean run(Sweep sweep) {
        Timer.Sample timing = Timer.start(registry);
        List<String> prefixes = prefixes(sweep);
        int index = sweep.prefixIndex();
        @Nullable String token = sweep.continuation();
        log.info(
                "sweep {} of {}/{} taken by {} (attempt {}), listing {} from prefix {} with {} blobs listed",
                sweep.id(),
                sweep.account(),
                sweep.container(),
                instance,
                sweep.attempts(),
                prefixes,
                Math.min(index, prefixes.size()),
                sweep.listed());
        long listed = sweep.listed();
        long missing = 0;
        try {
            while (index < prefixes.size()) {
                if (!running) {
                    throw new ShuttingDown();
                }
                BlobPage page = listing.list(
                        sweep.account(), sweep.container(), prefixes.get(index), token, properties.pageSize());
                missing += reconcile(sweep, page.blobs());
                listed += page.blobs().size();
                counter("snowhook.sweep.blobs.listed", "Blobs listed by sweeps", sweep)
                        .increment(page.blobs().size());
                token = page.continuation();
                if (token == null) {
                    index++;
                }
                if (!store.checkpoint(sweep.id(), instance, page.blobs().size(), index, token, properties.lease())) {
                    throw new LeaseLost();
                }
            }
            store.finish(sweep.id(), instance, SweepStatus.FINISHED, null);
            timing.stop(timer(sweep, SweepStatus.FINISHED));
            log.info(
                    "sweep {} of {}/{} FINISHED: {} blobs listed, {} loads recorded by this replica",
                    sweep.id(),
                    sweep.account(),
                    sweep.container(),
                    listed,
                    missing);
        } catch (ShuttingDown stopping) {
            store.release(sweep.id(), instance);
            log.info("sweep {} given up for a replica to resume from its last page (shutdown)", sweep.id());
        } catch (LeaseLost lost) {
            log.warn(
                    "sweep {} of {}/{}: {} lost its lease (another replica holds the sweep now); stopping",
                    sweep.id(),
                    sweep.account(),
                    sweep.container(),
                    instance);
        } catch (BlobUnavailable | TransientDataAccessException | DataAccessResourceFailureException e) {
            // BlobListing's and the ledger's transient failures: retry later, from the last page saved
            log.warn(
                    "sweep {} of {}/{} paused after a transient failure, resumed from its last page later: {}",
                    sweep.id(),
                    sweep.account(),
                    sweep.container(),
                    e.getMessage());
            try {
                store.release(sweep.id(), instance);
            } catch (RuntimeException unreachable) {
                // the ledger is gone for now: the lease runs out and the sweep is taken up again all the same
                log.debug("sweep {} not released: {}", sweep.id(), unreachable.toString());
            }
            return false;
        } catch (BlobNotFound | BlobAccessDenied | BlobRefused e) {
            fail(sweep, timing, e.getMessage());
        } catch (RuntimeException e) {
            log.error("sweep {} of {}/{} failed", sweep.id(), sweep.account(), sweep.container(), e);
            fail(sweep, timing, "internal error (" + e.getClass().getSimpleName() + "): see the service log");
        }
        return true;
    }

    private void fail(Sweep sweep, Timer.Sample timing, @Nullable String error) {
        log.warn("sweep {} of {}/{} FAILED: {}", sweep.id(), sweep.account(), sweep.container(), error);
        store.finish(sweep.id(), instance, SweepStatus.FAILED, error);
        timing.stop(timer(sweep, SweepStatus.FAILED));
    }

    /**
     * Compares one page with the ledger (one query) and records a load for each routed, non-empty blob version
     * modified since the sweep's bound that has no load in any state but SKIPPED, from any origin.
     *
     * @return how many versions had no load
     */
    private int reconcile(Sweep sweep, List<ListedBlob> page) {
        Instant since = sweep.modifiedSince();
        List<ListedBlob> candidates = page.stream()
                .filter(b -> b.size() > 0)
                .filter(b -> since == null || !b.lastModified().isBefore(since))
                .filter(b -> router.route(b.name()).isPresent())
                .toList();
        if (candidates.isEmpty()) {
            return 0;
        }
        Map<String, List<KnownVersion>> known = loads
                .knownVersions(
                        sweep.account(),
                        sweep.container(),
                        candidates.stream().map(ListedBlob::name).toList())
                .stream()
                .collect(Collectors.groupingBy(KnownVersion::blob));
        List<ListedBlob> missing = new ArrayList<>();
        for (ListedBlob blob : candidates) {
            if (!hasLoad(blob, known.getOrDefault(blob.name(), List.of()))) {
                missing.add(blob);
            }
        }
        long renewed = System.nanoTime();
        long renewEvery = properties.lease().dividedBy(3).toNanos();
        for (ListedBlob blob : missing) {
            if (!running) {
                throw new ShuttingDown();
            }
            var load = loads.recordSwept(incoming(sweep, blob), sweep.id());
            log.info(
                    "sweep {} found blob {}/{}/{} eTag {} without a load: load {} {}",
                    sweep.id(),
                    sweep.account(),
                    sweep.container(),
                    blob.name(),
                    blob.etag(),
                    load.id(),
                    load.status());
            if (System.nanoTime() - renewed > renewEvery) {
                if (!store.renew(sweep.id(), instance, properties.lease())) {
                    throw new LeaseLost();
                }
                renewed = System.nanoTime();
            }
        }
        counter("snowhook.sweep.loads.missing", "Blob versions sweeps found without a load", sweep)
                .increment(missing.size());
        return missing.size();
    }

    /**
     * Whether the listed version has a load: one for its eTag, or a queued or running ingestion of the blob's
     * current version (eTag not known yet), which will load this version.
     */
    private static boolean hasLoad(ListedBlob blob, List<KnownVersion> known) {
        return known.stream()
                .anyMatch(v -> blob.etag().equals(v.etag())
                        || (v.etag() == null && !v.status().isFinal()));
    }

    private static IncomingBlob incoming(Sweep sweep, ListedBlob blob) {
        return new IncomingBlob(
                null,
                SWEPT_EVENT_TYPE,
                null,
                sweep.account(),
                sweep.container(),
                blob.name(),
                blob.etag(),
                null,
                blob.size(),
                blob.contentType(),
                null,
                blob.lastModified(),
                null);
    }

    /**
     * The prefixes to list: the sweep's own, or the routed ones without those another one covers (listing
     * {@code orders/} lists {@code orders/eu/} too), in name order.
     */
    private List<String> prefixes(Sweep sweep) {
        if (sweep.prefix() != null) {
            return List.of(sweep.prefix());
        }
        List<String> routed =
                router.routes().stream().map(Route::prefix).sorted().distinct().toList();
        return routed.stream()
                .filter(p -> routed.stream().noneMatch(other -> !other.equals(p) && p.startsWith(other)))
                .toList();
    }

    private Counter counter(String name, String description, Sweep sweep) {
        return Counter.builder(name)
                .description(description)
                .tags("account", sweep.account(), "container", sweep.container())
                .register(registry);
    }

    private Timer timer(Sweep sweep, SweepStatus status) {
        return Timer.builder("snowhook.sweep.duration")
                .description("How long a replica ran a sweep, from taking it to its end")
                .tags("account", sweep.account(), "container", sweep.container(), "status", status.name())
                .register(registry);
    }

    String instance() {
        return instance;
    }

    /** The service is stopping: the sweep is left for a replica (or the next start) to resume. */
    private static final class ShuttingDown extends RuntimeException {
        ShuttingDown() {
            super(null, null, false, false);
        }
    }

    /** The sweeper no longer holds the sweep: another replica took it after the lease ran out. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super(null, null, false, false);
        }
    }
}
