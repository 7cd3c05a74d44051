package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snowhook.loads.ledger.Blobs;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadOrigin;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The load metrics, over a real ledger (H2 with the Flyway schema). */
class LoadMetricsTest {

    static final Instant EVENT = Instant.parse("2026-11-23T22:00:00Z");

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MutableClock clock = new MutableClock();
    JdbcClient jdbc;
    LoadMetrics metrics;

    @BeforeEach
    void ledger() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:load-metrics-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).load().migrate();
        jdbc = JdbcClient.create(dataSource);
        metrics = new LoadMetrics(registry, this::countByStatus, clock);
    }

    @Test
    void countsFinishedLoadsByTableAndStatus() {
        metrics.finished(load("ORDERS", LoadStatus.LOADED, 10L, 100L));
        metrics.finished(load("ORDERS", LoadStatus.LOADED, 5L, 50L));
        metrics.finished(load("ORDERS", LoadStatus.FAILED, null, null));
        metrics.finished(load("INVENTORY", LoadStatus.LOADED, 1L, 10L));

        assertThat(count("ORDERS", "LOADED")).isEqualTo(2);
        assertThat(count("ORDERS", "FAILED")).isEqualTo(1);
        assertThat(count("INVENTORY", "LOADED")).isEqualTo(1);
        assertThat(registry.get("snowhook.load.rows")
                        .tag("table", "ORDERS")
                        .counter()
                        .count())
                .isEqualTo(15);
        assertThat(registry.get("snowhook.load.bytes")
                        .tag("table", "ORDERS")
                        .counter()
                        .count())
                .isEqualTo(150);
    }

    @Test
    void timesLoadDurationAndEventToLoadedLatencyWithHistograms() {
        metrics.finished(load("ORDERS", LoadStatus.LOADED, 10L, 100L));

        Timer duration = registry.get("snowhook.load.duration")
                .tags("table", "ORDERS", "status", "LOADED")
                .timer();
        assertThat(duration.totalTime(TimeUnit.SECONDS)).isEqualTo(4);
        assertThat(duration.takeSnapshot().histogramCounts()).isNotEmpty();
        Timer latency =
                registry.get("snowhook.load.latency").tag("table", "ORDERS").timer();
        assertThat(latency.totalTime(TimeUnit.SECONDS)).isEqualTo(65);
        assertThat(latency.takeSnapshot().histogramCounts()).isNotEmpty();
    }

    @Test
    void measuresLatencyOnlyForLoadedFiles() {
        metrics.finished(load("ORDERS", LoadStatus.FAILED, null, null));

        assertThat(registry.find("snowhook.load.latency").timer()).isNull();
        assertThat(registry.find("snowhook.load.rows").counter()).isNull();
    }

    @Test
    void countsRetriesAndBusyWorkers() {
        Load load = load("ORDERS", LoadStatus.LOADING, null, null);
        metrics.retried(load);
        metrics.retried(load);
        assertThat(registry.get("snowhook.load.retries")
                        .tag("table", "ORDERS")
                        .counter()
                        .count())
                .isEqualTo(2);

        try (LoadMetrics.Busy first = metrics.busy()) {
            try (LoadMetrics.Busy second = metrics.busy()) {
                assertThat(busy()).isEqualTo(2);
            }
            assertThat(busy()).isEqualTo(1);
        }
        assertThat(busy()).isZero();
    }

    @Test
    void readsQueueDepthFromTheLedgerAndReusesItForTenSeconds() {
        insert(LoadStatus.QUEUED);
        insert(LoadStatus.QUEUED);
        insert(LoadStatus.LOADING);
        insert(LoadStatus.LOADED);

        assertThat(queue("QUEUED")).isEqualTo(2);
        assertThat(queue("LOADING")).isEqualTo(1);

        insert(LoadStatus.QUEUED);
        clock.advance(Duration.ofSeconds(9));
        assertThat(queue("QUEUED")).as("cached").isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue("QUEUED")).isEqualTo(3);
    }

    double count(String table, String status) {
        return registry.get("snowhook.loads.finished")
                .tags("table", table, "status", status)
                .counter()
                .count();
    }

    double busy() {
        return registry.get("snowhook.workers.busy").gauge().value();
    }

    double queue(String status) {
        return registry.get("snowhook.loads.queue")
                .tag("status", status)
                .gauge()
                .value();
    }

    void insert(LoadStatus status) {
        jdbc.sql("INSERT INTO loads (id, status, account, container, blob_name, received_at)"
                        + " VALUES (:id, :status, :account, :container, :blob, CURRENT_TIMESTAMP)")
                .param("id", UUID.randomUUID())
                .param("status", status.name())
                .param("account", Blobs.ACCOUNT)
                .param("container", Blobs.CONTAINER)
                .param("blob", Blobs.uniqueOrders())
                .update();
    }

    /** What the ledger answers the gauge ({@code LoadService.countByStatus}), read here straight from the table. */
    Map<LoadStatus, Long> countByStatus(Collection<LoadStatus> statuses) {
        Map<LoadStatus, Long> counts = new EnumMap<>(LoadStatus.class);
        statuses.forEach(s -> counts.put(
                s,
                jdbc.sql("SELECT COUNT(*) FROM loads WHERE status = :status")
                        .param("status", s.name())
                        .query(Long.class)
                        .single()));
        return counts;
    }

    /** Received a second after the event, claimed a minute later, finished four seconds after that. */
    static Load load(String table, LoadStatus status, @Nullable Long rows, @Nullable Long bytes) {
        return new Load(
                UUID.randomUUID(),
                UUID.randomUUID().toString(),
                status,
                Blobs.ACCOUNT,
                Blobs.CONTAINER,
                Blobs.uniqueOrders(),
                "0x8DCB" + UUID.randomUUID(),
                null,
                bytes,
                "orders/",
                table,
                FileFormat.CSV,
                LoadMode.APPEND,
                Staging.INTERNAL,
                1,
                rows,
                rows,
                bytes,
                null,
                null,
                null,
                null,
                null,
                EVENT,
                EVENT.plusSeconds(1),
                EVENT.plusSeconds(61),
                status.isFinal() ? EVENT.plusSeconds(65) : null,
                LoadOrigin.EVENT,
                null);
    }

    static final class MutableClock extends Clock {

        private Instant now = Instant.parse("2026-11-24T08:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
