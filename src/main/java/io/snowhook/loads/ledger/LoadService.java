package io.snowhook.loads.ledger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobUrl;
import io.snowhook.blob.InvalidBlobUrl;
import io.snowhook.blob.StorageAccounts;
import io.snowhook.routing.Route;
import io.snowhook.routing.Router;
import io.snowhook.system.Problem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one entry point to the load ledger for intake, sweeps and the web API: records incoming blobs (dedupe,
 * supersede, skip, route — the route's target is fixed on the row, the load's plan), answers status
 * queries and queues re-ingestions.
 *
 * <p>Recording methods never run inside a caller's transaction: they commit before they return (so an
 * acknowledged event is never lost). The events of one request are recorded in one transaction — all or
 * none — and a duplicate, or a lost insert race, is settled by the unique constraints of the {@code loads}
 * table without failing the transaction.
 */
@Service
public class LoadService implements DisposableBean {

    /** The reason recorded for a blob whose name matches no configured route. */
    public static final String NO_ROUTE_REASON = "no route for blob name";

    private static final int STATS_MINUTES = 60;

    /**
     * Threads committing events on H2: one, which makes the largest groups — H2 writes one chunk per commit under
     * a lock of the whole store, so a second committer mostly waits for it (measured: 1,260 against 850 req/s,
     * 1.4 against 1.9 ms of CPU per request, docs/benchmarks.md).
     */
    private static final int H2_COMMITTERS = 1;

    /**
     * Threads committing events on PostgreSQL: two, so that one group's statements run while the other's commit
     * waits for its WAL flush. Each holds a ledger connection only while it commits.
     */
    private static final int POSTGRES_COMMITTERS = 2;

    /** Requests one commit acknowledges at most: as many as intake's 64 connections of the benchmark. */
    private static final int MAX_REQUESTS_PER_COMMIT = 64;

    private static final Logger log = LoggerFactory.getLogger(LoadService.class);

    private final LoadStore store;
    private final Router router;
    private final StorageAccounts accounts;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transaction;
    private final GroupCommit<List<IncomingBlob>, List<Recorded>> commits;

    LoadService(
            LoadStore store,
            Router router,
            StorageAccounts accounts,
            ApplicationEventPublisher events,
            PlatformTransactionManager transactions,
            ObjectProvider<MeterRegistry> registry) {
        this.transaction = new TransactionTemplate(transactions);
        this.commits = new GroupCommit<>(
                "events",
                transaction,
                this::recordEvents,
                this::afterCommit,
                store.postgres() ? POSTGRES_COMMITTERS : H2_COMMITTERS,
                MAX_REQUESTS_PER_COMMIT,
                registry.getIfAvailable(SimpleMeterRegistry::new));
        this.store = store;
        this.router = router;
        this.accounts = accounts;
        this.events = events;
    }

    /**
     * Records the blobs of one request (intake checked them) in one transaction — committed before this
     * returns — and returns one load per blob, in order. A duplicate delivery (same event id, or same
     * account/container/name/eTag) returns the existing load; a version older (by sequencer) than a known
     * one of the same blob is recorded {@code SUPERSEDED}, and a newer version supersedes older ones still
     * {@code QUEUED}. Each blob takes at most two statements: one insert that resolves duplicates by the
     * ledger's unique constraints (or, for a duplicate, the read of the existing load) and, for a queued
     * version, one supersede update after the commit.
     *
     * <p>Concurrent requests share commits ({@link GroupCommit}): up to {@value #MAX_REQUESTS_PER_COMMIT} of
     * them in one transaction, each answered after that commit; a shared transaction that fails is redone
     * request by request, so one request's failure is its own.
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public List<Load> submit(List<IncomingBlob> blobs) {
        return commits.submit(blobs).stream()
                .map(LoadService::logged)
                .map(Recorded::load)
                .toList();
    }

    /**
     * The events of a group of requests, recorded inside the group's one transaction ({@link LoadStore#recordAll}:
     * on PostgreSQL one batch for the whole group), and a read for each event recorded before.
     */
    private List<List<Recorded>> recordEvents(List<List<IncomingBlob>> requests) {
        List<LoadStore.NewLoad> planned = new ArrayList<>();
        requests.forEach(blobs -> blobs.forEach(b -> planned.add(plan(b, LoadOrigin.EVENT, null))));
        Map<UUID, LoadStore.Recorded> inserted = store.recordAll(planned);
        List<List<Recorded>> recorded = new ArrayList<>(requests.size());
        int next = 0;
        for (List<IncomingBlob> blobs : requests) {
            List<Recorded> request = new ArrayList<>(blobs.size());
            for (IncomingBlob blob : blobs) {
                LoadStore.NewLoad row = planned.get(next++);
                request.add(settle(
                        blob, row, Optional.ofNullable(inserted.get(row.load().id()))));
            }
            recorded.add(request);
        }
        return recorded;
    }

