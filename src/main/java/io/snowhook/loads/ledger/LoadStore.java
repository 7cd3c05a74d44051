package io.snowhook.loads.ledger;

import io.snowhook.blob.BlobId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * The load ledger's records and queries over the {@code loads} table (H2 or PostgreSQL). Claiming and
 * recording outcomes belong to the worker; this class keeps to records and queries. Every statement runs
 * on its own (auto-commit) unless a caller's transaction is active.
 */
@Repository
class LoadStore {

    private static final String COLUMNS = LoadRows.COLUMNS;

    private static final RowMapper<Load> LOAD_MAPPER = LoadRows.MAPPER;

    private static final String INSERT_COLUMNS = COLUMNS + ", version_key, event_type, api, content_type, sweep_id";

    /** In the order of {@link #INSERT_COLUMNS}; a new load has no batch yet ({@code batch_id}). */
    private static final String VALUES = ":id, :eventId, :status, :account, :container, :blob, :etag, :sequencer,"
            + " :size, :routePrefix, :table, :format, :mode, :staging, :attempts, :rowsParsed, :rowsLoaded, :bytes,"
            + " :reason, :error, :errorLine, :errorColumn, :reingestOf, :eventTime, :receivedAt, :startedAt,"
            + " :finishedAt, :origin, NULL, :versionKey, :eventType, :api, :contentType, :sweepId";

    /** Why a load was superseded, from the newer version's row {@code n}. */
    private static final String SUPERSEDED_BY =
            "'a newer version of the blob is known: eTag ' || COALESCE(n.etag, 'null')"
                    + " || ', sequencer ' || n.sequencer || ' (load ' || CAST(n.id AS VARCHAR(36)) || ')'";

    /** The newest version of the blob {@code :account/:container/:blob}: a subquery of {@code %s} of it. */
    private static final String NEWEST_VERSION =
            "(SELECT %s FROM loads n WHERE n.account = :account AND n.container = :container AND n.blob_name = :blob"
                    + " AND n.status <> 'SKIPPED' AND n.sequencer IS NOT NULL ORDER BY n.sequencer DESC LIMIT 1)";

    /**
     * How precise a swept version's time is: a listing's {@code Last-Modified} is to the second (RFC 1123), an
     * event's time is not. A swept version stamped {@code T} was written in {@code [T, T + 1 s)}, so only an
     * evented version at least a second later is known to be newer; within that second the swept version is queued
     * and its conditional read (If-Match) tells whether it is still the blob's current one.
     */
    private static final String LISTING_PRECISION = "INTERVAL '1' SECOND";

    /** The bit of a record statement's key that says it returns the recorded row itself. */
    private static final int RETURNING = 16;

    /** Supersedes the still-queued versions of one blob older than its newest known version. */
    private static final String SUPERSEDE_OLDER_VERSIONS =
            "UPDATE loads SET status = 'SUPERSEDED', finished_at = :now, reason = "
                    + NEWEST_VERSION.formatted(SUPERSEDED_BY)
                    + " WHERE account = :account AND container = :container AND blob_name = :blob AND status = 'QUEUED'"
                    + " AND ((sequencer IS NOT NULL AND sequencer < " + NEWEST_VERSION.formatted("n.sequencer") + ")"
                    + " OR (origin = 'SWEEP' AND sequencer IS NULL AND event_time + " + LISTING_PRECISION + " <= "
                    + NEWEST_VERSION.formatted("n.event_time") + "))";

    private final JdbcClient jdbc;
    private final boolean postgres;
    /** Record statements by {@link #shape} and {@link #RETURNING}. */
    private final Map<Integer, String> recordStatements = new ConcurrentHashMap<>();

    private final NamedParameterJdbcTemplate named;

    LoadStore(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.postgres = LoadRows.isPostgres(dataSource);
        this.named = new NamedParameterJdbcTemplate(dataSource);
    }

    /** Whether the ledger is PostgreSQL (else H2). */
    boolean postgres() {
        return postgres;
    }

