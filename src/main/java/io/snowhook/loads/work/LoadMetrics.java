package io.snowhook.loads.work;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * snowhook's own metrics (Micrometer, scraped at {@code /actuator/prometheus}): what loaded, how long it took
 * and how far behind the uploads snowhook is. The worker reports each finished load, each retry and when it is
 * busy; the queue depth is read from the ledger, which every replica shares.
 *
 * <ul>
 *   <li>{@code snowhook.loads.finished} counter, tags {@code table}, {@code status} — final states reached by
 *       a worker ({@code LOADED}, {@code FAILED}, {@code SUPERSEDED})
 *   <li>{@code snowhook.load.duration} timer with histogram, tags {@code table}, {@code status} — claim to
 *       final state
 *   <li>{@code snowhook.load.latency} timer with histogram, tag {@code table} — the storage event's time (or,
 *       without one, when snowhook received it) to {@code LOADED}
 *   <li>{@code snowhook.load.rows}, {@code snowhook.load.bytes} counters, tag {@code table} — loaded
 *   <li>{@code snowhook.load.retries} counter, tag {@code table} — transient failures retried
 *   <li>{@code snowhook.loads.batch.files} distribution, tag {@code table} — files per batch (one warehouse
 *       statement)
 *   <li>{@code snowhook.warehouse.statements} counter and {@code snowhook.warehouse.statements.per.file}
 *       distribution, tag {@code table} — what the loads cost in warehouse statements
 *   <li>{@code snowhook.loads.table.queue} gauge, tag {@code table} — queued loads per target table, ledger-wide
 *       like {@code snowhook.loads.queue}
 *   <li>{@code snowhook.loads.queue} gauge, tag {@code status} ({@code QUEUED}, {@code LOADING}) — ledger-wide,
 *       so every replica reports the same value: aggregate with {@code max}, not {@code sum}
 *   <li>{@code snowhook.workers.busy} gauge — this replica's workers running a load
 *   <li>{@code snowhook.load.phase} timer with histogram, tags {@code phase}, {@code table} — where a load's time
 *       goes on its worker, one phase after another (see {@link Phase}): {@code wake-up}, {@code claim}, {@code
 *       download}, {@code insert} (or {@code batch}), {@code record}, {@code other}
 * </ul>
 */
@Component
public class LoadMetrics {

    /** How long a ledger count is reused: scrapes of every replica must not turn into a query storm. */
    static final Duration QUEUE_DEPTH_TTL = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(LoadMetrics.class);
    private static final Set<LoadStatus> QUEUE = EnumSet.of(LoadStatus.QUEUED, LoadStatus.LOADING);
    private static final String NO_TABLE = "none";

    private final MeterRegistry registry;
    private final Function<Collection<LoadStatus>, Map<LoadStatus, Long>> counts;
    private final Clock clock;
    private final AtomicInteger busy = new AtomicInteger();

    private final Supplier<Map<String, Long>> queuedByTable;
    /** The queued loads of each table seen so far, as last read; a table's gauge is registered when first seen. */
    private final Map<String, Long> tableDepth = new ConcurrentHashMap<>();

    private @Nullable Map<LoadStatus, Long> depth;
    private Instant depthReadAt = Instant.MIN;

    @Autowired
    LoadMetrics(MeterRegistry registry, LoadService ledger, LoadQueue queue) {
        this(registry, ledger::countByStatus, queue::queuedByTable, Clock.systemUTC());
    }

    /** @param counts counts loads by status in the ledger */
    LoadMetrics(MeterRegistry registry, Function<Collection<LoadStatus>, Map<LoadStatus, Long>> counts, Clock clock) {
        this(registry, counts, Map::of, clock);
    }

    /**
     * @param counts counts loads by status in the ledger
     * @param queuedByTable counts queued loads by target table in the ledger
     */
    LoadMetrics(
            MeterRegistry registry,
            Function<Collection<LoadStatus>, Map<LoadStatus, Long>> counts,
            Supplier<Map<String, Long>> queuedByTable,
            Clock clock) {
        this.registry = registry;
        this.counts = counts;
        this.queuedByTable = queuedByTable;
        this.clock = clock;
        for (LoadStatus status : QUEUE) {
            Gauge.builder("snowhook.loads.queue", this, metrics -> metrics.depth(status))
                    .tag("status", status.name())
                    .description("Loads in the ledger in this state (all replicas)")
                    .register(registry);
        }
        Gauge.builder("snowhook.workers.busy", busy, AtomicInteger::get)
                .description("Workers of this replica running a load")
                .register(registry);
    }

    /** Records a load a worker brought to its final state; {@code load} is the row as recorded. */
    public void finished(Load load) {
        finished(
                load,
                load.status(),
                load.rowsLoaded(),
                load.bytes(),
                load.finishedAt() != null ? load.finishedAt() : clock.instant());
    }

    /** Records the outcome a worker has just recorded for the load it claimed. */
    void finished(Load claimed, Outcome outcome) {
        finished(claimed, outcome.status(), outcome.rowsLoaded(), outcome.bytes(), clock.instant());
    }

