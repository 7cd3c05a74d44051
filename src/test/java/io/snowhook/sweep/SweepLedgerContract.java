package io.snowhook.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snowhook.blob.BlobListing;
import io.snowhook.blob.BlobPage;
import io.snowhook.blob.BlobUnavailable;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.LedgerRetention;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadOrigin;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.AzuriteServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Sweeps against the ledger, run on each supported database by a subclass: the real listing of a real
 * Azurite container, the real recording path, no workers (loads stay where the tests put them). Each test
 * sweeps a prefix of its own.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        classes = SweepLedgerContract.Ledger.class,
        properties = {"snowhook.sweep.page-size=7", "snowhook.sweep.poll-interval=200ms"})
abstract class SweepLedgerContract {

    static final AzuriteServer azurite = AzuriteServer.shared();
    static final Duration PATIENCE = Duration.ofMinutes(2);

    @Autowired
    SweepService sweeps;

    @Autowired
    LoadService loads;

    @Autowired
    JdbcClient jdbc;

    final String prefix = "orders/sweep-" + UUID.randomUUID().toString().substring(0, 8) + "/";

    /** The container this ledger's tests sweep (each subclass its own). */
    abstract String container();

    @Test
    void queuesOnlyVersionsWithoutALoadInAnyStateFromAnyOrigin() {
        Map<String, String> etags = new java.util.LinkedHashMap<>();
        for (String name : List.of("loaded", "failed", "queued", "superseded", "ingested", "reingested", "new")) {
            etags.put(name, upload(name + ".csv"));
        }
        setStatus(event("loaded.csv", etags.get("loaded")), LoadStatus.LOADED);
        setStatus(event("failed.csv", etags.get("failed")), LoadStatus.FAILED);
        event("queued.csv", etags.get("queued"));
        setStatus(event("superseded.csv", etags.get("superseded")), LoadStatus.SUPERSEDED);
        Load ingestion = loads.ingest(url("ingested.csv"));
        assertThat(ingestion.origin()).isEqualTo(LoadOrigin.INGESTION);
        // what the worker records once it read the blob: the eTag of the version it loaded
        jdbc.sql("UPDATE loads SET status = 'LOADED', etag = :etag WHERE id = :id")
                .param("etag", etags.get("ingested"))
                .param("id", ingestion.id())
                .update();
        Load original = event("reingested.csv", etags.get("reingested"));
        setStatus(original, LoadStatus.LOADED);
        Load reingest = loads.reingest(original.id());
        assertThat(reingest.origin()).isEqualTo(LoadOrigin.REINGEST);
        setStatus(reingest, LoadStatus.FAILED);
        Load old = event("reuploaded.csv", upload("reuploaded.csv"));
        setStatus(old, LoadStatus.LOADED);
        String reuploaded = upload("reuploaded.csv");

        SweepResponse first = sweep();

        assertThat(first.status()).isEqualTo(SweepStatus.FINISHED);
        assertThat(first.listed()).isEqualTo(8);
        assertThat(first.queued())
                .as("the blob without a load and the re-uploaded one")
                .isEqualTo(2);
        assertThat(loadsOf("new.csv")).singleElement().satisfies(l -> {
            assertThat(l.origin()).isEqualTo(LoadOrigin.SWEEP);
            assertThat(l.status()).isEqualTo(LoadStatus.QUEUED);
            assertThat(l.etag()).isEqualTo(etags.get("new"));
            assertThat(l.table()).isEqualTo("ORDERS");
        });
        assertThat(loadsOf("reuploaded.csv"))
                .extracting(Load::etag, Load::origin)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(old.etag(), LoadOrigin.EVENT),
                        org.assertj.core.groups.Tuple.tuple(reuploaded, LoadOrigin.SWEEP));
        for (String name : List.of("loaded", "failed", "queued", "superseded", "ingested")) {
            assertThat(loadsOf(name + ".csv")).as(name).hasSize(1);
        }
        assertThat(loadsOf("reingested.csv")).hasSize(2);