    /**
     * After the commit of a group of requests: supersedes older queued versions of their blobs (one pass per
     * blob) and wakes this process's workers. After the commit, so that of two requests recording versions of
     * one blob concurrently, the pass of the later commit sees both and the older queued version is superseded.
     */
    private List<List<Recorded>> afterCommit(List<List<Recorded>> requests) {
        Set<BlobId> versioned = new LinkedHashSet<>();
        for (List<Recorded> request : requests) {
            for (Recorded r : request) {
                Load load = r.load();
                // a duplicate's versions were compared when it was first recorded
                if (r.isNew() && load.status() == LoadStatus.QUEUED && load.sequencer() != null) {
                    versioned.add(new BlobId(load.account(), load.container(), load.blob()));
                }
            }
        }
        Map<UUID, String> superseded = new HashMap<>();
        try {
            if (!versioned.isEmpty()) {
                transaction.executeWithoutResult(tx -> superseded.putAll(supersedeOlderVersions(versioned)));
            }
        } catch (RuntimeException e) {
            // the events are committed: a worker's conditional read still settles an older version it claims
            log.warn("older versions of {} requests' blobs not superseded: {}", requests.size(), e.toString());
            superseded.clear();
        }
        int queued = 0;
        List<List<Recorded>> answered = new ArrayList<>(requests.size());
        for (List<Recorded> request : requests) {
            List<Recorded> loads = new ArrayList<>(request.size());
            for (Recorded r : request) {
                Load load = r.load();
                String reason = superseded.get(load.id());
                if (reason != null && load.status() == LoadStatus.QUEUED) {
                    load = load.settled(LoadStatus.SUPERSEDED, reason, LoadRows.now());
                }
                if (load.status() == LoadStatus.QUEUED) {
                    queued++;
                }
                loads.add(new Recorded(load, r.isNew(), r.incoming()));
            }
            answered.add(loads);
        }
        if (queued > 0) {
            // committed already: workers of this process may start on them at once
            events.publishEvent(new LoadsQueued(queued));
        }
        return answered;
    }

    /** Commits what intake still has waiting, then stops the committers. */
    @Override
    public void destroy() {
        commits.close();
    }

    /**
     * Records a blob version a sweep listed (in a container the sweep was allowed to list), exactly as an
     * event for it would be recorded (routing, dedupe by version: a sweep and an event for the same version
     * give one load), with origin {@code SWEEP}. The blob's Last-Modified stands for the event time; it
     * carries no sequencer, so it supersedes nothing.
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public Load recordSwept(IncomingBlob blob, UUID sweepId) {
        Load load = logged(record(blob, LoadOrigin.SWEEP, sweepId)).load();
        if (load.status() == LoadStatus.QUEUED) {
            events.publishEvent(new LoadsQueued(1));
        }
        return load;
    }

    /**
     * The versions of the named blobs of one container that have a load in any state but {@code SKIPPED},
     * from any origin: one query per call, so a sweep compares a whole page of its listing at once.
     */
    public List<KnownVersion> knownVersions(String account, String container, Collection<String> blobs) {
        return store.knownVersions(account.toLowerCase(Locale.ROOT), container, blobs);
    }

    /** Counts the loads each of the given sweeps queued, by status (sweeps without loads are absent). */
    public Map<UUID, Map<LoadStatus, Long>> countBySweep(Collection<UUID> sweeps) {
        return store.countBySweep(sweeps);
    }

