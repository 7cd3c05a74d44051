package io.snowhook.loads.ledger;

import static io.snowhook.loads.ledger.Blobs.ACCOUNT;
import static io.snowhook.loads.ledger.Blobs.CONTAINER;
import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.support.StatementCounter;
import io.snowhook.system.Problem;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The ledger's behaviour, run against each supported database by a subclass. Tests share one database, so
 * each works on blob names of its own.
 */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Transactional(propagation = Propagation.NOT_SUPPORTED) // the ledger commits each load itself
@Import({LedgerSlice.class, StatementCounter.class})
abstract class LoadServiceContract {

    private static final String SEQ_1 = "00000000000004420000000000028961";
    private static final String SEQ_2 = "00000000000004420000000000028962";
    private static final String SEQ_3 = "00000000000004420000000000028963";

    @Autowired
    LoadService loads;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StatementCounter statements;

    private Load submit(IncomingBlob blob) {
        List<Load> recorded = loads.submit(List.of(blob));
        assertThat(recorded).hasSize(1);
        return recorded.get(0);
    }

    private long countOf(String blob) {
        return loads.find(null, null, blob, null, 0, 500).totalElements();
    }

    @Test
    void queuesARoutedBlobWithItsRoute() {
        String blob = uniqueOrders();

        Load load = submit(event("ev-" + UUID.randomUUID(), blob, "0x8DCB0001", SEQ_1));

        assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(load.account()).isEqualTo(ACCOUNT);
        assertThat(load.container()).isEqualTo(CONTAINER);
        assertThat(load.blob()).isEqualTo(blob);
        assertThat(load.etag()).isEqualTo("0x8DCB0001");
        assertThat(load.sequencer()).isEqualTo(SEQ_1);
        assertThat(load.table()).isEqualTo("ORDERS");
        assertThat(load.format()).isEqualTo(FileFormat.CSV);
        assertThat(load.mode()).isEqualTo(LoadMode.APPEND);
        assertThat(load.size()).isEqualTo(1024L);
        assertThat(loads.get(load.id())).isEqualTo(load);
    }

