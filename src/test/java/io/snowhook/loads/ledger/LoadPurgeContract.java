package io.snowhook.loads.ledger;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snowhook.blob.StorageAccounts;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.routing.Router;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.unit.DataSize;

/** Purging final loads after the retention, run against each supported database by a subclass. */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Transactional(propagation = Propagation.NOT_SUPPORTED) // each batch commits on its own, as in production
@Import({LoadService.class, LoadStore.class, Router.class, StorageAccounts.class})
abstract class LoadPurgeContract {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Duration RETENTION = Duration.ofDays(90);

    @Autowired
    LoadService loads;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void emptyLedger() {
        jdbc.sql("DELETE FROM loads").update();
    }

    LoadPurge purge(Duration retention, int batch) {
        LoadsProperties properties = new LoadsProperties(
                0,
                Duration.ofMillis(500),
                Duration.ofMinutes(5),
                Duration.ofSeconds(20),
                new LoadsProperties.Retry(5, Duration.ofSeconds(1), 2, Duration.ofSeconds(30)),
                1_000_000,
                retention,
                batch,
                Duration.ofHours(1),
                new LoadsProperties.Batch(50, DataSize.ofGigabytes(1), Duration.ZERO));
        return new LoadPurge(jdbc, dataSource, properties, registry, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** A load in {@code status}, received and (when final) finished {@code age} before {@link #NOW}. */
    UUID load(LoadStatus status, Duration age) {
        Load load = loads.submit(List.of(event(uniqueOrders(), "0x8DCB" + UUID.randomUUID(), "0001")))
                .get(0);
        Instant at = NOW.minus(age);
        jdbc.sql("UPDATE loads SET status = :status, received_at = :at, finished_at = :finished WHERE id = :id")
                .param("status", status.name())
                .param("at", at.atOffset(ZoneOffset.UTC))
                .param("finished", status.isFinal() ? at.atOffset(ZoneOffset.UTC) : null)
                .param("id", load.id())
                .update();
        return load.id();
    }

    boolean exists(UUID id) {
        return jdbc.sql("SELECT COUNT(*) FROM loads WHERE id = :id")
                        .param("id", id)
                        .query(Long.class)
                        .single()
                == 1;
    }

    @Test
    void purgesFinalLoadsOlderThanTheRetentionOnly() {
        Duration old = RETENTION.plusDays(1);
        List<UUID> purged = List.of(
                load(LoadStatus.LOADED, old),
                load(LoadStatus.FAILED, old),
                load(LoadStatus.SKIPPED, old),
                load(LoadStatus.SUPERSEDED, old));
        List<UUID> kept = List.of(
                load(LoadStatus.QUEUED, old),
                load(LoadStatus.LOADING, old),
                load(LoadStatus.LOADED, RETENTION.minusHours(1)),
                load(LoadStatus.FAILED, Duration.ofMinutes(1)));

        LoadPurge.Run run = purge(RETENTION, 1000).run();

        assertThat(run.rows()).isEqualTo(4);
        assertThat(purged).noneMatch(this::exists);
        assertThat(kept).allMatch(this::exists);
        assertThat(registry.counter("snowhook.loads.purged").count()).isEqualTo(4);
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM loads").query(Long.class).single();
    }

    @Test
    void deletesInBatchesOfAtMostTheBatchSize() {
        for (int i = 0; i < 7; i++) {
            load(LoadStatus.LOADED, RETENTION.plusDays(10));
        }
        LoadPurge purge = purge(RETENTION, 3);
        Instant cutoff = NOW.minus(RETENTION);

        assertThat(count()).isEqualTo(7);
        assertThat(purge.purgeBatch(cutoff, 3)).isEqualTo(3);
        assertThat(count()).isEqualTo(4);
        assertThat(purge.purgeBatch(cutoff, 3)).isEqualTo(3);
        assertThat(count()).isEqualTo(1);
        assertThat(purge.purgeBatch(cutoff, 3)).isEqualTo(1);
        assertThat(purge.purgeBatch(cutoff, 3)).isZero();

        for (int i = 0; i < 7; i++) {
            load(LoadStatus.LOADED, RETENTION.plusDays(10));
        }
        assertThat(purge.run()).isEqualTo(new LoadPurge.Run(7, 4)); // 3 + 3 + 1, and one that finds none
    }

    @Test
    void keepsALoadARecentReingestionReferencesAndPurgesBothOnceBothAreOld() {
        UUID original = load(LoadStatus.FAILED, RETENTION.plusDays(30));
        UUID reingestion = load(LoadStatus.LOADED, Duration.ofDays(1));
        jdbc.sql("UPDATE loads SET reingest_of = :original WHERE id = :id")
                .param("original", original)
                .param("id", reingestion)
                .update();

        assertThat(purge(RETENTION, 1000).run().rows()).isZero();
        assertThat(exists(original)).isTrue();

        jdbc.sql("UPDATE loads SET finished_at = :at WHERE id = :id")
                .param("at", NOW.minus(RETENTION).minusSeconds(1).atOffset(ZoneOffset.UTC))
                .param("id", reingestion)
                .update();
        assertThat(purge(RETENTION, 1000).run().rows()).isEqualTo(2);
        assertThat(exists(original)).isFalse();
        assertThat(exists(reingestion)).isFalse();
    }

    @Test
    void aDuplicateDeliveredAfterItsLoadWasPurgedIsRecordedAgain() {
        IncomingBlob blob = event(uniqueOrders(), "0x8DCB" + UUID.randomUUID(), "0001");
        Load first = loads.submit(List.of(blob)).get(0);
        assertThat(loads.submit(List.of(blob)).get(0).id()).isEqualTo(first.id()); // deduplicated
        jdbc.sql("UPDATE loads SET status = 'LOADED', finished_at = :at WHERE id = :id")
                .param("at", NOW.minus(RETENTION).minusSeconds(1).atOffset(ZoneOffset.UTC))
                .param("id", first.id())
                .update();

        purge(RETENTION, 1000).run();

        Load again = loads.submit(List.of(blob)).get(0);
        assertThat(again.id()).isNotEqualTo(first.id());
        assertThat(again.status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void aRetentionOfZeroKeepsEverything() {
        UUID ancient = load(LoadStatus.LOADED, Duration.ofDays(3650));

        assertThat(purge(Duration.ZERO, 1000).run().rows()).isZero();
        assertThat(exists(ancient)).isTrue();
    }
}
