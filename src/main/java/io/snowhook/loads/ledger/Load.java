package io.snowhook.loads.ledger;

import io.snowhook.blob.BlobId;
import io.snowhook.routing.Route;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One row of the load ledger: one blob version (or one skipped event, or one re-ingestion).
 *
 * <p>The row is the plan: the route's target ({@code table}, {@code format}, {@code mode}, {@code staging}) is
 * fixed when the load is recorded, and the worker runs exactly that, whatever the routes say by then.
 *
 * @param staging how the warehouse reads the file; null on rows without a route (skipped loads)
 * @param reason why it was skipped or superseded
 * @param error the first error of a failed load (for bad data: the warehouse's first error)
 * @param errorLine line of the first error, when the warehouse names one
 * @param errorColumn column of the first error, when the warehouse names one
 * @param reingestOf the load this one repeats (re-ingest and {@code POST /ingestions})
 * @param origin what put the load in the ledger
 * @param batchId the claim that last took the load, with the other files it was loaded with in one warehouse
 *     statement; null until a worker claims it (and on loads claimed by a version that did not batch)
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
        @Nullable Staging staging,
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
        LoadOrigin origin,
        @Nullable UUID batchId) {

    /**
     * The load recorded for an incoming blob: {@code QUEUED} or {@code SUPERSEDED} with the route's plan, or
     * {@code SKIPPED} without one (no route given).
     */
    public static Load received(
            IncomingBlob in,
            LoadStatus status,
            @Nullable String reason,
            @Nullable Route route,
            LoadOrigin origin,
            Instant now) {
        return new Load(
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
                route == null ? null : route.staging(),
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
                origin,
                null);
    }

    /**
     * A load an operator queued (re-ingest, {@code POST /ingestions}) of a blob with the route's plan: of the
     * version {@code version} names (its eTag, sequencer, size and event time), or of the blob's current
     * version when {@code version} is null.
     */
    public static Load queued(
            BlobId blob,
            Route route,
            @Nullable Load version,
            @Nullable UUID reingestOf,
            LoadOrigin origin,
            Instant now) {
        return new Load(
                UUID.randomUUID(),
                null,
                LoadStatus.QUEUED,
                blob.account(),
                blob.container(),
                blob.name(),
                version == null ? null : version.etag(),
                version == null ? null : version.sequencer(),
                version == null ? null : version.size(),
                route.prefix(),
                route.table(),
                route.format(),
                route.mode(),
                route.staging(),
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                reingestOf,
                version == null ? null : version.eventTime(),
                now,
                null,
                null,
                origin,
                null);
    }

    /** This load as the ledger settled it: another status and reason, finished at {@code finishedAt}. */
    Load settled(LoadStatus status, @Nullable String reason, Instant finishedAt) {
        return new Load(
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
                staging,
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
                status.isFinal() ? finishedAt : null,
                origin,
                batchId);
    }

    /** Whether the row carries a plan the worker can run: a target table, file format and load mode. */
    public boolean planned() {
        return table != null && format != null && mode != null;
    }
}