    /** Recording one event takes at most two statements, whatever it turns out to be. */
    @Test
    void recordsAnEventInAtMostTwoStatements() {
        String blob = uniqueOrders();
        Load older = submit(event(blob, "0x8DCB0001", SEQ_1));

        statements.reset();
        Load newer = submit(event(blob, "0x8DCB0003", SEQ_3));
        List<String> newVersion = statements.statements();

        statements.reset();
        Load late = submit(event(blob, "0x8DCB0002", SEQ_2));
        List<String> olderVersion = statements.statements();

        statements.reset();
        Load redelivered = submit(event(newer.eventId(), blob, "0x8DCB0003", SEQ_3));
        List<String> duplicate = statements.statements();

        statements.reset();
        Load skipped = submit(Blobs.skipped(uniqueOrders(), "zero-length blob"));
        List<String> skip = statements.statements();

        assertThat(loads.get(older.id()).status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(newer.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(late.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(redelivered.id()).isEqualTo(newer.id());
        assertThat(skipped.status()).isEqualTo(LoadStatus.SKIPPED);
        assertThat(newVersion).as("a new version superseding a queued one").hasSizeLessThanOrEqualTo(2);
        assertThat(olderVersion).as("a version older than a known one").hasSizeLessThanOrEqualTo(2);
        assertThat(duplicate).as("a redelivered event").hasSizeLessThanOrEqualTo(2);
        assertThat(skip).as("a skipped event").hasSize(1);
    }

    /** An array of events: one transaction, at most two statements per event. */
    @Test
    void recordsAnArrayOfEventsInAtMostTwoStatementsEach() {
        List<IncomingBlob> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(event(uniqueOrders(), "0x8DCB000" + i, SEQ_1));
        }

        statements.reset();
        List<Load> recorded = loads.submit(events);

        assertThat(recorded).extracting(Load::status).containsOnly(LoadStatus.QUEUED);
        assertThat(statements.statements()).hasSizeLessThanOrEqualTo(2 * events.size());
    }

    @Test
    void answersADuplicateEventWithTheSameLoad() {
        IncomingBlob first = event("ev-" + UUID.randomUUID(), uniqueOrders(), "0x8DCB0001", SEQ_1);

        Load once = submit(first);
        Load again = submit(first);

        assertThat(again.id()).isEqualTo(once.id());
        assertThat(countOf(first.blobName())).isEqualTo(1);
    }

    @Test
    void answersTheSameBlobVersionUnderANewEventIdWithTheSameLoad() {
        String blob = uniqueOrders();

        Load once = submit(event("ev-" + UUID.randomUUID(), blob, "0x8DCB0001", SEQ_1));
        Load again = submit(event("ev-" + UUID.randomUUID(), blob, "0x8DCB0001", SEQ_1));

        assertThat(again.id()).isEqualTo(once.id());
        assertThat(countOf(blob)).isEqualTo(1);
    }

    @Test
    void recordsANewETagAsANewLoad() {
        String blob = uniqueOrders();

        Load first = submit(event(blob, "0x8DCB0001", SEQ_1));
        Load second = submit(event(blob, "0x8DCB0002", SEQ_2));

        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(second.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(countOf(blob)).isEqualTo(2);
    }

    @Test
    void supersedesAVersionWithAnOlderSequencerThanAKnownOne() {
        String blob = uniqueOrders();

        Load newer = submit(event(blob, "0x8DCB0002", SEQ_2));
        Load older = submit(event(blob, "0x8DCB0001", SEQ_1));

        assertThat(older.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(older.reason()).contains("newer version").contains("0x8DCB0002");
        assertThat(older.finishedAt()).isNotNull();
        assertThat(loads.get(newer.id()).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void supersedesQueuedOlderVersionsWhenANewerOneArrives() {
        String blob = uniqueOrders();

        Load v1 = submit(event(blob, "0x8DCB0001", SEQ_1));
        Load v2 = submit(event(blob, "0x8DCB0002", SEQ_2));
        Load v3 = submit(event(blob, "0x8DCB0003", SEQ_3));

        assertThat(loads.get(v1.id()).status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(loads.get(v2.id()).status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(loads.get(v2.id()).reason()).contains("0x8DCB0003");
        assertThat(loads.get(v3.id()).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void comparesSequencersOfTheSameBlobOnly() {
        Load other = submit(event(uniqueOrders(), "0x8DCB0009", SEQ_3));
        Load mine = submit(event(uniqueOrders(), "0x8DCB0001", SEQ_1));

        assertThat(mine.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(loads.get(other.id()).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void recordsWhatIntakeSkipsAsSkippedWithItsReason() {
        Load load = submit(Blobs.skipped(uniqueOrders(), "CreateFile: the blob is not committed yet"));

        assertThat(load.status()).isEqualTo(LoadStatus.SKIPPED);
        assertThat(load.reason()).isEqualTo("CreateFile: the blob is not committed yet");
        assertThat(load.finishedAt()).isNotNull();
        assertThat(loads.get(load.id())).isEqualTo(load);
    }

    @Test
    void skipsABlobThatNoRouteMatches() {
        Load load = submit(event("returns/" + UUID.randomUUID() + ".csv", "0x8DCB0001", SEQ_1));

        assertThat(load.status()).isEqualTo(LoadStatus.SKIPPED);
        assertThat(load.reason()).isEqualTo("no route for blob name");
        assertThat(load.table()).isNull();
    }

    @Test
    void recordsTheWholeBatchOrNothingWhenTheDatabaseRefusesALaterEvent() {
        String good = uniqueOrders();
        String poisoned = "orders/poisoned-" + UUID.randomUUID() + ".csv";
        // a refusal no intake check foresees (a constraint, a full disk): the batch's earlier events go too
        jdbc.sql("ALTER TABLE loads ADD CONSTRAINT loads_test_poison CHECK (blob_name NOT LIKE 'orders/poisoned-%')")
                .update();
        try {
            assertThatThrownBy(() -> loads.submit(List.of(event(good, "0x1", SEQ_1), event(poisoned, "0x2", SEQ_1))))
                    .isInstanceOf(DataIntegrityViolationException.class);
        } finally {
            jdbc.sql("ALTER TABLE loads DROP CONSTRAINT loads_test_poison").update();
        }

        assertThat(countOf(good)).isZero();
        assertThat(submit(event(good, "0x1", SEQ_1)).status()).isEqualTo(LoadStatus.QUEUED);
    }

    /** Concurrent requests share commits; one the database refuses fails alone, the others are recorded. */
    @Test
    void failsOnlyTheRefusedRequestAmongConcurrentOnes() throws Exception {
        String prefix = "orders/refused-" + UUID.randomUUID();
        jdbc.sql("ALTER TABLE loads ADD CONSTRAINT loads_test_refused CHECK (blob_name NOT LIKE '" + prefix + "%')")
                .update();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<String> good = new ArrayList<>();
            List<Future<List<Load>>> answers = new ArrayList<>();
            Future<List<Load>> refused = null;
            for (int i = 0; i < 32; i++) {
                String blob = i == 13 ? prefix + ".csv" : uniqueOrders();
                List<IncomingBlob> request = List.of(event(blob, "0x" + i, SEQ_1));
                Future<List<Load>> answer = pool.submit(() -> loads.submit(request));
                if (i == 13) {
                    refused = answer;
                } else {
                    good.add(blob);
                    answers.add(answer);
                }
            }
            for (Future<List<Load>> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS))
                        .extracting(Load::status)
                        .containsExactly(LoadStatus.QUEUED);
            }
            Future<List<Load>> theRefused = refused;
            assertThatThrownBy(() -> theRefused.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(DataIntegrityViolationException.class);
            for (String blob : good) {
                assertThat(countOf(blob)).as(blob).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
            jdbc.sql("ALTER TABLE loads DROP CONSTRAINT loads_test_refused").update();
        }
    }

    @Test
    void acceptsTheAccountsPublicAzureHost() {
        String blob = uniqueOrders();
        IncomingBlob azure = Blobs.withUrl(
                event(blob, "0x1", SEQ_1),
                URI.create("https://" + ACCOUNT + ".blob.core.windows.net/" + CONTAINER + "/" + blob));

        assertThat(submit(azure).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void answersAnUnknownIdWithLoadNotFound() {
        UUID id = UUID.randomUUID();

        assertThatThrownBy(() -> loads.get(id)).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.getStatusCode().value()).isEqualTo(404);
            assertThat(p.getBody().getType()).isEqualTo(Problem.type("load-not-found"));
            assertThat(p.getBody().getProperties()).containsEntry("loadId", id.toString());
        });
    }

    @Test
    void reingestsAFinishedLoadAsANewQueuedLoadOfTheSameVersion() {
        String blob = uniqueOrders();
        Load skipped = submit(Blobs.skipped(blob, "zero-length blob"));

        Load again = loads.reingest(skipped.id());

        assertThat(again.id()).isNotEqualTo(skipped.id());
        assertThat(again.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(again.reingestOf()).isEqualTo(skipped.id());
        assertThat(again.etag()).isEqualTo(skipped.etag());
        assertThat(again.table()).isEqualTo("ORDERS");
        assertThat(loads.get(again.id())).isEqualTo(again);
    }

    @Test
    void reingestsTheBlobAsItIsNowWithoutTheEarlierETag() {
        Load failed = finish(submit(event(uniqueOrders(), "0x8DCB0001", SEQ_1)), LoadStatus.FAILED, null);

        Load again = loads.reingest(failed.id(), ReingestVersion.CURRENT);

        assertThat(again.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(again.reingestOf()).isEqualTo(failed.id());
        assertThat(again.etag()).as("the worker takes the blob's current eTag").isNull();
        assertThat(again.sequencer()).isNull();
        assertThat(loads.reingest(failed.id(), ReingestVersion.SAME).etag()).isEqualTo("0x8DCB0001");
    }

    @Test
    void reingestsEveryFailedLoadOfATableSinceATimeSkippingThoseWithALaterLoad() {
        Instant since = Instant.parse("2031-01-01T00:00:00Z");
        Load before = received(
                finish(submit(event(uniqueOrders(), "0x1", SEQ_1)), LoadStatus.FAILED, null), since.minusSeconds(1));
        Load first = received(finish(submit(event(uniqueOrders(), "0x2", SEQ_1)), LoadStatus.FAILED, null), since);
        Load second = received(
                finish(submit(event(uniqueOrders(), "0x3", SEQ_1)), LoadStatus.FAILED, null), since.plusSeconds(1));
        Load retried = received(
                finish(submit(event(uniqueOrders(), "0x4", SEQ_1)), LoadStatus.FAILED, null), since.plusSeconds(2));
        Load later = received(loads.reingest(retried.id()), since.plusSeconds(4));
        Load loaded = received(
                finish(submit(event(uniqueOrders(), "0x5", SEQ_1)), LoadStatus.LOADED, null), since.plusSeconds(3));

        BulkReingest result = loads.reingestFailed("orders", since, ReingestVersion.CURRENT, 10);

        assertThat(result.queued()).extracting(Load::reingestOf).containsExactly(first.id(), second.id());
        assertThat(result.queued()).allSatisfy(l -> {
            assertThat(l.status()).isEqualTo(LoadStatus.QUEUED);
            assertThat(l.etag()).isNull();
        });
        assertThat(result.skipped()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(retried.id());
            assertThat(s.reason()).contains(later.id().toString());
        });
        assertThat(result.more()).isFalse();
        assertThat(loads.reingestFailed("ORDERS", since, ReingestVersion.SAME, 1)
                        .more())
                .isTrue();
        assertThat(List.of(before.id(), loaded.id()))
                .doesNotContain(result.queued().get(0).reingestOf());
    }

    @Test
    void countsTheLastHourMinuteByMinuteWithTheLatencyFromEventToLoaded() {
        Instant now = Instant.parse("2030-06-01T12:00:30Z");
        Instant minute = Instant.parse("2030-06-01T12:00:00Z");
        Load fast = finish(submit(event(uniqueOrders(), "0x1", SEQ_1)), LoadStatus.LOADED, minute.plusSeconds(10));
        Load slow = finish(submit(event(uniqueOrders(), "0x2", SEQ_1)), LoadStatus.LOADED, minute.plusSeconds(20));
        Load old = finish(submit(event(uniqueOrders(), "0x3", SEQ_1)), LoadStatus.LOADED, minute.minusSeconds(3600));
        finish(submit(event(uniqueOrders(), "0x4", SEQ_1)), LoadStatus.FAILED, minute.minusSeconds(30));
        eventTime(fast, minute.plusSeconds(8)); // 2 s from event to LOADED
        eventTime(slow, minute.minusSeconds(40)); // 60 s
        eventTime(old, minute.minusSeconds(3700));

        LoadStats stats = loads.stats(now);

        assertThat(stats.from()).isEqualTo(Instant.parse("2030-06-01T11:01:00Z"));
        assertThat(stats.minutes()).hasSize(60);
        LoadStats.LoadMinute last = stats.minutes().get(59);
        assertThat(last.start()).isEqualTo(minute);
        assertThat(last.loaded()).isEqualTo(2);
        assertThat(last.latencyP50Millis()).isEqualTo(2000);
        assertThat(last.latencyMaxMillis()).isEqualTo(60000);
        assertThat(stats.minutes().get(58).failed()).isEqualTo(1);
        assertThat(stats.minutes().get(58).latencyP50Millis()).isNull();
        assertThat(stats.minutes().stream()
                        .mapToLong(LoadStats.LoadMinute::loaded)
                        .sum())
                .isEqualTo(2);
        assertThat(stats.queued()).isGreaterThanOrEqualTo(0);
    }

    /** Sets a load's outcome as a worker would record it (the worker's own claim is tested in LoadQueueContract). */
    private Load finish(Load load, LoadStatus status, @Nullable Instant at) {
        jdbc.sql("UPDATE loads SET status = :status, finished_at = :at, error = :error WHERE id = :id")
                .param("status", status.name())
                .param("at", (at == null ? Instant.now() : at).atOffset(ZoneOffset.UTC))
                .param("error", status == LoadStatus.FAILED ? "bad row" : null)
                .param("id", load.id())
                .update();
        return loads.get(load.id());
    }

    private Load received(Load load, Instant at) {
        jdbc.sql("UPDATE loads SET received_at = :at WHERE id = :id")
                .param("at", at.atOffset(ZoneOffset.UTC))
                .param("id", load.id())
                .update();
        return loads.get(load.id());
    }

    private void eventTime(Load load, Instant at) {
        jdbc.sql("UPDATE loads SET event_time = :at WHERE id = :id")
                .param("at", at.atOffset(ZoneOffset.UTC))
                .param("id", load.id())
                .update();
    }

    @Test
    void refusesToReingestALoadThatIsStillQueued() {
        Load queued = submit(event(uniqueOrders(), "0x1", SEQ_1));

        assertProblem(() -> loads.reingest(queued.id()), 409, "load-in-progress");
    }

    @Test
    void refusesToReingestAnUnknownLoad() {
        assertProblem(() -> loads.reingest(UUID.randomUUID()), 404, "load-not-found");
    }

    @Test
    void refusesToReingestABlobThatStillHasNoRoute() {
        Load skipped = submit(event("returns/" + UUID.randomUUID() + ".csv", "0x1", SEQ_1));

        assertProblem(() -> loads.reingest(skipped.id()), 422, "no-route");
    }

    @Test
    void ingestsAnUnseenBlobByPathStyleUrlAtItsCurrentVersion() {
        String blob = uniqueOrders();

        Load load = loads.ingest(URI.create("http://127.0.0.1:10000/" + ACCOUNT + "/" + CONTAINER + "/" + blob));

        assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(load.account()).isEqualTo(ACCOUNT);
        assertThat(load.container()).isEqualTo(CONTAINER);
        assertThat(load.blob()).isEqualTo(blob);
        assertThat(load.etag()).isNull();
        assertThat(load.reingestOf()).isNull();
        assertThat(load.table()).isEqualTo("ORDERS");
    }

    @Test
    void ingestsByHostStyleUrlReferencingTheNewestEarlierLoadAndTakingItsETag() {
        String blob = uniqueOrders();
        submit(event(blob, "0x8DCB0002", SEQ_2));
        Load older = submit(event(blob, "0x8DCB0001", SEQ_1)); // SUPERSEDED: final, and received last

        Load load = loads.ingest(URI.create("https://" + ACCOUNT + ".blob.core.windows.net/" + CONTAINER + "/" + blob));

        assertThat(load.reingestOf()).isEqualTo(older.id());
        assertThat(load.etag()).isEqualTo("0x8DCB0001");
        assertThat(load.status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void appliesTheAllowListToIngestions() {
        assertProblem(
                () -> loads.ingest(URI.create("https://other.blob.core.windows.net/" + CONTAINER + "/orders/a.csv")),
                422,
                "unknown-storage-account");
        assertProblem(
                () -> loads.ingest(URI.create("http://10.1.2.3:10000/" + ACCOUNT + "/" + CONTAINER + "/orders/a.csv")),
                422,
                "untrusted-blob-url");
        assertProblem(
                () -> loads.ingest(
                        URI.create("http://127.0.0.1:10000/" + ACCOUNT + "/" + CONTAINER + "/returns/a.csv")),
                422,
                "no-route");
        assertProblem(
                () -> loads.ingest(URI.create("http://127.0.0.1:10000/" + ACCOUNT + "/" + CONTAINER)),
                400,
                "invalid-blob-url");
        assertProblem(() -> loads.ingest(URI.create("file:///etc/passwd")), 400, "invalid-blob-url");
    }

    @Test
    void findsByBlobPrefixLiterallyNewestFirstInPages() {
        String unique = UUID.randomUUID().toString();
        String base = "orders/f_" + unique;
        Load a = submit(event(base + "/a.csv", "0x1", SEQ_1));
        Load b = submit(event(base + "/b.csv", "0x1", SEQ_1));
        Load c = submit(event(base + "/c.csv", "0x1", SEQ_1));
        submit(event("orders/fX" + unique + "/d.csv", "0x1", SEQ_1)); // matches only if '_' were a wildcard

        LoadPage first = loads.find(null, "orders", base, null, 0, 2);
        LoadPage second = loads.find(null, null, base, null, 1, 2);

        assertThat(first.totalElements()).isEqualTo(3);
        assertThat(first.totalPages()).isEqualTo(2);
        assertThat(first.loads()).extracting(Load::id).containsExactly(c.id(), b.id());
        assertThat(second.loads()).extracting(Load::id).containsExactly(a.id());
        assertThat(loads.find(LoadStatus.SKIPPED, null, base, null, 0, 10).totalElements())
                .isZero();
        assertThat(loads.find(null, null, base, Instant.now().plusSeconds(60), 0, 10)
                        .totalElements())
                .isZero();
        assertThat(loads.find(null, null, base, a.receivedAt(), 0, 10).totalElements())
                .isEqualTo(3);
    }

    @Test
    void countsLoadsByTableAndStatus() {
        long before = count(loads.summary(), "ORDERS", LoadStatus.SUPERSEDED);
        String blob = uniqueOrders();
        submit(event(blob, "0x2", SEQ_2));
        submit(event(blob, "0x1", SEQ_1));

        assertThat(count(loads.summary(), "ORDERS", LoadStatus.SUPERSEDED)).isEqualTo(before + 1);
    }

    @Test
    void givesConcurrentDeliveriesOfOneVersionOneLoad() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String blob = uniqueOrders();
                String sharedEventId = round % 2 == 0 ? "ev-" + UUID.randomUUID() : null;
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Load>> results = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    String eventId = sharedEventId != null ? sharedEventId : "ev-" + UUID.randomUUID();
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return submit(event(eventId, blob, "0x8DCB0001", SEQ_1));
                    }));
                }
                UUID first = results.get(0).get(30, TimeUnit.SECONDS).id();
                UUID second = results.get(1).get(30, TimeUnit.SECONDS).id();
                assertThat(second).as("round %d", round).isEqualTo(first);
                assertThat(countOf(blob)).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long count(List<LoadCount> counts, String table, LoadStatus status) {
        return counts.stream()
                .filter(c -> table.equals(c.table()) && c.status() == status)
                .mapToLong(LoadCount::count)
                .sum();
    }

    static void assertProblem(ThrowingCallable call, int status, String kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.getStatusCode().value()).isEqualTo(status);
            assertThat(p.getBody().getType()).isEqualTo(Problem.type(kind));
        });
    }
}
