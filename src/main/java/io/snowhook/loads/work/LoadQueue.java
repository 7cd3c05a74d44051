package io.snowhook.loads.work;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadRows;
import io.snowhook.warehouse.FileBatch;
import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.DatabaseMetaDataCallback;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ledger as a work queue: workers claim {@code QUEUED} loads (and {@code LOADING} loads whose lease
 * expired, i.e. whose worker died) and hold them under a lease until they record the outcome.
 *
 * <p>Every change of a claimed load is conditional on the claim ({@code claimed_by} and status {@code
 * LOADING}), so a worker that lost its lease (another worker reclaimed it) changes nothing.
 */
@Repository
class LoadQueue {

    private static final Logger log = LoggerFactory.getLogger(LoadQueue.class);

    /** Rows a worker may take: queued, or loading under a lease that ran out. */
    private static final String CLAIMABLE =
            "(status = 'QUEUED' OR (status = 'LOADING' AND (lease_until IS NULL OR lease_until < :now)))";

    /**
     * No other load of the same blob runs under a live lease: one blob's loads run one after another, so an older
     * version that passed its If-Match read before the blob was overwritten commits before the newer one, never
     * over it (replace mode would otherwise delete the newer rows). Loads whose leases ran out do not hold up
     * others: two of them both claimable never wait on each other.
     */
    private static final String BLOB_IDLE = " AND NOT EXISTS (SELECT 1 FROM loads o WHERE o.account = loads.account"
            + " AND o.container = loads.container AND o.blob_name = loads.blob_name AND o.status = 'LOADING'"
            + " AND o.lease_until >= :now AND o.id <> loads.id)";

    /** How many head candidates one claim reads: enough to find another target when the first one's rows were taken. */
    private static final int HEADS = 16;

    private static final int MAX_ERROR = 4000;
    private static final int MAX_REASON = 2000;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final boolean skipLocked;
    private final boolean exclusive;
    private final ReentrantLock claiming = new ReentrantLock();

    LoadQueue(JdbcClient jdbc, DataSource dataSource, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        String product = metaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        this.skipLocked = product.toLowerCase(Locale.ROOT).contains("postgres");
        this.exclusive = isExclusive(product, metaData(dataSource, DatabaseMetaData::getURL));
    }

    /**
     * Whether only this process can use the ledger: an H2 database file opened without {@code AUTO_SERVER} and with
     * its file lock (the embedded default). PostgreSQL, H2 servers, in-memory databases and files opened with {@code
     * FILE_LOCK=NO} may be shared.
     */
    static boolean isExclusive(String product, String url) {
        String u = url.toLowerCase(Locale.ROOT);
        return product.equalsIgnoreCase("H2")
                && !u.startsWith("jdbc:h2:mem:")
                && !u.startsWith("jdbc:h2:tcp:")
                && !u.startsWith("jdbc:h2:ssl:")
                && !u.contains("auto_server=true")
                && !u.contains("file_lock=no");
    }

    /**
     * On a ledger only this process uses, loads left {@code LOADING} were held by an earlier run of this
     * process that ended without releasing them (SIGKILL, power loss): they are queued again at once rather
     * than after their leases run out. Elsewhere the leases decide.
     *
     * @return how many loads were queued again
     */
    int requeueOrphans() {
        if (!exclusive) {
            return 0;
        }
        int orphans = jdbc.sql("UPDATE loads SET status = 'QUEUED', claimed_by = NULL, lease_until = NULL"
                        + " WHERE status = 'LOADING'")
                .update();
        if (orphans > 0) {
            log.warn("{} loads left running by an earlier run of this process were queued again", orphans);
        }
        return orphans;
    }

    /**
     * Claims the oldest claimable load for {@code worker}, alone, holding it until {@code now + lease}.
     *
     * @return the claimed load (status {@code LOADING}), or empty when there is no work
     */
    Optional<Load> claim(String worker, Duration lease) {
        return claim(worker, lease, Set.of());
    }

    /**
     * Claims the oldest claimable load, alone, of a storage account not in {@code skipAccounts} (lower case: the
     * accounts known down, whose loads wait in the queue).
     */
    Optional<Load> claim(String worker, Duration lease, Set<String> skipAccounts) {
        return claim(worker, lease, skipAccounts, Batching.ONE).loads().stream().findFirst();
    }

