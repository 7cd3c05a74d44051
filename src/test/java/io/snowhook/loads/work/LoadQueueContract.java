package io.snowhook.loads.work;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.loads.ledger.LedgerSlice;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Claiming from the ledger, run against each supported database by a subclass; each test starts empty. */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Transactional(propagation = Propagation.NOT_SUPPORTED) // claims commit on their own, as in production
@Import({LoadQueue.class, LedgerSlice.class})
abstract class LoadQueueContract {

    static final Duration LEASE = Duration.ofMinutes(5);

    @Autowired
    LoadQueue queue;

    @Autowired
    LoadService loads;

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void emptyLedger() {
        jdbc.sql("DELETE FROM loads").update();
    }

    Load queued() {
        return loads.submit(List.of(event(uniqueOrders(), "0x8DCB" + UUID.randomUUID(), "0001")))
                .get(0);
    }

    @Test
    void claimsTheOldestQueuedLoadUnderALease() {
        Load first = queued();
        queued();

        Load claimed = queue.claim("w1", LEASE).orElseThrow();

        assertThat(claimed.id()).isEqualTo(first.id());
        assertThat(claimed.status()).isEqualTo(LoadStatus.LOADING);
        assertThat(claimed.startedAt()).isNotNull();
        assertThat(claimedBy(first.id())).isEqualTo("w1");
    }

    @Test
    void findsNoWorkWhenNothingIsQueued() {
        Load only = queued();
        queue.claim("w1", LEASE).orElseThrow();

        assertThat(queue.claim("w2", LEASE)).isEmpty();
        assertThat(loads.get(only.id()).status()).isEqualTo(LoadStatus.LOADING);
    }

    @Test
    void neverGivesOneLoadToTwoWorkers() throws Exception {
        int count = 40;
        Set<UUID> expected = new HashSet<>();
        for (int i = 0; i < count; i++) {
            expected.add(queued().id());
        }
        int workers = 4;
        CyclicBarrier start = new CyclicBarrier(workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<List<UUID>>> claims = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String worker = "w" + w;
            Callable<List<UUID>> claimAll = () -> {
                start.await();
                List<UUID> mine = new ArrayList<>();
                for (Optional<Load> l = queue.claim(worker, LEASE); l.isPresent(); l = queue.claim(worker, LEASE)) {
                    mine.add(l.get().id());
                }
                return mine;
            };
            claims.add(pool.submit(claimAll));
        }
        List<UUID> all = Collections.synchronizedList(new ArrayList<>());
        for (Future<List<UUID>> f : claims) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertThat(all).hasSize(count).doesNotHaveDuplicates();
        assertThat(Set.copyOf(all)).isEqualTo(expected);
    }

    @Test
    void reclaimsALoadWhoseLeaseExpired() {
        Load load = queued();
        queue.claim("crashed", Duration.ofMillis(-1)).orElseThrow();

        Load reclaimed = queue.claim("w2", LEASE).orElseThrow();

        assertThat(reclaimed.id()).isEqualTo(load.id());
        assertThat(claimedBy(load.id())).isEqualTo("w2");
        assertThat(queue.complete(load.id(), "crashed", loaded(1)))
                .as("the crashed worker's late outcome is ignored")
                .isFalse();
        assertThat(queue.complete(load.id(), "w2", loaded(1))).isTrue();
        assertThat(loads.get(load.id()).status()).isEqualTo(LoadStatus.LOADED);
    }

    @Test
    void keepsALoadWhoseLeaseIsRenewed() {
        Load load = queued();
        queue.claim("w1", Duration.ofMillis(-1)).orElseThrow();

        assertThat(queue.renew(load.id(), "w1", LEASE)).isTrue();

        assertThat(queue.claim("w2", LEASE)).isEmpty();
        assertThat(queue.renew(load.id(), "w2", LEASE)).isFalse();
    }

    @Test
    void recordsEachAttemptAndTheOutcome() {
        Load load = queued();
        queue.claim("w1", LEASE).orElseThrow();

        assertThat(queue.recordAttempt(load.id(), "w1", 1, LEASE)).isTrue();
        assertThat(loads.get(load.id()).attempts()).isEqualTo(1);
        assertThat(queue.recordAttempt(load.id(), "other", 2, LEASE)).isFalse();

        queue.complete(load.id(), "w1", Outcome.failed(2, "bad row", 7L, "quantity"));

        Load failed = loads.get(load.id());
        assertThat(failed.status()).isEqualTo(LoadStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.error()).isEqualTo("bad row");
        assertThat(failed.errorLine()).isEqualTo(7L);
        assertThat(failed.errorColumn()).isEqualTo("quantity");
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(claimedBy(load.id())).isNull();
    }

    @Test
    void recordsTheEtagReadOnlyWhenTheLoadHadNone() {
        Load load = queued();
        queue.claim("w1", LEASE).orElseThrow();

        queue.complete(load.id(), "w1", loaded(3));

        Load loaded = loads.get(load.id());
        assertThat(loaded.etag()).isEqualTo(load.etag());
        assertThat(loaded.rowsLoaded()).isEqualTo(3L);
        assertThat(loaded.bytes()).isEqualTo(30L);
    }

    @Test
    void releasesALoadBackToTheQueue() {
        Load load = queued();
        queue.claim("w1", LEASE).orElseThrow();

        assertThat(queue.release(load.id(), "w1")).isTrue();

        assertThat(loads.get(load.id()).status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(queue.claim("w2", LEASE))
                .hasValueSatisfying(l -> assertThat(l.id()).isEqualTo(load.id()));
    }

    static Outcome loaded(long rows) {
        return Outcome.loaded(1, rows, rows, rows * 10, "0xREAD");
    }

    String claimedBy(UUID id) {
        return jdbc.sql("SELECT claimed_by FROM loads WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .optional()
                .orElse(null);
    }
}
