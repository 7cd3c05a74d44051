package io.snowhook.loads.work;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.snowhook.blob.BlobSource;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadsQueued;
import io.snowhook.system.OutageEnded;
import io.snowhook.system.Outages;
import io.snowhook.warehouse.Warehouse;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The bounded pool of workers that take loads from the ledger (the ledger is the queue, so a restart or
 * a crash resumes work instead of dropping it, and replicas sharing one ledger share the work).
 *
 * <p>Each worker claims a load, runs it, and claims the next; an idle worker waits for {@link LoadsQueued}
 * or the poll interval. Leases of running loads are renewed in the background. Shutdown stops claiming,
 * lets running loads finish within the grace period and puts the rest back in the queue.
 *
 * <p>While the warehouse is known down no load is claimed; while a storage account is, its loads are left in
 * the queue. Known-down dependencies are probed every {@code snowhook.outages.probe-interval}; the first
 * successful probe wakes the workers.
 */
@Component
@EnableConfigurationProperties(LoadsProperties.class)
class LoadWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LoadWorkers.class);

    private final LoadQueue queue;
    private final LoadWorker worker;
    private final LoadsProperties properties;
    private final Outages outages;
    private final Warehouse warehouse;
    private final BlobSource blobs;
    /**
     * This start's workers' name prefix, new at every start: a try abandoned by a stop that outlasted the grace period
     * may still be running, and must never pass for a worker of the next start (the commit fence and every conditional
     * update tell a claim's holder by this name); a worker of an earlier start, still busy with a try the stop
     * abandoned, stops after it.
     */
    private volatile String instance = "";

    private final LoadQueue.Batching batching;
    private final LoadMetrics metrics;
    /** Loads running now, by id, with the worker that holds each. */
    private final Map<UUID, String> running = new ConcurrentHashMap<>();

    private final Object signal = new Object();
    private long wakeUps;
    /** {@link System#nanoTime()} of the latest wake-up, for the {@code wake-up} phase. */
    private long wokenAt;

    private volatile boolean claiming;
    private volatile boolean started;
    private ExecutorService pool;
    private ScheduledExecutorService leases;

    LoadWorkers(
            LoadQueue queue,
            LoadWorker worker,
            LoadsProperties properties,
            Outages outages,
            Warehouse warehouse,
            BlobSource blobs,
            MeterRegistry meters,
            LoadMetrics metrics) {
        Gauge.builder("snowhook.loads.queue.limit", properties, LoadsProperties::maxQueued)
                .description("The backlog the ledger is sized for (snowhook.loads.max-queued): an alert threshold,"
                        + " never a refusal")
                .register(meters);
        this.metrics = metrics;
        this.outages = outages;
        this.warehouse = warehouse;
        this.blobs = blobs;
        this.queue = queue;
        this.worker = worker;
        this.properties = properties;
        this.batching = LoadQueue.Batching.of(properties.batch());
    }

    private static String instanceName() {
        return ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        int workers = properties.workers();
        if (workers == 0) {
            log.info("no load workers in this process (snowhook.loads.workers=0)");
            return;
        }
        queue.requeueOrphans();
        instance = instanceName();
        claiming = true;
        worker.resumeRetrying();
        pool = Executors.newFixedThreadPool(workers, threads("snowhook-loader-"));
        String run = instance;
        for (int i = 1; i <= workers; i++) {
            String id = run + "#" + i;
            pool.execute(() -> work(id, run));
        }
        Duration renewEvery = properties.lease().dividedBy(3);
        leases = Executors.newSingleThreadScheduledExecutor(threads("snowhook-lease-"));
        leases.scheduleWithFixedDelay(
                this::renewLeases, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
        long probeEvery = outages.probeInterval().toMillis();
        leases.scheduleWithFixedDelay(this::probeOutages, probeEvery, probeEvery, TimeUnit.MILLISECONDS);
        log.info("{} load workers started as {}", workers, instance);
    }

    /**
     * Wakes as many idle workers as loads were queued in this process (at most all of them). Waking every idle worker
     * for one load made the others claim in vain: on H2 they queue behind each other for the claim, and their empty
     * claims competed with the one that got the load for the cores while it read and inserted the file (the
     * single-file latency, docs/benchmarks.md). A worker that is busy meanwhile claims again before it waits anyway.
     */
    @EventListener
    void onLoadsQueued(LoadsQueued queued) {
        wake(Math.max(1, queued.count()));
    }

    /** Wakes idle workers: a dependency that was known down answers again. */
    @EventListener
    void onOutageEnded(OutageEnded ended) {
        wake();
    }

    /** Probes every known-down dependency once; a success ends its outage (and wakes the workers). */
    void probeOutages() {
        for (String dependency : outages.down()) {
            String account = Outages.accountOf(dependency);
            try {
                outages.check(dependency, account == null ? warehouse::check : () -> blobs.check(account));
            } catch (RuntimeException e) {
                log.debug("{} is still down: {}", dependency, e.toString());
            }
        }
    }

    /** Wakes every idle worker. */
    void wake() {
        wake(Integer.MAX_VALUE);
    }

    /**
     * Wakes up to {@code workers} idle workers; a worker between its claim and its wait does not wait then (it sees
     * the count of wake-ups change), so no load queued now waits for the poll interval.
     */
    private void wake(int workers) {
        synchronized (signal) {
            wakeUps++;
            wokenAt = System.nanoTime();
            if (workers >= properties.workers()) {
                signal.notifyAll();
            } else {
                for (int i = 0; i < workers; i++) {
                    signal.notify();
                }
            }
        }
    }

    private void work(String id, String run) {
        // when loads were last queued, if that woke this worker or kept it from waiting (0: the poll interval ran out)
        long woken = 0;
        while (claiming && run.equals(instance)) {
            long seen = wakeUpsSeen();
            if (outages.isDown(Outages.WAREHOUSE)) {
                // every load needs the warehouse: they wait in the queue until a probe finds it again
                woken = awaitWork(seen);
                continue;
            }
            LoadQueue.Claimed claimed;
            long claimStart = System.nanoTime();
            try {
                claimed = queue.claim(id, properties.lease(), outages.accountsDown(), batching);
            } catch (RuntimeException e) {
                log.warn("worker {} cannot claim loads from the ledger: {}", id, e.getMessage());
                woken = awaitWork(seen);
                continue;
            }
            if (claimed.isEmpty()) {
                woken = awaitWork(seen);
                continue;
            }
            String table = claimed.loads().get(0).table();
            metrics.phase(table, LoadMetrics.Phase.CLAIM, System.nanoTime() - claimStart);
            if (woken != 0) {
                metrics.phase(table, LoadMetrics.Phase.WAKE_UP, claimStart - woken);
                woken = 0;
            }
            claimed.loads().forEach(load -> running.put(load.id(), id));
            try {
                worker.run(claimed, id);
            } catch (RuntimeException | Error e) {
                // The ledger failed while recording, or the load broke the JVM's limits (e.g. out of memory):
                // the lease expires and a worker takes the loads up again. This worker carries on, so the pool
                // never shrinks.
                Load first = claimed.loads().get(0);
                log.error(
                        "worker {} could not record {} load(s), the first {} of blob {}: {}",
                        id,
                        claimed.loads().size(),
                        first.id(),
                        first.blob(),
                        e.toString());
            } finally {
                // only this worker's entries: another worker may have reclaimed one of these loads meanwhile (this
                // worker's lease ran out) and must keep its lease renewed
                claimed.loads().forEach(load -> running.remove(load.id(), id));
            }
        }
    }

    private long wakeUpsSeen() {
        synchronized (signal) {
            return wakeUps;
        }
    }

    /**
     * Waits for loads queued in this process (or the poll interval) unless some were queued since {@code seen}.
     *
     * @return when loads were last queued ({@link System#nanoTime()}) if that ended or skipped the wait, 0 when the
     *     poll interval ended it
     */
    private long awaitWork(long seen) {
        synchronized (signal) {
            if (claiming && wakeUps == seen) {
                try {
                    signal.wait(Math.max(1, properties.pollInterval().toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    claiming = false;
                }
            }
            // loads queued since seen, while this worker waited or before it could: the time counts from then
            return wakeUps != seen ? wokenAt : 0;
        }
    }

    private void renewLeases() {
        running.forEach((load, id) -> {
            try {
                if (!queue.renew(load, id, properties.lease())) {
                    log.warn("load {}: worker {} no longer holds its lease", load, id);
                }
            } catch (RuntimeException e) {
                log.warn("load {}: cannot renew the lease of worker {}: {}", load, id, e.getMessage());
            }
        });
    }

    /** Loads this process runs now. */
    int busy() {
        return running.size();
    }

    @Override
    public void stop() {
        synchronized (this) {
            if (!started) {
                return;
            }
            started = false;
        }
        if (pool == null) {
            return;
        }
        claiming = false;
        wake();
        worker.stopRetrying();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(properties.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "{} loads still running after {}; putting them back in the queue",
                        running.size(),
                        properties.shutdownGrace());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Loads still running are not interrupted (JDBC and file I/O do not take it well): they go back to
        // the queue now, so the next start (or another replica) runs them again — loads are idempotent —
        // and whatever they record later is ignored, their claim being gone.
        running.forEach((load, id) -> {
            if (queue.release(load, id)) {
                log.info("load {} put back in the queue (shutdown)", load);
            }
        });
        leases.shutdownNow();
        log.info("load workers stopped");
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            // never keeps the JVM alive: shutdown has released whatever is still running
            t.setDaemon(true);
            return t;
        };
    }
}
