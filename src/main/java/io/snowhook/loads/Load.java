package io.snowhook.loads;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One row of the load ledger: one blob version (or one skipped event, or one re-ingestion).
 *
 * @param reason why it was skipped or superseded
 * @param error the first error of a failed load (for bad data: the warehouse's first error)
 * @param errorLine line of the first error, when the warehouse names one
 * @param errorColumn column of the first error, when the warehouse names one
 * @param reingestOf the load this one repeats (re-ingest and {@code POST /ingestions})
 * @param origin what put the load in the ledger
 */
public record Load(
        UUID id,
        @Nullable String eventId,
        LoadStatus status,
        String account,
        String container,
        String blob,
        @Nullable String etag,
        @Nullable String sequencer,
        @Nullable Long size,
        @Nullable String routePrefix,
        @Nullable String table,
        @Nullable FileFormat format,
        @Nullable LoadMode mode,
        int attempts,
        @Nullable Long rowsParsed,
        @Nullable Long rowsLoaded,
        @Nullable Long bytes,
        @Nullable String reason,
        @Nullable String error,
        @Nullable Long errorLine,
        @Nullable String errorColumn,
        @Nullable UUID reingestOf,
        @Nullable Instant eventTime,
        Instant receivedAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        LoadOrigin origin) {

    /** A load whose origin follows from its event id and the load it repeats ({@link LoadOrigin#derive}). */
    public Load(
            UUID id,
            @Nullable String eventId,
            LoadStatus status,
            String account,
            String container,
            String blob,
            @Nullable String etag,
            @Nullable String sequencer,
            @Nullable Long size,
            @Nullable String routePrefix,
            @Nullable String table,
            @Nullable FileFormat format,
            @Nullable LoadMode mode,
            int attempts,
            @Nullable Long rowsParsed,
            @Nullable Long rowsLoaded,
            @Nullable Long bytes,
            @Nullable String reason,
            @Nullable String error,
            @Nullable Long errorLine,
            @Nullable String errorColumn,
            @Nullable UUID reingestOf,
            @Nullable Instant eventTime,
            Instant receivedAt,
            @Nullable Instant startedAt,
            @Nullable Instant finishedAt) {
        this(
                id,
                eventId,
                status,
                account,
                container,
                blob,
                etag,
                sequencer,
                size,
                routePrefix,
                table,
                format,
                mode,
                attempts,
                rowsParsed,
                rowsLoaded,
                bytes,
                reason,
                error,
                errorLine,
                errorColumn,
                reingestOf,
                eventTime,
                receivedAt,
                startedAt,
                finishedAt,
                LoadOrigin.derive(eventId, reingestOf));
    }
}