    /** A load to insert, with the columns the {@link Load} record does not carry. */
    record NewLoad(
            Load load,
            @Nullable String versionKey,
            @Nullable String eventType,
            @Nullable String api,
            @Nullable String contentType,
            @Nullable UUID sweepId) {

        /** A load an operator queued: no event, no sweep. */
        static NewLoad queued(Load load) {
            return new NewLoad(load, null, null, null, null, null);
        }
    }

    /**
     * Inserts one load (committed on return when no transaction is active), exactly as given.
     *
     * @throws org.springframework.dao.DuplicateKeyException when its event id or version key is taken
     */
    void insert(NewLoad row) {
        Load l = row.load();
        jdbc.sql("INSERT INTO loads (" + INSERT_COLUMNS + ") VALUES (" + VALUES + ")")
                .params(values(row))
                .param("status", l.status().name())
                .param("reason", l.reason())
                .param("finishedAt", LoadRows.timestamp(l.finishedAt()))
                .update();
    }

    /** How {@link #record} settled a load: its status and reason, as inserted. */
    record Recorded(LoadStatus status, @Nullable String reason) {}

    /**
     * Records an incoming blob's load in one statement, unless its event id or version key is recorded
     * already (then nothing is written: the unique constraints decide, so concurrent deliveries of one event
     * or one version give one load). A routed load is {@code SUPERSEDED} when a newer version of the blob is
     * known — by sequencer; for a swept version without one, when the newest version's event came after the
     * swept version was last modified — else {@code QUEUED}; the database decides, in the same statement.
     *
     * @param row a load whose status is {@code QUEUED} (routed) or {@code SKIPPED} (recorded as given)
     * @return how the load was recorded, or empty when the event or version was recorded before
     */
    Optional<Recorded> record(NewLoad row) {
        JdbcClient.StatementSpec statement =
                jdbc.sql(recordStatement(row, true)).params(recordValues(row));
        try {
            return statement
                    .query((rs, n) -> new Recorded(LoadStatus.valueOf(rs.getString("status")), rs.getString("reason")))
                    .optional();
        } catch (DuplicateKeyException raced) {
            // H2: another transaction inserted the same event or version after this statement's check
            return Optional.empty();
        }
    }

    /**
     * Records the rows as {@link #record} does each, inside the caller's transaction: on H2 (in the process) one
     * statement each, on PostgreSQL one batch per shape of row (one round trip: the driver pipelines a batch, the
     * inserted rows read back as its generated keys).
     *
     * @return how each inserted row was recorded, by load id; a row absent was recorded before (its event id or
     *     version key is taken)
     */
    Map<UUID, Recorded> recordAll(List<NewLoad> rows) {
        Map<UUID, Recorded> recorded = new HashMap<>();
        if (!postgres) {
            rows.forEach(
                    row -> record(row).ifPresent(r -> recorded.put(row.load().id(), r)));
            return recorded;
        }
        Map<Integer, List<NewLoad>> byShape = new LinkedHashMap<>();
        rows.forEach(row ->
                byShape.computeIfAbsent(shape(row), s -> new ArrayList<>()).add(row));
        byShape.values().forEach(batch -> {
            SqlParameterSource[] values = batch.stream()
                    .map(row -> new MapSqlParameterSource(recordValues(row)))
                    .toArray(SqlParameterSource[]::new);
            GeneratedKeyHolder keys = new GeneratedKeyHolder();
            named.batchUpdate(
                    recordStatement(batch.get(0), false), values, keys, new String[] {"id", "status", "reason"});
            for (Map<String, Object> key : keys.getKeyList()) {
                recorded.put((UUID) key.get("id"), new Recorded(LoadStatus.valueOf((String) key.get("status")), (String)
                        key.get("reason")));
            }
        });
        return recorded;
    }

    private static boolean isVersioned(Load l) {
        return l.status() == LoadStatus.QUEUED && (l.sequencer() != null || isSwept(l));
    }

    /** Rows of one shape are recorded by one statement (their SQL differs only by the shape). */
    private static int shape(NewLoad row) {
        Load l = row.load();
        return (isVersioned(l) ? 1 : 0)
                | (l.sequencer() != null ? 2 : 0)
                | (l.eventId() != null ? 4 : 0)
                | (row.versionKey() != null ? 8 : 0);
    }

