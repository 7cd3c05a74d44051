package io.snowhook.loads.work;

import io.micrometer.core.instrument.MeterRegistry;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobSource;
import io.snowhook.loads.LoadsProperties;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.system.Outages;
import io.snowhook.system.OutagesProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.util.unit.DataSize;

/** What the tests of one worker run, without an application: an H2 ledger in memory and the worker's settings. */
final class WorkerFixtures {

    private WorkerFixtures() {}

    /** A new, migrated H2 ledger in memory. */
    static JdbcDataSource ledger(String name) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).load().migrate();
        return dataSource;
    }

    /** One worker, quick retries (3 tries, 1 ms apart), batches of up to 50 files, the given lease. */
    static LoadsProperties properties(Duration lease) {
        return new LoadsProperties(
                1,
                Duration.ofMillis(500),
                lease,
                Duration.ofSeconds(20),
                new LoadsProperties.Retry(3, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)),
                1_000_000,
                Duration.ofDays(90),
                2000,
                Duration.ofHours(1),
                new LoadsProperties.Batch(50, DataSize.ofGigabytes(1), Duration.ZERO));
    }

    static LoadMetrics metrics(MeterRegistry meters) {
        return new LoadMetrics(meters, statuses -> new EnumMap<>(LoadStatus.class), Clock.systemUTC());
    }

    static Outages outages() {
        return new Outages(new OutagesProperties(3, Duration.ofSeconds(5), Duration.ofSeconds(2)), e -> {}, null);
    }

    /** Storage that only serves blobs: it pins, deletes and lists nothing, and is always reachable. */
    abstract static class ReadOnlyStorage implements BlobSource {
        @Override
        public void pin(BlobId id, String expectedEtag, String pinnedName) {}

        @Override
        public void delete(BlobId id) {}

        @Override
        public int deleteOlderThan(String account, String container, String prefix, Instant cutoff) {
            return 0;
        }

        @Override
        public void check() {}

        @Override
        public void check(String account) {}
    }
}
