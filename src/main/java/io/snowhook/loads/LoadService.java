package io.snowhook.loads;

import io.snowhook.blob.BlobId;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one entry point to the load ledger for intake and the web API: records incoming blobs (dedupe,
 * supersede, skip, route), answers status queries and queues re-ingestions.
 *
 * <p>Recording methods never run inside a caller's transaction: they commit before they return (so an
 * acknowledged event is never lost). The events of one request are recorded in one transaction — all or
 * none — and a lost insert race, settled by the unique constraints of the {@code loads} table, rolls back
 * to a savepoint only.
 */
@Service
public class LoadService {

    /** The reason recorded for a blob whose name matches no configured route. */
    public static final String NO_ROUTE_REASON = "no route for blob name";

    private static final int STATS_MINUTES = 60;

    private static final String BLOB_CREATED = "Microsoft.Storage.BlobCreated";

    private static final Logger log = LoggerFactory.getLogger(LoadService.class);

    private final LoadStore store;
    private final Router router;
    private final StorageAccounts accounts;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transaction;
    private final TransactionTemplate savepoint;

    LoadService(
            LoadStore store,
            Router router,
            StorageAccounts accounts,
            ApplicationEventPublisher events,
            PlatformTransactionManager transactions) {
        this.transaction = new TransactionTemplate(transactions);
        this.savepoint = new TransactionTemplate(transactions);
        savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.store = store;
        this.router = router;
        this.accounts = accounts;
        this.events = events;
    }