    /** The parameters of a record statement for the row. */
    private static Map<String, @Nullable Object> recordValues(NewLoad row) {
        Load l = row.load();
        Map<String, @Nullable Object> values = values(row);
        if (isVersioned(l)) {
            values.put("now", LoadRows.timestamp(l.receivedAt()));
        } else {
            values.put("status", l.status().name());
            values.put("reason", l.reason());
            values.put("finishedAt", LoadRows.timestamp(l.finishedAt()));
        }
        return values;
    }

    /**
     * The statement of {@link #record} for a row of this shape, built once per shape (the same few over and
     * over); on PostgreSQL without its {@code RETURNING} clause when {@code returning} is false (the driver adds its
     * own for a batch's generated keys).
     */
    private String recordStatement(NewLoad row, boolean returning) {
        return recordStatements.computeIfAbsent(
                shape(row) | (returning ? RETURNING : 0), shape -> buildRecordStatement(row, returning));
    }

    private String buildRecordStatement(NewLoad row, boolean returning) {
        Load l = row.load();
        boolean versioned = isVersioned(l);
        String status;
        String reason;
        String finished;
        if (versioned) {
            String newer = newerVersion(l);
            status = "CASE WHEN EXISTS (SELECT 1 FROM loads n WHERE " + newer + ") THEN 'SUPERSEDED' ELSE 'QUEUED' END";
            reason =
                    "(SELECT " + SUPERSEDED_BY + " FROM loads n WHERE " + newer + " ORDER BY n.sequencer DESC LIMIT 1)";
            finished = "CASE WHEN EXISTS (SELECT 1 FROM loads n WHERE " + newer + ") THEN :now END";
        } else {
            status = ":status";
            reason = ":reason";
            finished = ":finishedAt";
        }
        String values =
                VALUES.replace(":status", status).replace(":reason", reason).replace(":finishedAt", finished);
        if (postgres) {
            // ON CONFLICT DO NOTHING: a duplicate (or a concurrent insert of one) is no error, so the request's
            // transaction goes on without a savepoint
            return "INSERT INTO loads (" + INSERT_COLUMNS + ") VALUES (" + values + ")" + " ON CONFLICT DO NOTHING"
                    + (returning ? " RETURNING status, reason" : "");
        }
        // H2 has no ON CONFLICT outside its PostgreSQL mode: insert only when neither key is taken, and read the
        // inserted row from the same statement (a data change delta table)
        return "SELECT status, reason FROM FINAL TABLE (INSERT INTO loads (" + INSERT_COLUMNS + ") SELECT " + values
                + " FROM (VALUES (1)) one WHERE " + notRecorded(row) + ")";
    }

    /**
     * The load that records this event id or, failing that, this blob version: the one a duplicate
     * delivery maps to.
     */
    Optional<Load> findRecorded(@Nullable String eventId, @Nullable String versionKey) {
        if (eventId == null && versionKey == null) {
            return Optional.empty();
        }
        String where = eventId == null
                ? "version_key = :versionKey"
                : versionKey == null ? "event_id = :eventId" : "event_id = :eventId OR version_key = :versionKey";
        JdbcClient.StatementSpec statement = jdbc.sql("SELECT " + COLUMNS + " FROM loads WHERE " + where);
        if (eventId != null) {
            statement = statement.param("eventId", eventId);
        }
        if (versionKey != null) {
            statement = statement.param("versionKey", versionKey);
        }
        return statement.query(LOAD_MAPPER).list().stream()
                .min(Comparator.comparing(load -> !Objects.equals(load.eventId(), eventId)));
    }

    /** A superseded load: its id, its blob ({@code account/container/name}) and why. */
    record Superseded(UUID id, String blob, String reason) {}

