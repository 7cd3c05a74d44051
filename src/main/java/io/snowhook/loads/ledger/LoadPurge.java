package io.snowhook.loads.ledger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.snowhook.loads.LoadsProperties;
import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Purges final loads ({@code LOADED}, {@code FAILED}, {@code SKIPPED}, {@code SUPERSEDED}) that finished more
 * than {@code snowhook.loads.retention} ago, every {@code snowhook.loads.retention-interval}. {@code QUEUED}
 * and {@code LOADING} loads are never purged, however old.
 *
 * <p>Each batch is one short statement deleting at most {@code snowhook.loads.retention-batch} rows by
 * primary key, chosen through the {@code (status, finished_at)} index, so intake never waits behind a purge.
 * On PostgreSQL the batch skips rows another transaction holds locked, so replicas purging at the same time
 * neither wait on nor fail each other; every replica may purge, the deletes are idempotent. A load that a
 * re-ingestion still references waits until that re-ingestion is purged (in the same run).
 */
@Component
@EnableConfigurationProperties(LoadsProperties.class)
class LoadPurge implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LoadPurge.class);

    private static final String PURGEABLE = "status IN ('LOADED', 'FAILED', 'SKIPPED', 'SUPERSEDED')"
            + " AND finished_at < :cutoff"
            + " AND NOT EXISTS (SELECT 1 FROM loads r WHERE r.reingest_of = l.id)";

    private final JdbcClient jdbc;
    private final LoadsProperties properties;
    private final Clock clock;
    private final Counter purged;
    private final String batchSql;
    private final boolean postgres;
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean running;

    /** The retention this purge applies, for the features that must stay within it. */
    @Bean
    static LedgerRetention ledgerRetention(LoadsProperties properties) {
        return new LedgerRetention(properties.retention());
    }

    @Autowired
    LoadPurge(JdbcClient jdbc, DataSource dataSource, LoadsProperties properties, MeterRegistry registry) {
        this(jdbc, dataSource, properties, registry, Clock.systemUTC());
    }

    LoadPurge(JdbcClient jdbc, DataSource dataSource, LoadsProperties properties, MeterRegistry registry, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.purged = Counter.builder("snowhook.loads.purged")
                .description("final loads purged from the ledger after snowhook.loads.retention")
                .register(registry);
        boolean postgres = product(dataSource).toLowerCase(Locale.ROOT).contains("postgres");
        // PostgreSQL: by primary key from a bounded SELECT that skips locked rows. H2 (one process): the ids
        // first, then the DELETE by them (H2 re-reads a LIMIT subquery of the table it deletes from)
        this.postgres = postgres;
        this.batchSql = "DELETE FROM loads WHERE id IN (SELECT l.id FROM loads l WHERE " + PURGEABLE
                + " LIMIT :batch FOR UPDATE SKIP LOCKED)";
    }

    /** What one purge run did. */
    record Run(long rows, int batches) {}

    /**
     * Purges, batch after batch, the final loads that finished before {@code now - retention}; nothing when
     * the retention is {@code 0}. Logs one line and counts the rows in {@code snowhook.loads.purged}.
     */
    Run run() {
        if (!properties.purging()) {
            return new Run(0, 0);
        }
        Instant cutoff = clock.instant().minus(properties.retention());
        long started = System.nanoTime();
        Run run = purgeBefore(cutoff, properties.retentionBatch());
        log.info(
                "ledger purge: {} final loads finished before {} deleted in {} batches of at most {} in {} ms"
                        + " (retention {})",
                run.rows(),
                cutoff,
                run.batches(),
                properties.retentionBatch(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                properties.retention());
        return run;
    }

    /** Deletes batches of at most {@code batch} purgeable loads until a batch finds none. */
    Run purgeBefore(Instant cutoff, int batch) {
        long rows = 0;
        int batches = 0;
        while (true) {
            int deleted = purgeBatch(cutoff, batch);
            batches++;
            rows += deleted;
            purged.increment(deleted);
            if (deleted == 0 || Thread.currentThread().isInterrupted()) {
                return new Run(rows, batches);
            }
        }
    }

    /** One batch, one statement (its own transaction): deletes at most {@code batch} purgeable loads. */
    int purgeBatch(Instant cutoff, int batch) {
        if (postgres) {
            return jdbc.sql(batchSql)
                    .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                    .param("batch", batch)
                    .update();
        }
        List<UUID> ids = jdbc.sql("SELECT l.id FROM loads l WHERE " + PURGEABLE + " LIMIT :batch")
                .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .param("batch", batch)
                .query(UUID.class)
                .list();
        return ids.isEmpty()
                ? 0
                : jdbc.sql("DELETE FROM loads l WHERE id IN (:ids) AND " + PURGEABLE)
                        .param("ids", ids)
                        .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                        .update();
    }

    private void runSafely() {
        try {
            run();
        } catch (DataAccessException e) {
            // a re-ingestion recorded meanwhile, or the ledger briefly unreachable: the next run catches up
            log.warn(
                    "ledger purge stopped early, the next run resumes it: {}",
                    e.getMostSpecificCause().toString());
        } catch (RuntimeException e) {
            log.error("ledger purge failed", e);
        }
    }

    @Override
    public void start() {
        if (!properties.purging()) {
            log.info("snowhook.loads.retention is 0: final loads are kept in the ledger for ever");
            running = true;
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(LoadPurge::daemon);
        long interval = properties.retentionInterval().toMillis();
        // the first run a minute after start-up (or sooner on a short interval), then every interval
        s.scheduleWithFixedDelay(this::runSafely, Math.min(interval, 60_000), interval, TimeUnit.MILLISECONDS);
        scheduler = s;
        running = true;
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "snowhook-ledger-purge");
        t.setDaemon(true);
        return t;
    }

    @Override
    public void stop() {
        running = false;
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static String product(DataSource dataSource) {
        try {
            String value = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
            return value == null ? "" : value;
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("cannot tell which database holds the load ledger", e);
        }
    }
}