        SweepResponse second = sweep();
        assertThat(second.listed()).isEqualTo(8);
        assertThat(second.queued()).isZero();
    }

    @Test
    void anEventForAVersionASweepRecordsMapsToTheSweptLoad() {
        String etag = upload("late.csv");
        SweepResponse sweep = sweep();
        assertThat(sweep.queued()).isEqualTo(1);
        Load swept = loadsOf("late.csv").get(0);

        Load evented = event("late.csv", etag);

        assertThat(evented.id()).isEqualTo(swept.id());
        assertThat(evented.origin()).isEqualTo(LoadOrigin.SWEEP);
        assertThat(loadsOf("late.csv")).hasSize(1);
    }

    @Test
    void eventsPostedDuringASweepForTheSameVersionsGiveOneLoadEach() throws Exception {
        int blobs = 40;
        Map<String, String> etags = new java.util.LinkedHashMap<>();
        for (int i = 0; i < blobs; i++) {
            etags.put("race-" + i + ".csv", upload("race-" + i + ".csv"));
        }
        ExecutorService events = Executors.newFixedThreadPool(4);
        try {
            Sweep started = sweeps.request(new SweepService.Request(null, container(), prefix, null));
            // the sweep lists in name order; the events come from the other end, so the two meet mid-way
            await().atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> sweeps.get(started.id()), s -> s.listed() > 0 || s.status() != SweepStatus.RUNNING);
            List<Future<Load>> posted = new ArrayList<>();
            List<String> names = new ArrayList<>(etags.keySet());
            java.util.Collections.reverse(names);
            names.forEach(name -> posted.add(events.submit(() -> event(name, etags.get(name)))));
            for (Future<Load> f : posted) {
                f.get();
            }
            SweepResponse done = awaitEnd(started.id());
            assertThat(done.status()).isEqualTo(SweepStatus.FINISHED);

            Map<LoadOrigin, Long> origins = new java.util.EnumMap<>(LoadOrigin.class);
            for (String name : etags.keySet()) {
                List<Load> of = loadsOf(name);
                assertThat(of).as("loads of %s", name).hasSize(1);
                origins.merge(of.get(0).origin(), 1L, Long::sum);
            }
            assertThat(origins.getOrDefault(LoadOrigin.SWEEP, 0L)).isEqualTo(done.queued());
            System.out.println("event/sweep race over " + blobs + " blobs: loads by origin " + origins);
        } finally {
            events.shutdownNow();
        }
    }

    @Test
    void aLaterEventSupersedesAQueuedSweptVersion() {
        upload("replaced.csv");
        sweep();
        Load swept = loadsOf("replaced.csv").get(0);
        String newer = upload("replaced.csv");

        Load evented = loads.submit(List.of(incoming(
                        "replaced.csv",
                        newer,
                        "00000000000004420000000000028961",
                        Instant.now().plusSeconds(1))))
                .get(0);

        assertThat(evented.status()).isEqualTo(LoadStatus.QUEUED);
        Load after = loads.get(swept.id());
        assertThat(after.status()).isEqualTo(LoadStatus.SUPERSEDED);
        assertThat(after.reason()).contains(newer);
    }

    @Test
    void aSweptVersionNeverSupersedesANewerEventedOne() {
        upload("overwritten.csv");
        // the event of a version written after the one the listing will show
        Load newer = loads.submit(List.of(incoming(
                        "overwritten.csv",
                        "0x8DCFFFFFFFFFFFF",
                        "00000000000004420000000000028969",
                        Instant.now().plus(Duration.ofHours(1)))))
                .get(0);

        SweepResponse sweep = sweep();

        assertThat(sweep.queued()).isEqualTo(1);
        assertThat(loads.get(newer.id()).status()).isEqualTo(LoadStatus.QUEUED);
        assertThat(loadsOf("overwritten.csv"))
                .filteredOn(l -> l.origin() == LoadOrigin.SWEEP)
                .singleElement()
                .satisfies(l -> assertThat(l.status()).isEqualTo(LoadStatus.SUPERSEDED));
    }

    /** The blob's {@code Last-Modified} as storage gives it: to the second, as a listing shows it. */
    Instant lastModified(String name) {
        return azurite.blobServiceClient()
                .getBlobContainerClient(container())
                .getBlobClient(prefix + name)
                .getProperties()
                .getLastModified()
                .toInstant();
    }

    @Test
    void anEventedVersionWithinTheListingsSecondDoesNotSupersedeTheSweptOne() {
        upload("same-second.csv");
        // an older version's event, written in the same second as the version the listing shows but stamped later
        // than that second's start: the listing cannot tell which is newer
        Instant written = lastModified("same-second.csv");
        Load older = loads.submit(List.of(incoming(
                        "same-second.csv",
                        "0x8DC0000000000A1",
                        "00000000000004420000000000028970",
                        written.plusMillis(500))))
                .get(0);

        SweepResponse sweep = sweep();

        assertThat(sweep.queued()).isEqualTo(1);
        assertThat(loadsOf("same-second.csv"))
                .filteredOn(l -> l.origin() == LoadOrigin.SWEEP)
                .singleElement()
                .satisfies(l -> assertThat(l.status())
                        .as("queued: its If-Match read decides whether it is current")
                        .isEqualTo(LoadStatus.QUEUED));
        assertThat(loads.get(older.id()).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Test
    void aLateEventWithinTheListingsSecondLeavesTheSweptVersionQueued() {
        upload("late-event.csv");
        sweep();
        Load swept = loadsOf("late-event.csv").get(0);
        assertThat(swept.status()).isEqualTo(LoadStatus.QUEUED);

        // the late event of an older version written in the same second
        loads.submit(List.of(incoming(
                "late-event.csv",
                "0x8DC0000000000A2",
                "00000000000004420000000000028971",
                swept.eventTime().plusMillis(500))));

        assertThat(loads.get(swept.id()).status()).isEqualTo(LoadStatus.QUEUED);
    }

    @Autowired
    FlakyListing listing;

    @Test
    void aSweepPausedByATransientStorageFailureResumesFromItsLastPageAndFinishes() {
        for (int i = 0; i < 10; i++) {
            upload("paged-" + i + ".csv");
        }
        // the first page (7 blobs here) is listed, then storage is busy for the second page twice
        listing.failAfter(1, 2);

        SweepResponse done;
        try {
            done = sweep();
        } finally {
            listing.failAfter(Integer.MAX_VALUE, 0);
        }

        assertThat(done.status()).isEqualTo(SweepStatus.FINISHED);
        assertThat(done.listed()).as("resumed from the page it stood at").isEqualTo(10);
        assertThat(java.util.stream.IntStream.range(0, 10).mapToObj(i -> loadsOf("paged-" + i + ".csv")))
                .allSatisfy(l -> assertThat(l).as("each blob recorded once").hasSize(1));
    }

    @Test
    void queuesNothingModifiedBeforeTheSweepsBound() {
        upload("old.csv");

        Sweep started = sweeps.request(new SweepService.Request(
                null, container(), prefix, Instant.now().plus(Duration.ofHours(1))));
        SweepResponse done = awaitEnd(started.id());

        assertThat(done.listed()).isEqualTo(1);
        assertThat(done.queued()).isZero();
        assertThat(loadsOf("old.csv")).isEmpty();
    }

    @Test
    void refusesASecondSweepOfAContainerWhileOneRuns() {
        UUID running = UUID.randomUUID();
        // a sweep another replica holds under a lease that is still good
        jdbc.sql("INSERT INTO sweeps (id, account, container, requested_by, status, running_key, claimed_by,"
                        + " lease_until, attempts, created_at) VALUES (:id, :account, :container, 'OPERATOR',"
                        + " 'RUNNING', :key, 'elsewhere', :lease, 1, :now)")
                .param("id", running)
                .param("account", AzuriteServer.ACCOUNT)
                .param("container", container())
                .param("key", AzuriteServer.ACCOUNT + "/" + container())
                .param("lease", Instant.now().plus(Duration.ofHours(1)).atOffset(java.time.ZoneOffset.UTC))
                .param("now", Instant.now().atOffset(java.time.ZoneOffset.UTC))
                .update();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> sweeps.request(new SweepService.Request(null, container(), prefix, null)))
                    .isInstanceOfSatisfying(
                            SweepRunning.class,
                            problem -> assertThat(problem.getBody().getProperties())
                                    .containsEntry("sweepId", running.toString()));
            assertThat(sweeps.get(running).attempts())
                    .as("not taken: its lease holds")
                    .isEqualTo(1);
        } finally {
            jdbc.sql("UPDATE sweeps SET status = 'FINISHED', running_key = NULL WHERE id = :id")
                    .param("id", running)
                    .update();
        }
    }

    SweepResponse sweep() {
        Sweep started = sweeps.request(new SweepService.Request(null, container(), prefix, null));
        return awaitEnd(started.id());
    }

    SweepResponse awaitEnd(UUID id) {
        Sweep done = await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> sweeps.get(id), s -> s.status() != SweepStatus.RUNNING);
        Map<String, Long> counts = loads.countBySweep(List.of(id)).getOrDefault(id, Map.of()).entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
        return SweepResponse.of(done, counts);
    }

    String upload(String name) {
        return azurite.upload(
                container(), prefix + name, ("order_id\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    URI url(String name) {
        return URI.create(azurite.endpoint() + "/" + container() + "/" + prefix + name);
    }

    Load event(String name, String etag) {
        return loads.submit(List.of(incoming(name, etag, null, Instant.now()))).get(0);
    }

    IncomingBlob incoming(String name, String etag, String sequencer, Instant eventTime) {
        return new IncomingBlob(
                "ev-" + UUID.randomUUID(),
                "Microsoft.Storage.BlobCreated",
                "PutBlockList",
                AzuriteServer.ACCOUNT,
                container(),
                prefix + name,
                etag,
                sequencer,
                16L,
                "text/csv",
                null,
                eventTime,
                null);
    }

    void setStatus(Load load, LoadStatus status) {
        jdbc.sql("UPDATE loads SET status = :status WHERE id = :id")
                .param("status", status.name())
                .param("id", load.id())
                .update();
    }

    List<Load> loadsOf(String name) {
        return loads.find(null, null, prefix + name, null, 0, 500).loads().stream()
                .filter(l -> l.blob().equals(prefix + name))
                .toList();
    }

    /**
     * The ledger, the listing and the sweeper, without web layer or workers. A plain configuration, not a
     * {@code @SpringBootConfiguration}, so that other tests never pick it up as theirs.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
        DataSourceAutoConfiguration.class,
        DataSourceTransactionManagerAutoConfiguration.class,
        TransactionAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class,
        JdbcClientAutoConfiguration.class,
        FlywayAutoConfiguration.class
    })
    @ComponentScan(
            basePackages = {"io.snowhook.loads", "io.snowhook.blob", "io.snowhook.routing", "io.snowhook.sweep"},
            useDefaultFilters = false,
            includeFilters =
                    @ComponentScan.Filter(
                            type = FilterType.REGEX,
                            pattern = {
                                "io\\.snowhook\\.loads\\.ledger\\.Load(Service|Store)",
                                "io\\.snowhook\\.blob\\.(AzureBlobSource|StorageAccounts)",
                                "io\\.snowhook\\.routing\\.Router",
                                "io\\.snowhook\\.sweep\\.(SweepService|SweepStore|Sweeper)"
                            }))
    static class Ledger {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        LedgerRetention ledgerRetention() {
            return new LedgerRetention(java.time.Duration.ofDays(90));
        }

        @Bean
        @Primary
        FlakyListing flakyListing(@Qualifier("azureBlobSource") BlobListing storage) {
            return new FlakyListing(storage);
        }
    }

    /** The real listing, answering its next few pages with storage's transient failure when told to. */
    static final class FlakyListing implements BlobListing {
        private final BlobListing storage;
        private final AtomicInteger passing = new AtomicInteger(Integer.MAX_VALUE);
        private final AtomicInteger failing = new AtomicInteger();

        FlakyListing(BlobListing storage) {
            this.storage = storage;
        }

        /** The next {@code pages} pages are listed, then {@code failures} requests fail, then all pass again. */
        void failAfter(int pages, int failures) {
            failing.set(failures);
            passing.set(pages);
        }

        @Override
        public BlobPage list(
                String account, String container, String prefix, @Nullable String continuation, int pageSize) {
            if (passing.getAndUpdate(n -> Math.max(0, n - 1)) == 0
                    && failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new BlobUnavailable("storage answered HTTP 503 ServerBusy");
            }
            return storage.list(account, container, prefix, continuation, pageSize);
        }
    }
}
