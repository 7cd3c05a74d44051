package io.snowhook.sweep;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /sweeps}; every field is optional (an empty body sweeps the only configured container,
 * under every routed prefix, queueing blobs modified within the lookback).
 */
@Schema(description = "What to sweep; every field is optional")
record SweepRequest(
        @Schema(description = "storage account; defaults to the only configured one", maxLength = 64) @Nullable
        String account,

        @Schema(description = "container; defaults to the account's only configured one", maxLength = 64) @Nullable
        String container,

        @Schema(description = "list only this blob-name prefix instead of every routed one", maxLength = 1024) @Nullable
        String prefix,

        @Schema(
                description = "queue blobs last modified at or after this instant, which may reach further back"
                        + " than snowhook.sweep.lookback (a backfill); defaults to now minus the lookback")
        @Nullable
        Instant modifiedSince) {}
