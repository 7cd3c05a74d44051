package io.snowhook.loads;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The load ledger's records and queries over the {@code loads} table (H2 or PostgreSQL). Claiming and
 * recording outcomes belong to the worker; this class keeps to records and queries. Every statement runs
 * on its own (auto-commit) unless a caller's transaction is active.
 */
@Repository
class LoadStore {

    static final String COLUMNS = "id, event_id, status, account, container, blob_name, etag, sequencer, size_bytes,"
            + " route_prefix, table_name, file_format, load_mode, attempts, rows_parsed, rows_loaded, bytes_loaded,"
            + " reason, error, error_line, error_column, reingest_of, event_time, received_at, started_at, finished_at, origin";

    static final RowMapper<Load> LOAD_MAPPER = LoadStore::mapLoad;

    private final JdbcClient jdbc;

    LoadStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A load to insert, with the columns the {@link Load} record does not carry. */
    record NewLoad(
            Load load,
            @Nullable String versionKey,
            @Nullable String eventType,
            @Nullable String api,
            @Nullable String contentType,
            @Nullable Staging staging,
            @Nullable UUID sweepId) {

        /** A load no sweep queued. */
        NewLoad(
                Load load,
                @Nullable String versionKey,
                @Nullable String eventType,
                @Nullable String api,
                @Nullable String contentType,
                @Nullable Staging staging) {
            this(load, versionKey, eventType, api, contentType, staging, null);
        }
    }

    /**
     * Inserts one load (committed on return when no transaction is active).
     *
     * @throws org.springframework.dao.DuplicateKeyException when its event id or version key is taken
     */
    void insert(NewLoad row) {
        Load l = row.load();
        jdbc.sql("INSERT INTO loads (" + COLUMNS + ", version_key, event_type, api, content_type, staging, sweep_id)"
                        + " VALUES (:id, :eventId, :status, :account, :container, :blob, :etag, :sequencer, :size,"
                        + " :routePrefix, :table, :format, :mode, :attempts, :rowsParsed, :rowsLoaded, :bytes,"
                        + " :reason, :error, :errorLine, :errorColumn, :reingestOf, :eventTime, :receivedAt,"
                        + " :startedAt, :finishedAt, :origin, :versionKey, :eventType, :api, :contentType, :staging,"
                        + " :sweepId)")
                .param("id", l.id())
                .param("eventId", l.eventId())
                .param("status", l.status().name())
                .param("account", l.account())
                .param("container", l.container())
                .param("blob", l.blob())
                .param("etag", l.etag())
                .param("sequencer", l.sequencer())
                .param("size", l.size())
                .param("routePrefix", l.routePrefix())
                .param("table", l.table())
                .param("format", name(l.format()))
                .param("mode", name(l.mode()))
                .param("attempts", l.attempts())
                .param("rowsParsed", l.rowsParsed())
                .param("rowsLoaded", l.rowsLoaded())
                .param("bytes", l.bytes())
                .param("reason", l.reason())
                .param("error", l.error())
                .param("errorLine", l.errorLine())
                .param("errorColumn", l.errorColumn())
                .param("reingestOf", l.reingestOf())
                .param("eventTime", timestamp(l.eventTime()))
                .param("receivedAt", timestamp(l.receivedAt()))
                .param("startedAt", timestamp(l.startedAt()))
                .param("finishedAt", timestamp(l.finishedAt()))
                .param("versionKey", row.versionKey())
                .param("eventType", row.eventType())
                .param("api", row.api())
                .param("contentType", row.contentType())
                .param("staging", name(row.staging()))
                .param("origin", l.origin().name())
                .param("sweepId", row.sweepId())
                .update();
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
                        .param("now", timestamp(now))
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
            params.put("since", timestamp(since));
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
                .param("since", timestamp(since))
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
                .param("since", timestamp(since))
                .query((rs, n) -> {
                    Instant received = instant(rs, "received_at");
                    Instant eventTime = instant(rs, "event_time");
                    Instant asked = rs.getString("event_id") != null && eventTime != null ? eventTime : received;
                    return new Finished(
                            LoadStatus.valueOf(rs.getString("status")),
                            asked == null ? Instant.EPOCH : asked,
                            Objects.requireNonNull(instant(rs, "finished_at")));
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

    /** Timestamps are stored with microsecond precision (PostgreSQL's), so values read back equal those written. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static String likePrefix(String prefix) {
        return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    private static @Nullable String name(@Nullable Enum<?> value) {
        return value == null ? null : value.name();
    }

    private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static @Nullable Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static <E extends Enum<E>> @Nullable E enumOrNull(Class<E> type, @Nullable String value) {
        return value == null ? null : Enum.valueOf(type, value);
    }

    /** Rows written before loads recorded their origin (or by a replica of that version) derive it. */
    private static LoadOrigin origin(ResultSet rs) throws SQLException {
        String origin = rs.getString("origin");
        return origin != null
                ? LoadOrigin.valueOf(origin)
                : LoadOrigin.derive(rs.getString("event_id"), rs.getObject("reingest_of", UUID.class));
    }

    private static Load mapLoad(ResultSet rs, int rowNum) throws SQLException {
        Instant receivedAt = instant(rs, "received_at");
        return new Load(
                rs.getObject("id", UUID.class),
                rs.getString("event_id"),
                LoadStatus.valueOf(rs.getString("status")),
                rs.getString("account"),
                rs.getString("container"),
                rs.getString("blob_name"),
                rs.getString("etag"),
                rs.getString("sequencer"),
                longOrNull(rs, "size_bytes"),
                rs.getString("route_prefix"),
                rs.getString("table_name"),
                enumOrNull(FileFormat.class, rs.getString("file_format")),
                enumOrNull(LoadMode.class, rs.getString("load_mode")),
                rs.getInt("attempts"),
                longOrNull(rs, "rows_parsed"),
                longOrNull(rs, "rows_loaded"),
                longOrNull(rs, "bytes_loaded"),
                rs.getString("reason"),
                rs.getString("error"),
                longOrNull(rs, "error_line"),
                rs.getString("error_column"),
                rs.getObject("reingest_of", UUID.class),
                instant(rs, "event_time"),
                receivedAt == null ? Instant.EPOCH : receivedAt,
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                origin(rs));
    }
}
