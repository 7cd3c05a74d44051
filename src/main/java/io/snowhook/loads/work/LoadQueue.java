package io.snowhook.loads.work;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadRows;
import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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

    private static final int MAX_ERROR = 4000;
    private static final int MAX_REASON = 2000;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final boolean skipLocked;
    private final boolean exclusive;

    LoadQueue(JdbcClient jdbc, DataSource dataSource, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        String product = metaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        this.skipLocked = product.toLowerCase(Locale.ROOT).contains("postgres");
        this.exclusive = isExclusive(product, metaData(dataSource, DatabaseMetaData::getURL));
    }

    /**
     * Whether only this process can use the ledger: an H2 database file opened without {@code AUTO_SERVER}
     * (the embedded default). PostgreSQL, H2 servers and in-memory databases may be shared.
     */
    static boolean isExclusive(String product, String url) {
        String u = url.toLowerCase(Locale.ROOT);
        return product.equalsIgnoreCase("H2")
                && !u.startsWith("jdbc:h2:mem:")
                && !u.startsWith("jdbc:h2:tcp:")
                && !u.startsWith("jdbc:h2:ssl:")
                && !u.contains("auto_server=true");
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
     * Claims the oldest claimable load for {@code worker}, holding it until {@code now + lease}.
     *
     * @return the claimed load (status {@code LOADING}), or empty when there is no work
     */
    Optional<Load> claim(String worker, Duration lease) {
        return claim(worker, lease, Set.of());
    }

    /**
     * Claims the oldest claimable load of a storage account not in {@code skipAccounts} (lower case: the
     * accounts known down, whose loads wait in the queue).
     */
    Optional<Load> claim(String worker, Duration lease, Set<String> skipAccounts) {
        Instant now = LoadRows.now();
        String where = CLAIMABLE + (skipAccounts.isEmpty() ? "" : " AND account NOT IN (:skip)");
        Optional<UUID> claimed = skipLocked
                ? claimSkippingLocked(worker, now, lease, where, skipAccounts)
                : claimConditionally(worker, now, lease, where, skipAccounts);
        return claimed.flatMap(this::read);
    }

    /**
     * PostgreSQL: lock one claimable row, skipping rows other workers hold locked, then take it — replicas
     * never wait on each other nor claim the same row.
     */
    private Optional<UUID> claimSkippingLocked(
            String worker, Instant now, Duration lease, String where, Set<String> skip) {
        return transaction.execute(status -> {
            Optional<Candidate> candidate = skipping(
                            jdbc.sql("SELECT id, status, claimed_by FROM loads WHERE " + where
                                    + " ORDER BY received_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"),
                            skip)
                    .param("now", timestamp(now))
                    .query(Candidate.MAPPER)
                    .optional();
            candidate.ifPresent(c -> take(c, worker, now, lease, false));
            return candidate.map(Candidate::id);
        });
    }

    /**
     * H2 (one process): an {@code UPDATE} that only succeeds while the row is still claimable; of two
     * workers racing for a row exactly one updates it.
     */
    private Optional<UUID> claimConditionally(
            String worker, Instant now, Duration lease, String where, Set<String> skip) {
        List<Candidate> candidates = skipping(
                        jdbc.sql("SELECT id, status, claimed_by FROM loads WHERE " + where
                                + " ORDER BY received_at, id LIMIT 16"),
                        skip)
                .param("now", timestamp(now))
                .query(Candidate.MAPPER)
                .list();
        return candidates.stream()
                .filter(c -> take(c, worker, now, lease, true))
                .findFirst()
                .map(Candidate::id);
    }

    private static JdbcClient.StatementSpec skipping(JdbcClient.StatementSpec statement, Set<String> skip) {
        return skip.isEmpty() ? statement : statement.param("skip", List.copyOf(skip));
    }

    private boolean take(Candidate candidate, String worker, Instant now, Duration lease, boolean conditional) {
        boolean taken = jdbc.sql("UPDATE loads SET status = 'LOADING', claimed_by = :worker, lease_until = :lease,"
                                + " started_at = :now WHERE id = :id" + (conditional ? " AND " + CLAIMABLE : ""))
                        .param("worker", worker)
                        .param("lease", timestamp(now.plus(lease)))
                        .param("now", timestamp(now))
                        .param("id", candidate.id())
                        .update()
                == 1;
        if (taken && "LOADING".equals(candidate.status())) {
            log.warn(
                    "load {} reclaimed by {}: the lease of {} expired (worker gone?)",
                    candidate.id(),
                    worker,
                    candidate.claimedBy());
        }
        return taken;
    }

    /** The claimed load, with its plan, as the ledger row holds it. */
    private Optional<Load> read(UUID id) {
        return jdbc.sql("SELECT " + LoadRows.COLUMNS + " FROM loads WHERE id = :id")
                .param("id", id)
                .query(LoadRows.MAPPER)
                .optional();
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

    private record Candidate(
            UUID id, String status, @Nullable String claimedBy) {

        /**
         * By column name: a mapper by property name first asks the driver for a column {@code claimedBy},
         * which H2 writes to its trace file as an error on every claim.
         */
        static final RowMapper<Candidate> MAPPER = (rs, row) ->
                new Candidate(rs.getObject("id", UUID.class), rs.getString("status"), rs.getString("claimed_by"));
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
}
