package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.snowhook.SnowhookApplication;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.TestFiles;
import io.snowhook.warehouse.Warehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker pool in a running application: real Azurite, DuckDB and H2. Idle workers poll only every ten
 * minutes here, so loads that finish prove the workers were woken by the queueing itself.
 */
@SpringBootTest(
        classes = {SnowhookApplication.class, LoadWorkersTest.Gate.class},
        properties = {
            "spring.datasource.url=jdbc:h2:mem:workers-test;DB_CLOSE_DELAY=-1",
            "snowhook.loads.workers=2",
            "snowhook.loads.poll-interval=10m",
            "snowhook.loads.shutdown-grace=10s",
            "snowhook.loads.retry.initial-delay=10ms",
            "snowhook.loads.retry.max-delay=50ms"
        })
class LoadWorkersTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final Path DIR = TestFiles.tempDir("snowhook-workers-test");
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void storageAndWarehouse(DynamicPropertyRegistry registry) {
        AzuriteServer.register(registry, CONTAINER);
        registry.add("snowhook.warehouse.duckdb.path", () -> DIR.resolve("warehouse.duckdb"));
        registry.add("snowhook.warehouse.duckdb.stage", () -> DIR.resolve("stage"));
    }

    @TestConfiguration
    static class Gate {
        @Bean
        @Primary
        FlakyWarehouse gatedWarehouse(@Qualifier("duckDbWarehouse") Warehouse real) {
            return new FlakyWarehouse(real);
        }
    }

    @Autowired
    LoadService loads;

    @Autowired
    LoadWorkers workers;

    @Autowired
    FlakyWarehouse warehouse;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @AfterEach
    void reopen() {
        warehouse.heal();
        workers.start();
    }

    @Test
    void loadsQueuedBlobsAsSoonAsTheyAreQueued() {
        List<IncomingBlob> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(uploaded(i + 1));
        }

        List<Load> queued = loads.submit(events);

        for (Load load : queued) {
            Load loaded = awaitFinal(load);
            assertThat(loaded.status()).isEqualTo(LoadStatus.LOADED);
            assertThat(loaded.attempts()).isEqualTo(1);
            assertThat(LoadWorkerTest.rowsOf(DIR, loaded))
                    .isEqualTo(loaded.rowsLoaded().intValue());
        }
        assertThat(queued.stream().mapToLong(l -> LoadWorkerTest.rowsOf(DIR, l)).sum())
                .isEqualTo(1 + 2 + 3 + 4 + 5 + 6);
    }

    @Test
    void wakesAWorkerForEachLoadQueuedOnItsOwn() {
        // one event at a time: each wakes one idle worker, and none waits for the ten-minute poll
        List<Load> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(loads.submit(List.of(uploaded(i + 1))).get(0));
        }

        for (Load load : queued) {
            assertThat(awaitFinal(load).status()).isEqualTo(LoadStatus.LOADED);
        }
    }

    @Test
    void timesTheWakeUpAndTheClaimOfALoad() {
        long claims = phaseCount("claim");
        long wakeUps = phaseCount("wake-up");

        Load load = loads.submit(List.of(uploaded(1))).get(0);

        assertThat(awaitFinal(load).status()).isEqualTo(LoadStatus.LOADED);
        // the workers poll every ten minutes here: the load was claimed by a worker its queueing woke
        assertThat(phaseCount("claim")).isEqualTo(claims + 1);
        assertThat(phaseCount("wake-up")).isEqualTo(wakeUps + 1);
        assertThat(meters.find("snowhook.load.phase").tag("phase", "claim").timers())
                .anySatisfy(timer -> assertThat(timer.getId().getTag("table")).isEqualTo(load.table()));
    }

    long phaseCount(String phase) {
        return meters.find("snowhook.load.phase").tag("phase", phase).timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    @Test
    void takesUpALoadWhoseWorkerDied() {
        IncomingBlob event = uploaded(2);
        // recorded as intake records it, then left LOADING after one attempt by a worker that died; the workers
        // are stopped meanwhile, or the queueing would wake one that claims the load before it is orphaned
        workers.stop();
        Load orphan = loads.submit(List.of(event)).get(0);
        jdbc.sql("UPDATE loads SET status = 'LOADING', attempts = 1, started_at = CURRENT_TIMESTAMP WHERE id = :id")
                .param("id", orphan.id())
                .update();
        jdbc.sql("UPDATE loads SET claimed_by = 'a-worker-that-died', lease_until = :past WHERE id = :id")
                .param("past", Instant.now().minusSeconds(60).atOffset(ZoneOffset.UTC))
                .param("id", orphan.id())
                .update();

        workers.start();

        Load loaded = awaitFinal(orphan);
        assertThat(loaded.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(loaded.attempts()).isEqualTo(2);
        assertThat(LoadWorkerTest.rowsOf(DIR, loaded)).isEqualTo(2);
    }

    @Test
    void letsRunningLoadsFinishOnShutdown() throws InterruptedException {
        warehouse.block();
        Load load = loads.submit(List.of(uploaded(3))).get(0);
        await().atMost(PATIENCE).until(() -> warehouse.waiting() == 1);

        Thread stopping = new Thread(workers::stop);
        stopping.start();
        await().atMost(PATIENCE).until(() -> !workers.isRunning());
        warehouse.unblock();
        stopping.join(PATIENCE.toMillis());

        Load loaded = loads.get(load.id());
        assertThat(loaded.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(LoadWorkerTest.rowsOf(DIR, loaded)).isEqualTo(3);
    }

    @Test
    void putsLoadsStillRunningAfterTheGracePeriodBackInTheQueue() {
        warehouse.block();
        Load load = loads.submit(List.of(uploaded(4))).get(0);
        await().atMost(PATIENCE).until(() -> warehouse.waiting() == 1);

        workers.stop(); // waits the grace period (10s), the load still blocked

        Load released = loads.get(load.id());
        assertThat(released.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(released.attempts()).isEqualTo(1);

        warehouse.unblock(); // the abandoned try finishes, but records nothing: its claim is gone
        await().atMost(PATIENCE).until(() -> warehouse.waiting() == 0);
        assertThat(loads.get(load.id()).status()).isEqualTo(LoadStatus.QUEUED);

        workers.start();

        Load loaded = awaitFinal(load);
        assertThat(loaded.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(loaded.attempts()).isEqualTo(2);
        assertThat(LoadWorkerTest.rowsOf(DIR, loaded)).isEqualTo(4);
    }

    @Test
    void aRestartedPoolNeverPassesForTheWorkersOfATryItAbandoned() {
        warehouse.block();
        Load load = loads.submit(List.of(uploaded(4))).get(0);
        await().atMost(PATIENCE).until(() -> warehouse.waiting() == 1);
        String abandoned = claimedBy(load);

        workers.stop(); // the grace period runs out: the blocked try is abandoned, its load put back in the queue
        workers.start();
        await().atMost(PATIENCE).until(() -> warehouse.waiting() == 2);

        // the abandoned try still runs; the load's new claim must not be taken for its own
        String pool = abandoned.substring(0, abandoned.lastIndexOf('#'));
        assertThat(claimedBy(load)).isNotNull().doesNotStartWith(pool + "#");
        warehouse.unblock();
        Load loaded = awaitFinal(load);
        assertThat(loaded.status()).isEqualTo(LoadStatus.LOADED);
        assertThat(LoadWorkerTest.rowsOf(DIR, loaded)).isEqualTo(4);
        // the abandoned try's worker ends with it instead of claiming on beside the new pool
        await().atMost(PATIENCE)
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                                .filter(t -> t.isAlive() && t.getName().startsWith("snowhook-loader-"))
                                .count()
                        == 2);
    }

    String claimedBy(Load load) {
        return jdbc.sql("SELECT claimed_by FROM loads WHERE id = :id")
                .param("id", load.id())
                .query(String.class)
                .single();
    }

    Load awaitFinal(Load load) {
        return await().atMost(PATIENCE)
                .until(() -> loads.get(load.id()), l -> l.status().isFinal());
    }

    IncomingBlob uploaded(int rows) {
        String factory = "f" + UUID.randomUUID().toString().substring(0, 8);
        String name = "orders/" + factory + "/2026-11-23.csv";
        StringBuilder csv = new StringBuilder(LoadWorkerTest.HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("o-" + i + "," + factory + ",JS-100," + i + ",9.90,EUR,2026-11-23T08:15:00Z,web\n");
        }
        String etag = azurite.upload(CONTAINER, name, csv.toString().getBytes(StandardCharsets.UTF_8));
        return new IncomingBlob(
                UUID.randomUUID().toString(),
                "Microsoft.Storage.BlobCreated",
                "PutBlockList",
                AzuriteServer.ACCOUNT,
                CONTAINER,
                name,
                etag,
                null,
                null,
                "text/csv",
                null,
                Instant.now(),
                null);
    }
}