    /**
     * Claims a batch for {@code worker}: the oldest claimable load of a storage account not in {@code
     * skipAccounts} and, when it can share a warehouse statement, the oldest other queued loads of its target
     * (table, format, mode, staging) and container, within {@code batching}'s bounds — all in one transaction and
     * under one batch id, every row {@code LOADING} under a lease until {@code now + lease}, its first try counted
     * in {@code attempts}.
     *
     * <p>A load alone: one whose lease ran out (its worker died, perhaps because of it), one tried before, one
     * queued without an eTag (its version is read when it loads) and one without a plan. A batch holds one load
     * of a blob, and no load is claimed while another load of its blob runs under a live lease.
     *
     * @return the batch, its loads in queue order with attempts counting the try about to start; no loads when there
     *     is no work
     */
    Claimed claim(String worker, Duration lease, Set<String> skipAccounts, Batching batching) {
        if (skipLocked) {
            Claimed claimed =
                    transaction.execute(status -> claimFirst(worker, LoadRows.now(), lease, skipAccounts, batching));
            return claimed == null ? Claimed.NOTHING : claimed;
        }
        // H2 has no SKIP LOCKED: the workers of this process claim one after another, so that two never read the
        // same rows and split a batch between them; the conditional UPDATE still guards against other processes
        claiming.lock();
        try {
            return claimFirst(worker, LoadRows.now(), lease, skipAccounts, batching);
        } finally {
            claiming.unlock();
        }
    }

    /**
     * Takes the batch of the first head candidate that can be taken. On PostgreSQL the rows read are locked,
     * skipping rows other workers hold locked: replicas never wait on each other nor claim the same row. On H2
     * (one process) the claiming {@code UPDATE} only takes rows still claimable: of two workers racing for a
     * row exactly one takes it.
     */
    private Claimed claimFirst(
            String worker, Instant now, Duration lease, Set<String> skipAccounts, Batching batching) {
        Set<List<Object>> lingering = new HashSet<>();
        Heads heads = heads(now, skipAccounts);
        for (Candidate head : heads.candidates()) {
            List<Candidate> batch;
            if (batching.maxFiles() > 1 && head.batchable()) {
                if (lingering.contains(head.group())) {
                    continue;
                }
                // when the heads are every queued load, its companions are among them: no second read (a
                // single queued file, the latency case, is claimed with one query)
                List<Candidate> companions = heads.everyQueued()
                        ? heads.candidates().stream()
                                .filter(c ->
                                        c != head && c.batchable() && c.group().equals(head.group()))
                                .toList()
                        : companions(head, batching.maxFiles() - 1, now);
                batch = batch(head, companions, batching);
                if (batch.size() < batching.maxFiles()
                        && !batching.linger().isZero()
                        && head.receivedAt().plus(batching.linger()).isAfter(now)) {
                    // waits for more files of its target, at most linger since its oldest arrived
                    lingering.add(head.group());
                    continue;
                }
            } else {
                batch = List.of(head);
            }
            UUID batchId = UUID.randomUUID();
            if (take(batch, batchId, worker, now, lease) > 0) {
                if ("LOADING".equals(head.status())) {
                    log.warn(
                            "load {} reclaimed by {}: the lease of {} expired (worker gone?)",
                            head.id(),
                            worker,
                            head.claimedBy());
                }
                return new Claimed(
                        batchId,
                        jdbc.sql("SELECT " + LoadRows.COLUMNS + " FROM loads WHERE batch_id = :batch"
                                        + " ORDER BY received_at, id")
                                .param("batch", batchId)
                                .query(LoadRows.MAPPER)
                                .list());
            }
        }
        return Claimed.NOTHING;
    }

    /**
     * The oldest claimable loads: expired leases first (a short range of the status index: few loads are {@code
     * LOADING}), then queued ones — each read as one range of the {@code (status, received_at)} index, never past
     * the final loads of the ledger.
     */
    private Heads heads(Instant now, Set<String> skipAccounts) {
        String skip = skipAccounts.isEmpty() ? "" : " AND account NOT IN (:skip)";
        List<Candidate> heads = new ArrayList<>(select(
                "status = 'LOADING' AND (lease_until IS NULL OR lease_until < :now)" + skip + BLOB_IDLE,
                HEADS,
                spec -> skipping(spec.param("now", timestamp(now)), skipAccounts)));
        boolean everyQueued = false;
        if (heads.size() < HEADS) {
            int limit = HEADS - heads.size();
            List<Candidate> queued = select(
                    "status = 'QUEUED'" + skip + BLOB_IDLE,
                    limit,
                    spec -> skipping(spec.param("now", timestamp(now)), skipAccounts));
            everyQueued = queued.size() < limit;
            heads.addAll(queued);
        }
        return new Heads(heads, everyQueued);
    }

    /**
     * Head candidates, oldest first; {@code everyQueued} when they hold every queued load of the accounts read
     * (the read found fewer than it asked for).
     */
    private record Heads(List<Candidate> candidates, boolean everyQueued) {}