    private void finished(
            Load load, LoadStatus outcome, @Nullable Long rowsLoaded, @Nullable Long bytes, Instant finishedAt) {
        String table = table(load);
        String status = outcome.name();
        Counter.builder("snowhook.loads.finished")
                .description("Loads brought to a final state by a worker")
                .tags("table", table, "status", status)
                .register(registry)
                .increment();
        if (load.startedAt() != null) {
            histogram("snowhook.load.duration", "From claim to final state")
                    .tags("table", table, "status", status)
                    .register(registry)
                    .record(nonNegative(Duration.between(load.startedAt(), finishedAt)));
        }
        if (outcome != LoadStatus.LOADED) {
            return;
        }
        Instant happened = load.eventTime() != null ? load.eventTime() : load.receivedAt();
        histogram("snowhook.load.latency", "From the storage event to the rows in the table")
                .tags("table", table)
                .register(registry)
                .record(nonNegative(Duration.between(happened, finishedAt)));
        if (rowsLoaded != null) {
            Counter.builder("snowhook.load.rows")
                    .baseUnit("rows")
                    .description("Rows loaded")
                    .tags("table", table)
                    .register(registry)
                    .increment(rowsLoaded);
        }
        if (bytes != null) {
            Counter.builder("snowhook.load.bytes")
                    .baseUnit("bytes")
                    .description("Bytes of files loaded")
                    .tags("table", table)
                    .register(registry)
                    .increment(bytes);
        }
    }

    /** Records a batch a worker starts: how many files share its warehouse statement. */
    void batch(String table, int files) {
        DistributionSummary.builder("snowhook.loads.batch.files")
                .baseUnit("files")
                .description("Files per batch: loaded together in one warehouse statement")
                .tags("table", table)
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue((double) io.snowhook.warehouse.FileBatch.MAX_FILES)
                .register(registry)
                .record(files);
    }

    /**
     * Records what a batch (or a file loaded alone) cost in warehouse statements, its retries included: the figure
     * batching exists to cut (Snowflake bills the warehouse's time, and each statement under the table's lock waits
     * for the one before it).
     */
    void statements(String table, long statements, int files) {
        Counter.builder("snowhook.warehouse.statements")
                .description("Statements sent to the warehouse for loads: SQL, PUT uploads, commits")
                .tags("table", table)
                .register(registry)
                .increment(statements);
        DistributionSummary.builder("snowhook.warehouse.statements.per.file")
                .description("Warehouse statements per file, by batch")
                .tags("table", table)
                .publishPercentiles(0.5, 0.99)
                .register(registry)
                .record((double) statements / Math.max(1, files));
    }

    /**
     * The parts of a load's run, one after another on its worker's thread; together (without {@code wake-up}) they are
     * the time from the claim's start to the outcome recorded.
     */
    enum Phase {
        /** An idle worker woken because this process queued loads, until it starts to claim. */
        WAKE_UP("wake-up"),
        /** The claim: the ledger transaction that takes the load (or batch) for the worker. */
        CLAIM("claim"),
        /** The blob opened and read into the warehouse's stage, until the warehouse has read its end. */
        DOWNLOAD("download"),
        /** After the warehouse read the file's end: its statements (delete, insert, commit) until it answers. */
        INSERT("insert"),
        /** A batch's warehouse call, its files' reads and its statements together (they overlap). */
        BATCH("batch"),
        /** The outcome recorded in the ledger (one committed update). */
        RECORD("record"),
        /** The rest between the claim and the record: the worker's own steps, retry waits included. */
        OTHER("other");

        private final String tag;

        Phase(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    /** Records how long one phase of a load's run took, in nanoseconds; a negative time counts as zero. */
    void phase(@Nullable String table, Phase phase, long nanos) {
        Timer.builder("snowhook.load.phase")
                .description("Where a load's time goes on its worker, by phase")
                .tags("phase", phase.tag(), "table", table == null ? NO_TABLE : table)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Records one retry of a transient failure. */
    public void retried(Load load) {
        Counter.builder("snowhook.load.retries")
                .description("Transient failures retried")
                .tags("table", table(load))
                .register(registry)
                .increment();
    }

    /** Marks a worker busy until the returned handle is closed. */
    public Busy busy() {
        busy.incrementAndGet();
        return busy::decrementAndGet;
    }

    /** A busy worker; closing it marks the worker idle again. */
    @FunctionalInterface
    public interface Busy extends AutoCloseable {
        @Override
        void close();
    }

    synchronized double depth(LoadStatus status) {
        return refreshed() ? depth.getOrDefault(status, 0L) : Double.NaN;
    }

    synchronized double tableDepth(String table) {
        return refreshed() ? tableDepth.getOrDefault(table, 0L) : Double.NaN;
    }

    /** Reads the queue's depth from the ledger unless it was read within the TTL; false when the ledger failed. */
    private boolean refreshed() {
        Instant now = clock.instant();
        if (depth != null && now.isBefore(depthReadAt.plus(QUEUE_DEPTH_TTL))) {
            return true;
        }
        try {
            depth = counts.apply(QUEUE);
            Map<String, Long> byTable = queuedByTable.get();
            tableDepth.replaceAll((table, n) -> byTable.getOrDefault(table, 0L));
            byTable.forEach((table, n) -> {
                if (tableDepth.put(table, n) == null) {
                    Gauge.builder("snowhook.loads.table.queue", this, metrics -> metrics.tableDepth(table))
                            .tag("table", table)
                            .description("Queued loads of this target table in the ledger (all replicas)")
                            .register(registry);
                }
            });
            depthReadAt = now;
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not read the queue depth from the ledger: {}", e.toString());
            return false;
        }
    }

    private static Timer.Builder histogram(String name, String description) {
        return Timer.builder(name)
                .description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(6));
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private static String table(Load load) {
        return load.table() != null ? load.table() : NO_TABLE;
    }
}
