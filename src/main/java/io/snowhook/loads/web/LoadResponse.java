package io.snowhook.loads.web;

import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadOrigin;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A load as the status API shows it. The contract fields come first; {@code reason}, {@code errorLine},
 * {@code errorColumn}, {@code eventId}, {@code format}, {@code mode}, {@code size}, {@code eventTime}, {@code
 * origin} and {@code batchId} follow. Absent values are {@code null}, never left out.
 */
record LoadResponse(
        UUID id,
        LoadStatus status,
        String account,
        String container,
        String blob,
        @Nullable String etag,
        @Nullable String sequencer,
        @Nullable String table,
        int attempts,
        @Nullable Long rowsLoaded,
        @Nullable Long rowsParsed,
        @Nullable Long bytes,
        @Nullable String error,
        @Nullable UUID reingestOf,
        Instant receivedAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable String reason,
        @Nullable Long errorLine,
        @Nullable String errorColumn,
        @Nullable String eventId,
        @Nullable FileFormat format,
        @Nullable LoadMode mode,
        @Nullable Long size,
        @Nullable Instant eventTime,
        LoadOrigin origin,
        @Nullable UUID batchId) {

    static LoadResponse of(Load load) {
        return new LoadResponse(
                load.id(),
                load.status(),
                load.account(),
                load.container(),
                load.blob(),
                load.etag(),
                load.sequencer(),
                load.table(),
                load.attempts(),
                load.rowsLoaded(),
                load.rowsParsed(),
                load.bytes(),
                load.error(),
                load.reingestOf(),
                load.receivedAt(),
                load.startedAt(),
                load.finishedAt(),
                load.reason(),
                load.errorLine(),
                load.errorColumn(),
                load.eventId(),
                load.format(),
                load.mode(),
                load.size(),
                load.eventTime(),
                load.origin(),
                load.batchId());
    }
}