    /** @throws io.snowhook.system.Problem 404 {@code load-not-found} */
    public Load get(UUID id) {
        return store.findById(id).orElseThrow(() -> new LoadNotFound(id));
    }

    /** Re-ingests the same blob version as {@code id}: {@link #reingest(UUID, ReingestVersion)} with SAME. */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public Load reingest(UUID id) {
        return reingest(id, ReingestVersion.SAME);
    }

    /**
     * Queues a new load of the blob of load {@code id}, referencing it, routed by the current configuration:
     * of the same version (its eTag; the load ends {@code SUPERSEDED} if the blob changed since) or of the
     * blob as it is now (no eTag: the worker records the one it reads).
     *
     * @throws io.snowhook.system.Problem 404 {@code load-not-found}; 409 {@code load-in-progress} while the
     *     load is still queued or loading; 422 {@code no-route} when no route matches the blob any more, or
     *     {@code unknown-storage-account} when its container is no longer configured
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public Load reingest(UUID id, ReingestVersion version) {
        return reingest(get(id), version);
    }

    private Load reingest(Load original, ReingestVersion version) {
        if (!original.status().isFinal()) {
            throw new LoadInProgress(original);
        }
        accounts.checkAllowed(original.account(), original.container(), original.blob());
        Route route = router.route(original.blob()).orElseThrow(() -> new NoRoute(original.blob()));
        boolean same = version == ReingestVersion.SAME;
        Load load = queue(
                new BlobId(original.account(), original.container(), original.blob()),
                route,
                same ? original : null,
                original.id(),
                LoadOrigin.REINGEST);
        log.info(
                "load {} queued to re-ingest load {} of blob {}/{}/{} (eTag {})",
                load.id(),
                original.id(),
                load.account(),
                load.container(),
                load.blob(),
                same ? load.etag() : "current");
        return load;
    }

    /**
     * Re-ingests every {@code FAILED} load of {@code table} received at or after {@code since}, oldest first,
     * at most {@code limit} in one call. A failed load that is no longer the newest load of its blob (it was
     * re-ingested, or a newer version arrived) is skipped, as is one that can no longer be routed.
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public BulkReingest reingestFailed(String table, Instant since, ReingestVersion version, int limit) {
        List<Load> failed = store.findFailed(table, since, limit + 1);
        List<Load> queued = new ArrayList<>();
        List<BulkReingest.SkippedLoad> skipped = new ArrayList<>();
        for (Load original : failed.subList(0, Math.min(limit, failed.size()))) {
            Load newest = store.findByBlob(original.account(), original.container(), original.blob()).stream()
                    .findFirst()
                    .orElse(original);
            if (!newest.id().equals(original.id())) {
                skipped.add(new BulkReingest.SkippedLoad(
                        original.id(),
                        original.blob(),
                        "a later load of the blob exists: " + newest.id() + " (" + newest.status() + ")"));
                continue;
            }
            try {
                queued.add(reingest(original, version));
            } catch (Problem refused) {
                skipped.add(new BulkReingest.SkippedLoad(
                        original.id(),
                        original.blob(),
                        String.valueOf(refused.getBody().getDetail())));
            }
        }
        log.info(
                "re-ingest of the failed loads of table {} since {}: {} queued, {} skipped",
                table,
                since,
                queued.size(),
                skipped.size());
        return new BulkReingest(queued, skipped, failed.size() > limit);
    }

    /** The last hour ending at {@code now}, minute by minute, and the queue. */
    public LoadStats stats(Instant now) {
        Instant to = now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant from = to.minus(STATS_MINUTES, ChronoUnit.MINUTES);
        long[] loaded = new long[STATS_MINUTES];
        long[] failed = new long[STATS_MINUTES];
        List<List<Long>> latencies = new ArrayList<>();
        for (int i = 0; i < STATS_MINUTES; i++) {
            latencies.add(new ArrayList<>());
        }
        for (LoadStore.Finished f : store.finishedSince(from)) {
            int minute = (int) Duration.between(from, f.finished()).toMinutes();
            if (minute < 0 || minute >= STATS_MINUTES) {
                continue;
            }
            if (f.status() == LoadStatus.LOADED) {
                loaded[minute]++;
                latencies
                        .get(minute)
                        .add(Math.max(
                                0, Duration.between(f.asked(), f.finished()).toMillis()));
            } else {
                failed[minute]++;
            }
        }
        List<LoadStats.LoadMinute> minutes = new ArrayList<>();
        for (int i = 0; i < STATS_MINUTES; i++) {
            List<Long> l = latencies.get(i);
            l.sort(Comparator.naturalOrder());
            minutes.add(new LoadStats.LoadMinute(
                    from.plus(i, ChronoUnit.MINUTES),
                    loaded[i],
                    failed[i],
                    l.isEmpty() ? null : l.get((l.size() - 1) / 2),
                    l.isEmpty() ? null : l.get(l.size() - 1)));
        }
        Map<LoadStatus, Long> queue = store.countByStatus(List.of(LoadStatus.QUEUED, LoadStatus.LOADING));
        return new LoadStats(from, minutes, queue.get(LoadStatus.QUEUED), queue.get(LoadStatus.LOADING));
    }

