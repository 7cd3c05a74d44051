package io.snowhook.sweep;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code sweeps} table: sweeps, the lease a replica runs one under and where its listing stands. Every
 * change a sweeper makes is conditional on holding the lease ({@code claimed_by}, status {@code RUNNING}), so
 * a sweeper that lost its lease changes nothing and stops.
 */
@Repository
class SweepStore {

    private static final String COLUMNS = "id, account, container, prefix, modified_since, requested_by,"
            + " scheduled_for, status, listed, prefix_index, continuation, attempts, claimed_by, error, created_at,"
            + " started_at, finished_at";

    /** Sweeps a replica may take: running, and not held under a lease that is still good. */
    private static final String CLAIMABLE = "status = 'RUNNING' AND (lease_until IS NULL OR lease_until < :now)";

    private final JdbcClient jdbc;

    SweepStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts a new {@code RUNNING} sweep.
     *
     * @throws org.springframework.dao.DuplicateKeyException when a sweep of the container is running, or the
     *     scheduled sweep of this interval exists already
     */
    void insert(Sweep s) {
        jdbc.sql("INSERT INTO sweeps (id, account, container, prefix, modified_since, requested_by, scheduled_for,"
                        + " status, running_key, created_at) VALUES (:id, :account, :container, :prefix,"
                        + " :modifiedSince, :requestedBy, :scheduledFor, 'RUNNING', :runningKey, :createdAt)")
                .param("id", s.id())
                .param("account", s.account())
                .param("container", s.container())
                .param("prefix", s.prefix())
                .param("modifiedSince", timestamp(s.modifiedSince()))
                .param("requestedBy", s.requestedBy())
                .param("scheduledFor", timestamp(s.scheduledFor()))
                .param("runningKey", runningKey(s.account(), s.container()))
                .param("createdAt", timestamp(s.createdAt()))
                .update();
    }

    Optional<Sweep> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sweeps WHERE id = :id")
                .param("id", id)
                .query(SweepStore::map)
                .optional();
    }

    Optional<Sweep> running(String account, String container) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sweeps WHERE running_key = :key")
                .param("key", runningKey(account, container))
                .query(SweepStore::map)
                .optional();
    }

    /** Newest first. */
    List<Sweep> page(int page, int size) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sweeps ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
                .param("limit", size)
                .param("offset", (long) page * size)
                .query(SweepStore::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM sweeps").query(Long.class).single();
    }

    /**
     * Takes the oldest claimable sweep for {@code sweeper} until {@code now + lease}. Each take is one
     * conditional {@code UPDATE}: of two replicas racing for a sweep exactly one changes the row (PostgreSQL
     * re-checks the condition on the row the first one committed).
     */
    Optional<Sweep> claim(String sweeper, Duration lease) {
        Instant now = now();
        List<UUID> candidates = jdbc.sql(
                        "SELECT id FROM sweeps WHERE " + CLAIMABLE + " ORDER BY created_at, id LIMIT 8")
                .param("now", timestamp(now))
                .query(UUID.class)
                .list();
        for (UUID id : candidates) {
            int taken = jdbc.sql("UPDATE sweeps SET claimed_by = :sweeper, lease_until = :lease,"
                            + " attempts = attempts + 1, started_at = COALESCE(started_at, :now)"
                            + " WHERE id = :id AND " + CLAIMABLE)
                    .param("sweeper", sweeper)
                    .param("lease", timestamp(now.plus(lease)))
                    .param("now", timestamp(now))
                    .param("id", id)
                    .update();
            if (taken == 1) {
                return find(id);
            }
        }
        return Optional.empty();
    }

    /**
     * Saves the sweep's place after a page was compared (and renews the lease).
     *
     * @return false when {@code sweeper} no longer holds the sweep
     */
    boolean checkpoint(
            UUID id, String sweeper, long listedMore, int prefixIndex, @Nullable String continuation, Duration lease) {
        return jdbc.sql("UPDATE sweeps SET listed = listed + :listed, prefix_index = :prefixIndex,"
                                + " continuation = :continuation, lease_until = :lease"
                                + " WHERE id = :id AND claimed_by = :sweeper AND status = 'RUNNING'")
                        .param("listed", listedMore)
                        .param("prefixIndex", prefixIndex)
                        .param("continuation", continuation)
                        .param("lease", timestamp(now().plus(lease)))
                        .param("id", id)
                        .param("sweeper", sweeper)
                        .update()
                == 1;
    }

    /** @return false when {@code sweeper} no longer holds the sweep */
    boolean renew(UUID id, String sweeper, Duration lease) {
        return jdbc.sql("UPDATE sweeps SET lease_until = :lease"
                                + " WHERE id = :id AND claimed_by = :sweeper AND status = 'RUNNING'")
                        .param("lease", timestamp(now().plus(lease)))
                        .param("id", id)
                        .param("sweeper", sweeper)
                        .update()
                == 1;
    }

    /** Ends the sweep {@code FINISHED} or {@code FAILED}; another sweep of the container may start after. */
    boolean finish(UUID id, String sweeper, SweepStatus status, @Nullable String error) {
        return jdbc.sql("UPDATE sweeps SET status = :status, error = :error, running_key = NULL, lease_until = NULL,"
                                + " finished_at = :now WHERE id = :id AND claimed_by = :sweeper AND status = 'RUNNING'")
                        .param("status", status.name())
                        .param("error", error == null ? null : abbreviate(error, 2000))
                        .param("now", timestamp(now()))
                        .param("id", id)
                        .param("sweeper", sweeper)
                        .update()
                == 1;
    }

    /** Gives a sweep up without ending it (shutdown): any replica may resume it at once. */
    void release(UUID id, String sweeper) {
        jdbc.sql("UPDATE sweeps SET lease_until = NULL WHERE id = :id AND claimed_by = :sweeper AND status = 'RUNNING'")
                .param("id", id)
                .param("sweeper", sweeper)
                .update();
    }

    /** When the service first started against this ledger (V3__create_sweeps.sql). */
    Instant firstStart() {
        return jdbc.sql("SELECT first_started_at FROM sweep_epoch WHERE id = 1")
                .query((rs, n) -> rs.getObject(1, OffsetDateTime.class).toInstant())
                .single();
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static String runningKey(String account, String container) {
        return account.toLowerCase(Locale.ROOT) + "/" + container;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static Sweep map(ResultSet rs, int rowNum) throws SQLException {
        Instant created = instant(rs, "created_at");
        return new Sweep(
                rs.getObject("id", UUID.class),
                rs.getString("account"),
                rs.getString("container"),
                rs.getString("prefix"),
                instant(rs, "modified_since"),
                rs.getString("requested_by"),
                instant(rs, "scheduled_for"),
                SweepStatus.valueOf(rs.getString("status")),
                rs.getLong("listed"),
                rs.getInt("prefix_index"),
                rs.getString("continuation"),
                rs.getInt("attempts"),
                rs.getString("claimed_by"),
                rs.getString("error"),
                created == null ? Instant.EPOCH : created,
                instant(rs, "started_at"),
                instant(rs, "finished_at"));
    }
}