    /**
     * Validates every blob against the storage allow-list and the values the ledger can store first
     * (nothing is recorded when one fails), then records them all in one transaction — committed before
     * this returns — and returns one load per blob, in order. An event of another type than BlobCreated for
     * a container outside the allow-list is left out (not refused: it is not for snowhook). A
     * duplicate delivery (same event id, or same account/container/name/eTag) returns the existing load; a
     * version older (by sequencer) than a known one of the same blob is recorded {@code SUPERSEDED}, and a
     * newer version supersedes older ones still {@code QUEUED}.
     *
     * @throws io.snowhook.system.Problem 400 {@code invalid-event} naming the field for a value the ledger
     *     cannot store (NUL, a lone surrogate, control characters outside the blob name, a timestamp outside
     *     years 0001–9999, a value longer than its column); 422 {@code unknown-storage-account} for a blob outside the
     *     allow-list; 422 {@code untrusted-blob-url} for a {@code data.url} host the account cannot have
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public List<Load> submit(List<IncomingBlob> incoming) {
        // another event type about a container snowhook does not read: not for us, and no reason to refuse the batch
        List<IncomingBlob> blobs = incoming.stream()
                .filter(b -> !(isOtherType(b) && !accounts.allows(b.account(), b.container())))
                .toList();
        blobs.forEach(this::checkAllowed);
        List<Load> recorded = Objects.requireNonNull(transaction.execute(
                tx -> blobs.stream().map(b -> record(b, LoadOrigin.EVENT, null)).toList()));
        // After the commit, so that of two requests recording versions of one blob concurrently, the pass of
        // the later commit sees both and the older queued version is superseded.
        List<Load> loads = recorded.stream()
                .map(load ->
                        load.status() == LoadStatus.QUEUED && load.sequencer() != null && supersedeOlderVersions(load)
                                ? get(load.id())
                                : load)
                .toList();
        int queued = (int)
                loads.stream().filter(l -> l.status() == LoadStatus.QUEUED).count();
        if (queued > 0) {
            // committed already: workers of this process may start on them at once
            events.publishEvent(new LoadsQueued(queued));
        }
        return loads;
    }

    private static boolean isOtherType(IncomingBlob blob) {
        return blob.skipReason() != null && !BLOB_CREATED.equals(blob.eventType());
    }

    /**
     * Records a blob version a sweep listed, exactly as an event for it would be recorded (allow-list,
     * routing, dedupe by version: a sweep and an event for the same version give one load), with origin
     * {@code SWEEP}. The blob's Last-Modified stands for the event time; it carries no sequencer.
     *
     * @throws io.snowhook.system.Problem as {@link #submit}
     */
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public Load recordSwept(IncomingBlob blob, UUID sweepId) {
        checkAllowed(blob);
        Load load = record(blob, LoadOrigin.SWEEP, sweepId);
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
        if (!accounts.allows(original.account(), original.container())) {
            throw new UnknownStorageAccount(original.account(), original.container(), original.blob());
        }
        Route route = router.route(original.blob()).orElseThrow(() -> new NoRoute(original.blob()));
        boolean same = version == ReingestVersion.SAME;
        Load load = queue(
                new BlobId(original.account(), original.container(), original.blob()),
                route,
                same ? original.etag() : null,
                same ? original.sequencer() : null,
                same ? original.size() : null,
                same ? original.eventTime() : null,
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
        if (!accounts.allows(blob.account(), blob.container())) {
            throw new UnknownStorageAccount(blob.account(), blob.container(), blob.name());
        }
        String host = Objects.requireNonNull(url.getHost());
        if (!accounts.acceptsUrlHost(blob.account(), host)) {
            throw new UntrustedBlobUrl(blob.account(), host, blob.name());
        }
        Route route = router.route(blob.name()).orElseThrow(() -> new NoRoute(blob.name()));
        Optional<Load> previous = store.findByBlob(blob.account(), blob.container(), blob.name()).stream()
                .findFirst();
        if (previous.isPresent() && !previous.get().status().isFinal()) {
            throw new LoadInProgress(previous.get());
        }
        Optional<Load> version = previous.filter(p -> p.status() != LoadStatus.SKIPPED);
        Load load = queue(
                blob,
                route,
                version.map(Load::etag).orElse(null),
                version.map(Load::sequencer).orElse(null),
                version.map(Load::size).orElse(null),
                version.map(Load::eventTime).orElse(null),
                previous.map(Load::id).orElse(null),
                LoadOrigin.INGESTION);
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

    /** Counts of loads by target table and status. */
    public List<LoadCount> summary() {
        return store.countByTableAndStatus();
    }

    private void checkAllowed(IncomingBlob blob) {
        checkLength("id", blob.eventId(), 200);
        checkLength("eventType", blob.eventType(), 200);
        checkLength("api", blob.api(), 64);
        checkLength("account", blob.account(), 64);
        checkLength("container", blob.container(), 64);
        checkLength("blob", blob.blobName(), 1024);
        checkLength("eTag", blob.etag(), 128);
        checkLength("sequencer", blob.sequencer(), 64);
        checkLength("contentType", blob.contentType(), 200);
        InvalidField.check("id", blob.eventId(), false);
        InvalidField.check("eventType", blob.eventType(), false);
        InvalidField.check("api", blob.api(), false);
        InvalidField.check("account", blob.account(), false);
        InvalidField.check("container", blob.container(), false);
        InvalidField.check("blob", blob.blobName(), true);
        InvalidField.check("eTag", blob.etag(), false);
        InvalidField.check("sequencer", blob.sequencer(), false);
        InvalidField.check("contentType", blob.contentType(), false);
        InvalidField.check("eventTime", blob.eventTime());
        if (!accounts.allows(blob.account(), blob.container())) {
            throw new UnknownStorageAccount(blob.account(), blob.container(), blob.blobName());
        }
        URI url = blob.url();
        if (url != null) {
            String host = url.getHost();
            if (host == null || !accounts.acceptsUrlHost(blob.account(), host)) {
                throw new UntrustedBlobUrl(
                        blob.account(),
                        host == null ? InvalidBlobUrl.withoutQuery(url.toString()) : host,
                        blob.blobName());
            }
        }
    }

    /** The limits are the column sizes of V1__create_loads.sql; Azure's own values are well within them. */
    private static void checkLength(String field, @Nullable String value, int max) {
        if (value != null && value.length() > max) {
            throw new FieldTooLong(field, max);
        }
    }

    private Load record(IncomingBlob in, LoadOrigin origin, @Nullable UUID sweepId) {
        if (in.eventId() != null) {
            Optional<Load> known = store.findByEventId(in.eventId());
            if (known.isPresent()) {
                log.info(
                        "load {} already records event {} of blob {}/{}/{}",
                        known.get().id(),
                        in.eventId(),
                        in.account(),
                        in.container(),
                        in.blobName());
                return known.get();
            }
        }
        if (in.skipReason() != null) {
            return insertOrExisting(
                    in, LoadStatus.SKIPPED, abbreviate(in.skipReason(), 2000), null, null, origin, sweepId);
        }
        Optional<Route> route = router.route(in.blobName());
        if (route.isEmpty()) {
            return insertOrExisting(in, LoadStatus.SKIPPED, NO_ROUTE_REASON, null, null, origin, sweepId);
        }
        String versionKey = in.etag() == null ? null : versionKey(in);
        if (versionKey != null) {
            Optional<Load> known = store.findByVersionKey(versionKey);
            if (known.isPresent()) {
                log.info(
                        "load {} already records blob {}/{}/{} eTag {} (event {})",
                        known.get().id(),
                        in.account(),
                        in.container(),
                        in.blobName(),
                        in.etag(),
                        in.eventId());
                return known.get();
            }
        }
        Optional<Load> newer = newestVersion(in.account(), in.container(), in.blobName())
                .filter(v -> isOlder(in.sequencer(), v.sequencer()) || isOlderSwept(in, origin, v));
        Load load = newer.isPresent()
                ? insertOrExisting(
                        in, LoadStatus.SUPERSEDED, supersededBy(newer.get()), route.get(), versionKey, origin, sweepId)
                : insertOrExisting(in, LoadStatus.QUEUED, null, route.get(), versionKey, origin, sweepId);
        if (load.sequencer() != null && supersedeOlderVersions(load)) {
            // An older version of the same request, or a newer one recorded concurrently: this load lost.
            return get(load.id());
        }
        return load;
    }

    /**
     * Inserts the load for an incoming blob; when its event id or version key was recorded meanwhile (a
     * concurrent delivery of the same event or version), returns that load instead.
     */
    private Load insertOrExisting(
            IncomingBlob in,
            LoadStatus status,
            @Nullable String reason,
            @Nullable Route route,
            @Nullable String versionKey,
            LoadOrigin origin,
            @Nullable UUID sweepId) {
        Instant now = LoadStore.now();
        Load load = new Load(
                UUID.randomUUID(),
                in.eventId(),
                status,
                in.account().toLowerCase(Locale.ROOT),
                in.container(),
                in.blobName(),
                in.etag(),
                in.sequencer(),
                in.contentLength(),
                route == null ? null : route.prefix(),
                route == null ? null : route.table(),
                route == null ? null : route.format(),
                route == null ? null : route.mode(),
                0,
                null,
                null,
                null,
                reason,
                null,
                null,
                null,
                null,
                in.eventTime(),
                now,
                null,
                status.isFinal() ? now : null,
                origin);
        try {
            // a savepoint: a lost race aborts only this insert, not the request's transaction (PostgreSQL)
            savepoint.executeWithoutResult(tx -> store.insert(new LoadStore.NewLoad(
                    load,
                    versionKey,
                    origin == LoadOrigin.SWEEP ? null : in.eventType(),
                    in.api(),
                    in.contentType(),
                    route == null ? null : route.staging(),
                    sweepId)));
        } catch (DuplicateKeyException raced) {
            Optional<Load> existing = Optional.ofNullable(in.eventId())
                    .flatMap(store::findByEventId)
                    .or(() -> Optional.ofNullable(versionKey).flatMap(store::findByVersionKey));
            if (existing.isEmpty()) {
                throw raced;
            }
            log.info(
                    "load {} was recorded concurrently for blob {}/{}/{} (event {})",
                    existing.get().id(),
                    in.account(),
                    in.container(),
                    in.blobName(),
                    in.eventId());
            return existing.get();
        }
        log.info(
                "load {} recorded {} for blob {}/{}/{} eTag {} sequencer {}{}",
                load.id(),
                status,
                load.account(),
                load.container(),
                load.blob(),
                load.etag(),
                load.sequencer(),
                reason == null ? "" : " (" + reason + ")");
        return load;
    }

    /**
     * Supersedes every still-queued version of the load's blob older than the newest known one. Runs after
     * each insert, so of two versions recorded concurrently the later check sees both.
     *
     * @return whether {@code load} itself was superseded
     */
    private boolean supersedeOlderVersions(Load load) {
        List<Load> versions = store.findByBlob(load.account(), load.container(), load.blob()).stream()
                .filter(v -> v.status() != LoadStatus.SKIPPED && v.sequencer() != null)
                .toList();
        Optional<Load> newest = newest(versions);
        if (newest.isEmpty()) {
            return false;
        }
        boolean self = false;
        Instant now = LoadStore.now();
        for (Load v : comparableVersions(load, versions)) {
            if (v.status() == LoadStatus.QUEUED
                    && (isOlder(v.sequencer(), newest.get().sequencer()) || isOlderSwept(v, newest.get()))) {
                if (store.supersedeIfQueued(v.id(), supersededBy(newest.get()), now)) {
                    log.info(
                            "load {} superseded by load {} for blob {}/{}/{} (sequencer {} < {})",
                            v.id(),
                            newest.get().id(),
                            v.account(),
                            v.container(),
                            v.blob(),
                            v.sequencer(),
                            newest.get().sequencer());
                    self |= v.id().equals(load.id());
                }
            }
        }
        return self;
    }

    /**
     * The versions to compare with the newest sequenced one: those with a sequencer, and the swept ones of
     * the blob, which a listing gives without one.
     */
    private List<Load> comparableVersions(Load load, List<Load> sequenced) {
        List<Load> swept = store.findByBlob(load.account(), load.container(), load.blob()).stream()
                .filter(v -> v.origin() == LoadOrigin.SWEEP && v.sequencer() == null)
                .toList();
        return swept.isEmpty()
                ? sequenced
                : Stream.concat(sequenced.stream(), swept.stream()).toList();
    }

    /**
     * How a swept version (a listing gives its Last-Modified, never a sequencer) orders against an evented
     * one of the same blob: it is older when the evented version's event came after the swept version was
     * last modified. So a later event still supersedes a queued swept version, and a swept version never
     * supersedes an evented one — it supersedes nothing; the worker's conditional read settles the rest.
     */
    private static boolean isOlderSwept(Load swept, Load evented) {
        return swept.origin() == LoadOrigin.SWEEP
                && swept.sequencer() == null
                && evented.sequencer() != null
                && swept.eventTime() != null
                && evented.eventTime() != null
                && evented.eventTime().isAfter(swept.eventTime());
    }

    private static boolean isOlderSwept(IncomingBlob in, LoadOrigin origin, Load evented) {
        return origin == LoadOrigin.SWEEP
                && in.sequencer() == null
                && evented.sequencer() != null
                && in.eventTime() != null
                && evented.eventTime() != null
                && evented.eventTime().isAfter(in.eventTime());
    }

    private Optional<Load> newestVersion(String account, String container, String blob) {
        return newest(store.findByBlob(account.toLowerCase(Locale.ROOT), container, blob).stream()
                .filter(v -> v.status() != LoadStatus.SKIPPED && v.sequencer() != null)
                .toList());
    }

    /** Event Grid sequencers order the versions of one blob by plain string comparison. */
    private static Optional<Load> newest(List<Load> versions) {
        return versions.stream()
                .filter(v -> v.sequencer() != null)
                .max(Comparator.comparing(v -> Objects.requireNonNull(v.sequencer())));
    }

    private static boolean isOlder(@Nullable String sequencer, @Nullable String than) {
        return sequencer != null && than != null && sequencer.compareTo(than) < 0;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static String supersededBy(Load newer) {
        return "a newer version of the blob is known: eTag " + newer.etag() + ", sequencer " + newer.sequencer()
                + " (load " + newer.id() + ")";
    }

    private Load queue(
            BlobId blob,
            Route route,
            @Nullable String etag,
            @Nullable String sequencer,
            @Nullable Long size,
            @Nullable Instant eventTime,
            @Nullable UUID reingestOf,
            LoadOrigin origin) {
        Load load = new Load(
                UUID.randomUUID(),
                null,
                LoadStatus.QUEUED,
                blob.account(),
                blob.container(),
                blob.name(),
                etag,
                sequencer,
                size,
                route.prefix(),
                route.table(),
                route.format(),
                route.mode(),
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                reingestOf,
                eventTime,
                LoadStore.now(),
                null,
                null,
                origin);
        store.insert(new LoadStore.NewLoad(load, null, null, null, null, route.staging()));
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