    /**
     * Queues a load of the blob at {@code url} (host style or Azurite's path style; the allow-list applies).
     * The new load references the newest earlier load of the blob, if any, and takes its eTag; without one
     * (or when that load was skipped) the eTag stays null, meaning "the blob's current version", which the
     * worker records when it reads the blob.
     *
     * @throws io.snowhook.system.Problem 400 {@code invalid-blob-url}; 422 {@code unknown-storage-account},
     *     {@code untrusted-blob-url} or {@code no-route}; 409 {@code load-in-progress} while the newest
     *     earlier load of the blob is still queued or loading
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public Load ingest(URI url) {
        BlobId blob = BlobUrl.parse(url);
        if (blob.account().length() > 64
                || blob.container().length() > 64
                || blob.name().length() > 1024) {
            // The column sizes of V1__create_loads.sql; Azure's own limits are within them.
            throw new InvalidBlobUrl(
                    url.toString(), "names an account, container or blob longer than 64, 64 and 1024 characters");
        }
        accounts.checkAllowed(blob.account(), blob.container(), blob.name());
        accounts.checkUrlHost(blob.account(), url, blob.name());
        Route route = router.route(blob.name()).orElseThrow(() -> new NoRoute(blob.name()));
        Optional<Load> previous = store.findByBlob(blob.account(), blob.container(), blob.name()).stream()
                .findFirst();
        if (previous.isPresent() && !previous.get().status().isFinal()) {
            throw new LoadInProgress(previous.get());
        }
        Optional<Load> version = previous.filter(p -> p.status() != LoadStatus.SKIPPED);
        Load load =
                queue(blob, route, version.orElse(null), previous.map(Load::id).orElse(null), LoadOrigin.INGESTION);
        log.info(
                "load {} queued by ingestion of blob {}/{}/{} (eTag {}, repeats load {})",
                load.id(),
                load.account(),
                load.container(),
                load.blob(),
                load.etag() == null ? "current" : load.etag(),
                load.reingestOf());
        return load;
    }

    /**
     * One page of loads, newest first ({@code received_at} descending, then id). Every filter is optional.
     *
     * @param table target table, compared case-insensitively
     * @param blobPrefix blob names starting with this (taken literally: no wildcards)
     * @param since received at or after this instant
     * @param page zero-based
     * @param size 1 to 500
     */
    public LoadPage find(
            @Nullable LoadStatus status,
            @Nullable String table,
            @Nullable String blobPrefix,
            @Nullable Instant since,
            int page,
            int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw new IllegalArgumentException("page must be >= 0 and size 1..500");
        }
        return store.find(status, table, blobPrefix, since, page, size);
    }

    /** Counts loads in the given states (the work's queue-depth gauge). */
    public Map<LoadStatus, Long> countByStatus(Collection<LoadStatus> statuses) {
        return store.countByStatus(statuses);
    }

    /** Counts of loads by target table and status. */
    public List<LoadCount> summary() {
        return store.countByTableAndStatus();
    }

    /**
     * A recorded load, whether this call inserted it (else it is the load of an earlier delivery), and the
     * incoming blob it records.
     */
    private record Recorded(Load load, boolean isNew, IncomingBlob incoming) {}

    /**
     * Records one incoming blob: one insert, which the database skips for a known event id or version (then one
     * read of the existing load).
     */
    private Recorded record(IncomingBlob in, LoadOrigin origin, @Nullable UUID sweepId) {
        LoadStore.NewLoad row = plan(in, origin, sweepId);
        return settle(in, row, store.record(row));
    }

    /** The row an incoming blob is recorded as: routed and {@code QUEUED}, or {@code SKIPPED} with its reason. */
    private LoadStore.NewLoad plan(IncomingBlob in, LoadOrigin origin, @Nullable UUID sweepId) {
        Instant now = LoadRows.now();
        Route route = null;
        LoadStatus status = LoadStatus.SKIPPED;
        String reason;
        if (in.skipReason() != null) {
            reason = abbreviate(in.skipReason(), 2000);
        } else {
            route = router.route(in.blobName()).orElse(null);
            reason = route == null ? NO_ROUTE_REASON : null;
            status = route == null ? LoadStatus.SKIPPED : LoadStatus.QUEUED;
        }
        Load planned = Load.received(in, status, reason, route, origin, now);
        String versionKey = route == null || in.etag() == null ? null : versionKey(in);
        return new LoadStore.NewLoad(
                planned,
                versionKey,
                origin == LoadOrigin.SWEEP ? null : in.eventType(),
                in.api(),
                in.contentType(),
                sweepId);
    }

    /** The load a planned row became: as inserted, or (not inserted) the load of the earlier delivery. */
    private Recorded settle(IncomingBlob in, LoadStore.NewLoad row, Optional<LoadStore.Recorded> recorded) {
        Load planned = row.load();
        if (recorded.isEmpty()) {
            Load known = store.findRecorded(in.eventId(), row.versionKey())
                    .orElseThrow(() -> new IllegalStateException("load of event " + in.eventId() + " of blob "
                            + in.blobName() + " neither inserted nor found"));
            return new Recorded(known, false, in);
        }
        Load load = recorded.get().status() == planned.status()
                ? planned
                : planned.settled(recorded.get().status(), recorded.get().reason(), planned.receivedAt());
        return new Recorded(load, true, in);
    }

    /**
     * Logs a recorded load once its transaction committed — on the caller's thread, not in the group commit's
     * transaction, which a slow log write would hold up for every request of the group.
     */
    private static Recorded logged(Recorded r) {
        Load load = r.load();
        if (!r.isNew()) {
            IncomingBlob in = r.incoming();
            log.info(
                    "load {} already records blob {}/{}/{} eTag {} (event {})",
                    load.id(),
                    in.account(),
                    in.container(),
                    in.blobName(),
                    in.etag(),
                    in.eventId());
            return r;
        }
        log.info(
                "load {} recorded {} for blob {}/{}/{} eTag {} sequencer {}{}",
                load.id(),
                load.status(),
                load.account(),
                load.container(),
                load.blob(),
                load.etag(),
                load.sequencer(),
                load.reason() == null ? "" : " (" + load.reason() + ")");
        return r;
    }

    /**
     * Supersedes every still-queued version of these blobs older than the newest known one.
     *
     * @return the superseded loads' ids, with the reason
     */
    private Map<UUID, String> supersedeOlderVersions(Collection<BlobId> blobs) {
        Map<UUID, String> superseded = new HashMap<>();
        for (LoadStore.Superseded s : store.supersedeOlderVersions(blobs, LoadRows.now())) {
            log.info("load {} of blob {} superseded: {}", s.id(), s.blob(), s.reason());
            superseded.put(s.id(), s.reason());
        }
        return superseded;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private Load queue(BlobId blob, Route route, @Nullable Load version, @Nullable UUID reingestOf, LoadOrigin origin) {
        Load load = Load.queued(blob, route, version, reingestOf, origin, LoadRows.now());
        store.insert(LoadStore.NewLoad.queued(load));
        events.publishEvent(new LoadsQueued(1));
        return load;
    }

    /** The identity of one blob version: a SHA-256, so the unique index stays small for long blob names. */
    static String versionKey(IncomingBlob in) {
        String identity = String.join(
                "\n",
                in.account().toLowerCase(Locale.ROOT),
                in.container(),
                in.blobName(),
                Objects.requireNonNull(in.etag()));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(identity.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