    /** Queued loads that may share {@code head}'s statement, oldest first. */
    private List<Candidate> companions(Candidate head, int limit, Instant now) {
        return select(
                "status = 'QUEUED' AND attempts = 0 AND etag IS NOT NULL AND account = :account"
                        + " AND container = :container AND table_name = :table AND file_format = :format"
                        + " AND load_mode = :mode AND staging = :staging AND id <> :head" + BLOB_IDLE,
                // rows another worker took meanwhile (H2) are left out by the claiming update: read a few more
                skipLocked ? limit : Math.min(FileBatch.MAX_FILES, limit + HEADS),
                spec -> spec.param("account", head.account())
                        .param("container", head.container())
                        .param("table", head.table())
                        .param("format", head.format())
                        .param("mode", head.mode())
                        .param("staging", head.staging())
                        .param("head", head.id())
                        .param("now", timestamp(now)));
    }

    /** The head and the companions that fit the batch's bounds, in queue order. */
    private static List<Candidate> batch(Candidate head, List<Candidate> companions, Batching batching) {
        List<Candidate> batch = new ArrayList<>();
        batch.add(head);
        long bytes = head.bytes();
        Set<String> blobs = new HashSet<>();
        blobs.add(head.blob());
        for (Candidate c : companions) {
            if (batch.size() >= batching.maxFiles() || bytes + c.bytes() > batching.maxBytes()) {
                break;
            }
            if (!blobs.add(c.blob())) {
                // one load of a blob per batch: a newer version replaces the older (replace mode), and a second
                // load of the same version (a re-ingest) replaces the first one's rows — never in one statement
                continue;
            }
            batch.add(c);
            bytes += c.bytes();
        }
        return batch;
    }

    private List<Candidate> select(
            String where, int limit, java.util.function.UnaryOperator<JdbcClient.StatementSpec> params) {
        return params.apply(jdbc.sql("SELECT " + Candidate.COLUMNS + " FROM loads WHERE " + where
                        + " ORDER BY received_at, id LIMIT " + limit
                        + (skipLocked ? " FOR UPDATE SKIP LOCKED" : "")))
                .query(Candidate.MAPPER)
                .list();
    }

    private static JdbcClient.StatementSpec skipping(JdbcClient.StatementSpec statement, Set<String> skip) {
        return skip.isEmpty() ? statement : statement.param("skip", List.copyOf(skip));
    }

    /** Takes the rows of {@code batch} that are still claimable; returns how many it took. */
    private int take(List<Candidate> batch, UUID batchId, String worker, Instant now, Duration lease) {
        return jdbc.sql("UPDATE loads SET status = 'LOADING', claimed_by = :worker, lease_until = :lease,"
                        + " started_at = :now, batch_id = :batch, attempts = attempts + 1"
                        + " WHERE id IN (:ids) AND " + CLAIMABLE)
                .param("worker", worker)
                .param("lease", timestamp(now.plus(lease)))
                .param("now", timestamp(now))
                .param("batch", batchId)
                .param("ids", batch.stream().map(Candidate::id).toList())
                .update();
    }

    /** Queued loads by target table (loads without one are left out): one range of the status index. */
    Map<String, Long> queuedByTable() {
        Map<String, Long> counts = new HashMap<>();
        jdbc.sql("SELECT table_name, COUNT(*) AS n FROM loads WHERE status = 'QUEUED' AND table_name IS NOT NULL"
                        + " GROUP BY table_name")
                .query(rs -> {
                    counts.put(rs.getString("table_name"), rs.getLong("n"));
                });
        return counts;
    }

    /** Extends the lease of a load this worker holds; false when it no longer holds it. */
    boolean renew(UUID id, String worker, Duration lease) {
        return jdbc.sql("UPDATE loads SET lease_until = :lease"
                                + " WHERE id = :id AND claimed_by = :worker AND status = 'LOADING'")
                        .param("lease", timestamp(LoadRows.now().plus(lease)))
                        .param("id", id)
                        .param("worker", worker)
                        .update()
                == 1;
    }

