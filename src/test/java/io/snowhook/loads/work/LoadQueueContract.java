package io.snowhook.loads.work;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.loads.ledger.LedgerSlice;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
    void holdsLoadsForTheCommitFenceOnlyWhileTheWorkerHasThemAll() {
        Load a = queued();
        Load b = queued();
        Load c = queued();
        queue.claim("w1", LEASE).orElseThrow();
        queue.claim("w1", LEASE).orElseThrow();
        queue.claim("w1", LEASE).orElseThrow();

        assertThat(queue.hold(List.of(a.id(), b.id()), "w1", LEASE)).isTrue();
        assertThat(queue.hold(List.of(a.id()), "w2", LEASE))
                .as("another worker's")
                .isFalse();

        // a's lease ran out and nobody took it: the fence renews it
        jdbc.sql("UPDATE loads SET lease_until = :past WHERE id = :id")
                .param("past", Instant.now().minusSeconds(60).atOffset(ZoneOffset.UTC))
                .param("id", a.id())
                .update();
        assertThat(queue.hold(List.of(a.id(), b.id()), "w1", LEASE)).isTrue();
        assertThat(queue.claim("w2", LEASE)).as("renewed: not claimable").isEmpty();

        // b taken over after its lease ran out; c finished
        jdbc.sql("UPDATE loads SET claimed_by = 'w2' WHERE id = :id")
                .param("id", b.id())
                .update();
        assertThat(queue.complete(c.id(), "w1", loaded(1))).isTrue();
        assertThat(queue.hold(List.of(a.id(), b.id()), "w1", LEASE)).isFalse();
        assertThat(queue.hold(List.of(c.id()), "w1", LEASE)).isFalse();
        assertThat(queue.hold(List.of(a.id()), "w1", LEASE)).isTrue();
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

    static final LoadQueue.Batching FIFTY = new LoadQueue.Batching(50, Long.MAX_VALUE, Duration.ZERO);

    Load queued(String blob) {
        return loads.submit(List.of(event(blob, "0x8DCB" + UUID.randomUUID(), "0001")))
                .get(0);
    }

    @Test
    void claimsQueuedLoadsOfOneTargetTogetherInQueueOrderUpToMaxFiles() {
        List<UUID> orders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orders.add(queued().id());
        }
        Load inventory = queued("inventory/f" + UUID.randomUUID() + "/2026-11-23.csv");
        LoadQueue.Batching three = new LoadQueue.Batching(3, Long.MAX_VALUE, Duration.ZERO);

        LoadQueue.Claimed first = queue.claim("w1", LEASE, Set.of(), three);
        LoadQueue.Claimed second = queue.claim("w2", LEASE, Set.of(), three);
        LoadQueue.Claimed third = queue.claim("w1", LEASE, Set.of(), three);

        assertThat(first.loads()).extracting(Load::id).containsExactlyElementsOf(orders.subList(0, 3));
        assertThat(first.loads()).allSatisfy(l -> {
            assertThat(l.status()).isEqualTo(LoadStatus.LOADING);
            assertThat(l.batchId()).isEqualTo(first.batchId());
            assertThat(l.attempts()).as("the claim counts the first try").isEqualTo(1);
        });
        assertThat(second.loads()).extracting(Load::id).containsExactlyElementsOf(orders.subList(3, 5));
        assertThat(third.loads()).extracting(Load::id).containsExactly(inventory.id());
        assertThat(queue.claim("w2", LEASE, Set.of(), three).isEmpty()).isTrue();
    }

    @Test
    void boundsABatchByTheBytesTheEventsReported() {
        for (int i = 0; i < 4; i++) {
            queued();
        }
        // every event reports 1,024 bytes
        LoadQueue.Batching twoKiB = new LoadQueue.Batching(50, 2048, Duration.ZERO);

        assertThat(queue.claim("w1", LEASE, Set.of(), twoKiB).loads()).hasSize(2);
        assertThat(queue.claim("w1", LEASE, Set.of(), new LoadQueue.Batching(50, 10, Duration.ZERO))
                        .loads())
                .as("a file larger than the bound is claimed alone")
                .hasSize(1);
    }

    @Test
    void claimsLoadsTriedBeforeAlone() {
        Load tried = queued();
        queued();
        queued();
        jdbc.sql("UPDATE loads SET attempts = 1 WHERE id = :id")
                .param("id", tried.id())
                .update();

        assertThat(queue.claim("w1", LEASE, Set.of(), FIFTY).loads())
                .extracting(Load::id)
                .containsExactly(tried.id());
        assertThat(queue.claim("w1", LEASE, Set.of(), FIFTY).loads()).hasSize(2);
    }

    @Test
    void holdsOneLoadOfABlobPerBatch() {
        String blob = uniqueOrders();
        Load first = queued(blob);
        // a second load of the same blob (a version of the same sequencer, as a re-ingest would be) queued beside it
        Load second = loads.submit(List.of(event(blob, "0x8DCB" + UUID.randomUUID(), "0001")))
                .get(0);
        Load other = queued();

        assertThat(queue.claim("w1", LEASE, Set.of(), FIFTY).loads())
                .extracting(Load::id)
                .containsExactly(first.id(), other.id());
        assertThat(queue.claim("w1", LEASE, Set.of(), FIFTY).loads())
                .as("not beside the first either, while it runs")
                .isEmpty();
        assertThat(queue.complete(first.id(), "w1", loaded(1))).isTrue();
        assertThat(queue.claim("w1", LEASE, Set.of(), FIFTY).loads())
                .extracting(Load::id)
                .containsExactly(second.id());
    }

    @Test
    void waitsUpToTheLingerForMoreFilesOfATarget() {
        queued();
        queued();

        assertThat(queue.claim("w1", LEASE, Set.of(), new LoadQueue.Batching(50, Long.MAX_VALUE, Duration.ofHours(1)))
                        .isEmpty())
                .as("two files, received now, wait for more")
                .isTrue();
        assertThat(queue.claim("w1", LEASE, Set.of(), new LoadQueue.Batching(2, Long.MAX_VALUE, Duration.ofHours(1)))
                        .loads())
                .as("a full batch does not wait")
                .hasSize(2);
    }

    @Test
    void neverGivesOneLoadToTwoWorkersClaimingBatches() throws Exception {
        int count = 200;
        Set<UUID> expected = new HashSet<>();
        for (int i = 0; i < count; i++) {
            expected.add(queued().id());
        }
        int workers = 4;
        LoadQueue.Batching seven = new LoadQueue.Batching(7, Long.MAX_VALUE, Duration.ZERO);
        CyclicBarrier start = new CyclicBarrier(workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<List<UUID>>> claims = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String worker = "w" + w;
            Callable<List<UUID>> claimAll = () -> {
                start.await();
                List<UUID> mine = new ArrayList<>();
                for (LoadQueue.Claimed c = queue.claim(worker, LEASE, Set.of(), seven);
                        !c.isEmpty();
                        c = queue.claim(worker, LEASE, Set.of(), seven)) {
                    assertThat(c.loads()).hasSizeLessThanOrEqualTo(7);
                    c.loads().forEach(l -> mine.add(l.id()));
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
    void releasesABatchTakingOffTheTriesThatMetAnOutage() {
        queued();
        queued();
        LoadQueue.Claimed claimed = queue.claim("w1", LEASE, Set.of(), FIFTY);
        assertThat(queue.recordBatchAttempt(claimed.batchId(), "w1", LEASE)).isEqualTo(2);
        assertThat(queue.recordBatchAttempt(claimed.batchId(), "other", LEASE)).isZero();

        assertThat(queue.releaseBatch(claimed.batchId(), "w1", 2)).isEqualTo(2);

        for (Load l : claimed.loads()) {
            Load released = loads.get(l.id());
            assertThat(released.status()).isEqualTo(LoadStatus.QUEUED);
            assertThat(released.attempts()).isZero();
        }
        assertThat(queue.claim("w2", LEASE, Set.of(), FIFTY).loads())
                .as("untried again, they batch again")
                .hasSize(2);
    }

    @Test
    void claimsNoLoadOfABlobWhileAnotherLoadOfItRuns() {
        String blob = uniqueOrders();
        Load older = loads.submit(List.of(event(blob, "0x8DCB1", "0001"))).get(0);
        queue.claim("w1", LEASE).orElseThrow();
        // the blob is overwritten while its first version loads: the newer version waits in the queue
        Load newer = loads.submit(List.of(event(blob, "0x8DCB2", "0002"))).get(0);
        assertThat(newer.status()).isEqualTo(LoadStatus.QUEUED);

        assertThat(queue.claim("w2", LEASE)).as("alone").isEmpty();
        assertThat(queue.claim("w2", LEASE, Set.of(), FIFTY).loads())
                .as("in a batch")
                .isEmpty();

        assertThat(queue.complete(older.id(), "w1", loaded(1))).isTrue();
        assertThat(queue.claim("w2", LEASE))
                .as("claimable once the older version is done")
                .hasValueSatisfying(l -> assertThat(l.id()).isEqualTo(newer.id()));
    }

    @Test
    void aBatchLeavesOutTheLoadOfABlobAnotherLoadOfWhichRuns() {
        String busy = uniqueOrders();
        loads.submit(List.of(event(busy, "0x8DCB1", "0001")));
        queue.claim("w1", LEASE).orElseThrow();
        Load newer = loads.submit(List.of(event(busy, "0x8DCB2", "0002"))).get(0);
        // more queued than one claim reads as heads: the batch's companions come from a query of their own
        Set<UUID> others = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            others.add(queued().id());
        }

        LoadQueue.Claimed batch = queue.claim("w2", LEASE, Set.of(), FIFTY);

        assertThat(batch.loads()).extracting(Load::id).containsExactlyInAnyOrderElementsOf(others);
        assertThat(loads.get(newer.id()).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void loadsOfOneBlobWhoseLeasesRanOutDoNotHoldEachOtherUp() {
        String blob = uniqueOrders();
        Load older = loads.submit(List.of(event(blob, "0x8DCB1", "0001"))).get(0);
        queue.claim("crashed", Duration.ofMillis(-1)).orElseThrow();
        Load newer = loads.submit(List.of(event(blob, "0x8DCB2", "0002"))).get(0);
        // both loads of the blob held by workers that are gone
        jdbc.sql("UPDATE loads SET status = 'LOADING', claimed_by = 'crashed too', lease_until = :past WHERE id = :id")
                .param(
                        "past",
                        java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1))
                .param("id", newer.id())
                .update();

        assertThat(queue.claim("w2", LEASE))
                .as("the oldest expired claim is taken over")
                .hasValueSatisfying(l -> assertThat(l.id()).isEqualTo(older.id()));
        assertThat(queue.claim("w3", LEASE))
                .as("the other waits while the blob's first load runs again")
                .isEmpty();
        assertThat(queue.complete(older.id(), "w2", loaded(1))).isTrue();
        assertThat(queue.claim("w3", LEASE))
                .hasValueSatisfying(l -> assertThat(l.id()).isEqualTo(newer.id()));
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
