package io.snowhook.loads.ledger;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * How a {@link Load} is read from a row of the {@code loads} table: one mapping for the ledger and for the
 * work, which claims rows and reads their plan back.
 */
public final class LoadRows {

    /** The columns {@link #MAPPER} reads, for {@code SELECT}. */
    public static final String COLUMNS = "id, event_id, status, account, container, blob_name, etag, sequencer,"
            + " size_bytes, route_prefix, table_name, file_format, load_mode, staging, attempts, rows_parsed,"
            + " rows_loaded, bytes_loaded, reason, error, error_line, error_column, reingest_of, event_time,"
            + " received_at, started_at, finished_at, origin, batch_id";

    public static final RowMapper<Load> MAPPER = LoadRows::mapLoad;

    private LoadRows() {}

    /** Whether the ledger is PostgreSQL (else H2): the few statements that differ ask this. */
    public static boolean isPostgres(DataSource dataSource) {
        try {
            String product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
            return product != null && product.toLowerCase(Locale.ROOT).contains("postgres");
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("cannot tell which database holds the load ledger", e);
        }
    }

    /** Timestamps are stored with microsecond precision (PostgreSQL's), so values read back equal those written. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
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
                enumOrNull(Staging.class, rs.getString("staging")),
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
                origin(rs),
                rs.getObject("batch_id", UUID.class));
    }
}