    /**
     * Whether this worker still holds every one of {@code ids} for at least half a {@code lease} more: the warehouse's
     * commit fence. A load another worker took over (this worker's lease ran out) has another {@code claimed_by}; one
     * put back in the queue or finished is no longer {@code LOADING}. No other worker can claim a load before its
     * {@code lease_until}, so a commit that follows a yes is the holder's.
     *
     * <p>A read while the leases have half a lease left (the renewer extends them every third of one), which writes
     * nothing — on H2 a write would cost a commit to the file for every load. When some lease runs shorter (renewals
     * failed; the worker was paused), the leases are renewed for a whole {@code lease}, provided the worker still holds
     * every load.
     */
    boolean hold(Collection<UUID> ids, String worker, Duration lease) {
        Instant now = LoadRows.now();
        Long held = jdbc.sql("SELECT COUNT(*) FROM loads WHERE id IN (:ids) AND claimed_by = :worker"
                        + " AND status = 'LOADING' AND lease_until >= :until")
                .param("ids", ids)
                .param("worker", worker)
                .param("until", timestamp(now.plus(lease.dividedBy(2))))
                .query(Long.class)
                .single();
        if (held == ids.size()) {
            return true;
        }
        return jdbc.sql("UPDATE loads SET lease_until = :lease"
                                + " WHERE id IN (:ids) AND claimed_by = :worker AND status = 'LOADING'")
                        .param("lease", timestamp(now.plus(lease)))
                        .param("ids", ids)
                        .param("worker", worker)
                        .update()
                == ids.size();
    }

    /** Records that try number {@code attempts} starts (and renews the lease); false when the claim is lost. */
    boolean recordAttempt(UUID id, String worker, int attempts, Duration lease) {
        return jdbc.sql("UPDATE loads SET attempts = :attempts, lease_until = :lease"
                                + " WHERE id = :id AND claimed_by = :worker AND status = 'LOADING'")
                        .param("attempts", attempts)
                        .param("lease", timestamp(LoadRows.now().plus(lease)))
                        .param("id", id)
                        .param("worker", worker)
                        .update()
                == 1;
    }

    /** Records the final outcome of a load this worker holds; false when it no longer holds it. */
    boolean complete(UUID id, String worker, Outcome outcome) {
        if (!outcome.status().isFinal()) {
            throw new IllegalArgumentException("not a final status: " + outcome.status());
        }
        return jdbc.sql("UPDATE loads SET status = :status, attempts = :attempts, rows_parsed = :rowsParsed,"
                                + " rows_loaded = :rowsLoaded, bytes_loaded = :bytes, reason = :reason, error = :error,"
                                + " error_line = :errorLine, error_column = :errorColumn,"
                                + " etag = COALESCE(etag, :etag), finished_at = :now, claimed_by = NULL,"
                                + " lease_until = NULL WHERE id = :id AND claimed_by = :worker AND status = 'LOADING'")
                        .param("status", outcome.status().name())
                        .param("attempts", outcome.attempts())
                        .param("rowsParsed", outcome.rowsParsed())
                        .param("rowsLoaded", outcome.rowsLoaded())
                        .param("bytes", outcome.bytes())
                        .param("reason", truncate(outcome.reason(), MAX_REASON))
                        .param("error", truncate(outcome.error(), MAX_ERROR))
                        .param("errorLine", outcome.errorLine())
                        .param("errorColumn", truncate(outcome.errorColumn(), 255))
                        .param("etag", outcome.etagRead())
                        .param("now", timestamp(LoadRows.now()))
                        .param("id", id)
                        .param("worker", worker)
                        .update()
                == 1;
    }

    /**
     * Records that one more try of a batch this worker holds starts (and renews its leases).
     *
     * @return how many of the batch's loads the worker still holds
     */
    int recordBatchAttempt(UUID batchId, String worker, Duration lease) {
        return jdbc.sql("UPDATE loads SET attempts = attempts + 1, lease_until = :lease"
                        + " WHERE batch_id = :batch AND claimed_by = :worker AND status = 'LOADING'")
                .param("lease", timestamp(LoadRows.now().plus(lease)))
                .param("batch", batchId)
                .param("worker", worker)
                .update();
    }

    /**
     * Records the final outcomes of loads this worker holds, in one transaction.
     *
     * @return the loads whose outcome was recorded (the others this worker no longer held)
     */
    Set<UUID> complete(String worker, Map<UUID, Outcome> outcomes) {
        Set<UUID> recorded = transaction.execute(status -> {
            Set<UUID> done = new HashSet<>();
            outcomes.forEach((id, outcome) -> {
                if (complete(id, worker, outcome)) {
                    done.add(id);
                }
            });
            return done;
        });
        return recorded == null ? Set.of() : recorded;
    }

    /**
     * Puts the loads of a batch this worker holds back in the queue, taking {@code uncounted} tries off their
     * attempts (tries that met an outage do not count).
     *
     * @return how many loads went back to the queue
     */
    int releaseBatch(UUID batchId, String worker, int uncounted) {
        return jdbc.sql("UPDATE loads SET status = 'QUEUED', claimed_by = NULL, lease_until = NULL,"
                        + " attempts = attempts - :uncounted"
                        + " WHERE batch_id = :batch AND claimed_by = :worker AND status = 'LOADING'")
                .param("uncounted", uncounted)
                .param("batch", batchId)
                .param("worker", worker)
                .update();
    }