    /**
     * In one statement, supersedes every still-queued version of the blob older than the newest version
     * known — by sequencer, or (a swept version, which a listing gives without a sequencer) when the newest
     * version's event came after it was last modified. Runs after the versions' transaction committed, so of
     * two versions recorded concurrently by two requests the later pass sees both. A load a worker claimed
     * meanwhile is left alone: its conditional read fails when the blob changed.
     *
     * @return the loads it superseded
     */
    List<Superseded> supersedeOlderVersions(String account, String container, String blob, Instant now) {
        String sql = postgres
                ? SUPERSEDE_OLDER_VERSIONS + " RETURNING id, reason"
                : "SELECT id, reason FROM FINAL TABLE (" + SUPERSEDE_OLDER_VERSIONS + ")";
        return jdbc.sql(sql)
                .param("account", account)
                .param("container", container)
                .param("blob", blob)
                .param("now", LoadRows.timestamp(now))
                .query((rs, n) -> new Superseded(
                        rs.getObject("id", UUID.class), account + "/" + container + "/" + blob, rs.getString("reason")))
                .list();
    }

    /**
     * {@link #supersedeOlderVersions} for each blob, inside the caller's transaction: on H2 one statement each, on
     * PostgreSQL one batch (one round trip).
     */
    List<Superseded> supersedeOlderVersions(Collection<BlobId> blobs, Instant now) {
        if (!postgres) {
            return blobs.stream()
                    .flatMap(b -> supersedeOlderVersions(b.account(), b.container(), b.name(), now).stream())
                    .toList();
        }
        SqlParameterSource[] values = blobs.stream()
                .map(b -> new MapSqlParameterSource()
                        .addValue("account", b.account())
                        .addValue("container", b.container())
                        .addValue("blob", b.name())
                        .addValue("now", LoadRows.timestamp(now)))
                .toArray(SqlParameterSource[]::new);
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        named.batchUpdate(SUPERSEDE_OLDER_VERSIONS, values, keys, new String[] {
            "id", "account", "container", "blob_name", "reason"
        });
        return keys.getKeyList().stream()
                .map(key -> new Superseded(
                        (UUID) key.get("id"),
                        key.get("account") + "/" + key.get("container") + "/" + key.get("blob_name"),
                        (String) key.get("reason")))
                .toList();
    }

    private static boolean isSwept(Load l) {
        return l.origin() == LoadOrigin.SWEEP && l.sequencer() == null && l.eventTime() != null;
    }

    /** The condition on a row {@code n} of being a newer version of the load's blob than the load. */
    private static String newerVersion(Load l) {
        String sameBlob = "n.account = :account AND n.container = :container AND n.blob_name = :blob"
                + " AND n.status <> 'SKIPPED' AND n.sequencer IS NOT NULL";
        if (l.sequencer() != null) {
            return sameBlob + " AND n.sequencer > :sequencer";
        }
        // a swept version orders against the newest evented one by time only, and to the listing's second
        return sameBlob + " AND n.event_time - " + LISTING_PRECISION + " >= :eventTime"
                + " AND n.sequencer = (SELECT MAX(m.sequencer) FROM loads m"
                + " WHERE m.account = :account AND m.container = :container AND m.blob_name = :blob"
                + " AND m.status <> 'SKIPPED')";
    }

    private static String notRecorded(NewLoad row) {
        String condition = "1 = 1";
        if (row.load().eventId() != null) {
            condition += " AND NOT EXISTS (SELECT 1 FROM loads d WHERE d.event_id = :eventId)";
        }
        if (row.versionKey() != null) {
            condition += " AND NOT EXISTS (SELECT 1 FROM loads d WHERE d.version_key = :versionKey)";
        }
        return condition;
    }

    private static Map<String, @Nullable Object> values(NewLoad row) {
        Load l = row.load();
        Map<String, @Nullable Object> values = new HashMap<>();
        values.put("id", l.id());
        values.put("eventId", l.eventId());
        values.put("account", l.account());
        values.put("container", l.container());
        values.put("blob", l.blob());
        values.put("etag", l.etag());
        values.put("sequencer", l.sequencer());
        values.put("size", l.size());
        values.put("routePrefix", l.routePrefix());
        values.put("table", l.table());
        values.put("format", name(l.format()));
        values.put("mode", name(l.mode()));
        values.put("attempts", l.attempts());
        values.put("rowsParsed", l.rowsParsed());
        values.put("rowsLoaded", l.rowsLoaded());
        values.put("bytes", l.bytes());
        values.put("error", l.error());
        values.put("errorLine", l.errorLine());
        values.put("errorColumn", l.errorColumn());
        values.put("reingestOf", l.reingestOf());
        values.put("eventTime", LoadRows.timestamp(l.eventTime()));
        values.put("receivedAt", LoadRows.timestamp(l.receivedAt()));
        values.put("startedAt", LoadRows.timestamp(l.startedAt()));
        values.put("versionKey", row.versionKey());
        values.put("eventType", row.eventType());
        values.put("api", row.api());
        values.put("contentType", row.contentType());
        values.put("staging", name(l.staging()));
        values.put("origin", l.origin().name());
        values.put("sweepId", row.sweepId());
        return values;
    }

    /** Reads one load by id; the worker reuses this to re-read a load it works on. */
    Optional<Load> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM loads WHERE id = :id")
                .param("id", id)
                .query(LOAD_MAPPER)
                .optional();
    }

    Optional<Load> findByEventId(String eventId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM loads WHERE event_id = :eventId")
                .param("eventId", eventId)
                .query(LOAD_MAPPER)
                .optional();
    }

    Optional<Load> findByVersionKey(String versionKey) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM loads WHERE version_key = :versionKey")
                .param("versionKey", versionKey)
                .query(LOAD_MAPPER)
                .optional();
    }

    /** Every load of one blob (all versions, re-ingestions and skipped events), newest first. */
    List<Load> findByBlob(String account, String container, String blob) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM loads"
                        + " WHERE account = :account AND container = :container AND blob_name = :blob"
                        + " ORDER BY received_at DESC, id")
                .param("account", account)
                .param("container", container)
                .param("blob", blob)
                .query(LOAD_MAPPER)
                .list();
    }

    /**
     * Marks a load {@code SUPERSEDED} if it is still {@code QUEUED} (a worker may have claimed it meanwhile:
     * then it is left alone).
     *
     * @return whether the load was superseded
     */
    boolean supersedeIfQueued(UUID id, String reason, Instant now) {
        return jdbc.sql("UPDATE loads SET status = :superseded, reason = :reason, finished_at = :now"
                                + " WHERE id = :id AND status = :queued")
                        .param("superseded", LoadStatus.SUPERSEDED.name())
                        .param("reason", reason)
                        .param("now", LoadRows.timestamp(now))
                        .param("id", id)
                        .param("queued", LoadStatus.QUEUED.name())
                        .update()
                > 0;
    }

    /** One page of loads matching the filters (each optional), newest first. */
    LoadPage find(
            @Nullable LoadStatus status,
            @Nullable String table,
            @Nullable String blobPrefix,
            @Nullable Instant since,
            int page,
            int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (status != null) {
            where.append(" AND status = :status");
            params.put("status", status.name());
        }
        if (table != null) {
            where.append(" AND UPPER(table_name) = UPPER(:table)");
            params.put("table", table);
        }
        if (blobPrefix != null) {
            where.append(" AND blob_name LIKE :blobPrefix ESCAPE '!'");
            params.put("blobPrefix", likePrefix(blobPrefix));
        }
        if (since != null) {
            where.append(" AND received_at >= :since");
            params.put("since", LoadRows.timestamp(since));
        }
        long total = jdbc.sql("SELECT COUNT(*) FROM loads" + where)
                .params(params)
                .query(Long.class)
                .single();
        params.put("limit", size);
        params.put("offset", (long) page * size);
        List<Load> loads = jdbc.sql("SELECT " + COLUMNS + " FROM loads" + where
                        + " ORDER BY received_at DESC, id LIMIT :limit OFFSET :offset")
                .params(params)
                .query(LOAD_MAPPER)
                .list();
        return new LoadPage(loads, page, size, total);
    }

    /** Counts loads by target table (null for loads without one, e.g. skipped) and status. */
    List<LoadCount> countByTableAndStatus() {
        return jdbc.sql("SELECT table_name, status, COUNT(*) AS n FROM loads GROUP BY table_name, status")
                .query((rs, n) -> new LoadCount(
                        rs.getString("table_name"), LoadStatus.valueOf(rs.getString("status")), rs.getLong("n")))
                .list();
    }

    /** The failed loads of one table received at or after {@code since}, oldest first, at most {@code limit}. */
    List<Load> findFailed(String table, Instant since, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM loads WHERE UPPER(table_name) = UPPER(:table) AND status = :failed"
                        + " AND received_at >= :since ORDER BY received_at, id LIMIT :limit")
                .param("table", table)
                .param("failed", LoadStatus.FAILED.name())
                .param("since", LoadRows.timestamp(since))
                .param("limit", limit)
                .query(LOAD_MAPPER)
                .list();
    }

    /**
     * One load that finished {@code LOADED} or {@code FAILED} at or after {@code since}: when it finished, and
     * when the work was asked for (the event's time for an event, the request for an operator's load).
     */
    record Finished(LoadStatus status, Instant asked, Instant finished) {}

    /** Loads finished since {@code since}, from the (status, finished_at) index. */
    List<Finished> finishedSince(Instant since) {
        return jdbc.sql("SELECT status, event_id, event_time, received_at, finished_at FROM loads"
                        + " WHERE status IN (:statuses) AND finished_at >= :since")
                .param("statuses", List.of(LoadStatus.LOADED.name(), LoadStatus.FAILED.name()))
                .param("since", LoadRows.timestamp(since))
                .query((rs, n) -> {
                    Instant received = LoadRows.instant(rs, "received_at");
                    Instant eventTime = LoadRows.instant(rs, "event_time");
                    Instant asked = rs.getString("event_id") != null && eventTime != null ? eventTime : received;
                    return new Finished(
                            LoadStatus.valueOf(rs.getString("status")),
                            asked == null ? Instant.EPOCH : asked,
                            Objects.requireNonNull(LoadRows.instant(rs, "finished_at")));
                })
                .list();
    }

    /** Counts loads in the given states, from the (status, received_at) index: cheap enough for a metrics gauge. */
    Map<LoadStatus, Long> countByStatus(Collection<LoadStatus> statuses) {
        Map<LoadStatus, Long> counts = new EnumMap<>(LoadStatus.class);
        statuses.forEach(s -> counts.put(s, 0L));
        jdbc.sql("SELECT status, COUNT(*) AS n FROM loads WHERE status IN (:statuses) GROUP BY status")
                .param("statuses", statuses.stream().map(Enum::name).toList())
                .query((rs, n) -> counts.put(LoadStatus.valueOf(rs.getString("status")), rs.getLong("n")))
                .list();
        return counts;
    }

    /**
     * The versions of the named blobs that have a load other than {@code SKIPPED}, from any origin — one
     * statement for a whole page of names, on the (account, container, blob_name) index.
     */
    List<KnownVersion> knownVersions(String account, String container, Collection<String> blobs) {
        if (blobs.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT blob_name, etag, status FROM loads WHERE account = :account AND container = :container"
                        + " AND blob_name IN (:blobs) AND status <> 'SKIPPED'")
                .param("account", account)
                .param("container", container)
                .param("blobs", blobs)
                .query((rs, n) -> new KnownVersion(
                        rs.getString("blob_name"), rs.getString("etag"), LoadStatus.valueOf(rs.getString("status"))))
                .list();
    }

    /** Counts the loads each of the given sweeps queued, by status. */
    Map<UUID, Map<LoadStatus, Long>> countBySweep(Collection<UUID> sweeps) {
        Map<UUID, Map<LoadStatus, Long>> counts = new HashMap<>();
        if (sweeps.isEmpty()) {
            return counts;
        }
        jdbc.sql(
                        "SELECT sweep_id, status, COUNT(*) AS n FROM loads WHERE sweep_id IN (:sweeps) GROUP BY sweep_id, status")
                .param("sweeps", sweeps)
                .query((rs, n) -> counts.computeIfAbsent(
                                rs.getObject("sweep_id", UUID.class), id -> new EnumMap<>(LoadStatus.class))
                        .put(LoadStatus.valueOf(rs.getString("status")), rs.getLong("n")))
                .list();
        return counts;
    }

    private static @Nullable String name(@Nullable Enum<?> value) {
        return value == null ? null : value.name();
    }

    private static String likePrefix(String prefix) {
        return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }
}