    /** Puts a load this worker holds back in the queue (shutdown); false when it no longer holds it. */
    boolean release(UUID id, String worker) {
        return jdbc.sql("UPDATE loads SET status = 'QUEUED', claimed_by = NULL, lease_until = NULL"
                                + " WHERE id = :id AND claimed_by = :worker AND status = 'LOADING'")
                        .param("id", id)
                        .param("worker", worker)
                        .update()
                == 1;
    }

    /**
     * Puts a load this worker holds back in the queue with its attempt count set back to {@code attempts}:
     * its dependency is known down, and tries that met the outage do not count. False when it no longer holds
     * it.
     */
    boolean release(UUID id, String worker, int attempts) {
        return jdbc.sql(
                                "UPDATE loads SET status = 'QUEUED', claimed_by = NULL, lease_until = NULL,"
                                        + " attempts = :attempts WHERE id = :id AND claimed_by = :worker AND status = 'LOADING'")
                        .param("attempts", attempts)
                        .param("id", id)
                        .param("worker", worker)
                        .update()
                == 1;
    }

    /**
     * What a claim reads of a row to choose a batch. By column name: a mapper by property name first asks the
     * driver for a column {@code claimedBy}, which H2 writes to its trace file as an error on every claim.
     */
    private record Candidate(
            UUID id,
            String status,
            @Nullable String claimedBy,
            String account,
            String container,
            String blob,
            @Nullable String etag,
            long bytes,
            @Nullable String table,
            @Nullable String format,
            @Nullable String mode,
            @Nullable String staging,
            int attempts,
            Instant receivedAt) {

        static final String COLUMNS = "id, status, claimed_by, account, container, blob_name, etag, size_bytes,"
                + " table_name, file_format, load_mode, staging, attempts, received_at";

        static final RowMapper<Candidate> MAPPER = (rs, row) -> new Candidate(
                rs.getObject("id", UUID.class),
                rs.getString("status"),
                rs.getString("claimed_by"),
                rs.getString("account"),
                rs.getString("container"),
                rs.getString("blob_name"),
                rs.getString("etag"),
                rs.getLong("size_bytes"),
                rs.getString("table_name"),
                rs.getString("file_format"),
                rs.getString("load_mode"),
                rs.getString("staging"),
                rs.getInt("attempts"),
                rs.getObject("received_at", OffsetDateTime.class).toInstant());

        /**
         * Whether the load may share a statement: queued, never tried, its version known and its plan complete.
         * Loads tried before run alone, so a file that brings its worker down (out of memory, a crash) takes no
         * other file's tries with it more than once.
         */
        boolean batchable() {
            return "QUEUED".equals(status)
                    && attempts == 0
                    && etag != null
                    && table != null
                    && format != null
                    && mode != null
                    && staging != null;
        }

        /** What loads of one batch share: one container, one target. */
        List<Object> group() {
            return Arrays.asList(account, container, table, format, mode, staging);
        }
    }

    private static String metaData(DataSource dataSource, DatabaseMetaDataCallback<String> what) {
        try {
            String value = JdbcUtils.extractDatabaseMetaData(dataSource, what);
            return value == null ? "" : value;
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("cannot tell which database holds the load ledger", e);
        }
    }

    private static @Nullable String truncate(@Nullable String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * A claim's bounds ({@code snowhook.loads.batch}).
     *
     * @param maxFiles the most loads in one batch
     * @param maxBytes the most bytes, by the sizes the events reported; a head larger than this is claimed alone
     * @param linger how long a batch with fewer than {@code maxFiles} loads waits for more after its oldest arrived
     */
    record Batching(int maxFiles, long maxBytes, Duration linger) {

        /** One load at a time. */
        static final Batching ONE = new Batching(1, Long.MAX_VALUE, Duration.ZERO);

        static Batching of(io.snowhook.loads.LoadsProperties.Batch batch) {
            return new Batching(batch.maxFiles(), batch.maxBytes().toBytes(), batch.linger());
        }
    }

    /**
     * What one claim took.
     *
     * @param batchId the claim's id, on every row it took ({@code batch_id}); null for none
     * @param loads the loads claimed, in queue order
     */
    record Claimed(@Nullable UUID batchId, List<Load> loads) {

        static final Claimed NOTHING = new Claimed(null, List.of());

        boolean isEmpty() {
            return loads.isEmpty();
        }
    }
}
