package io.snowhook.loads.web;

import io.snowhook.loads.ledger.BulkReingest;
import java.util.List;

/**
 * {@code POST /loads/reingest}: the loads queued, the failed loads left alone with the reason, and whether
 * more failed loads match than one call re-ingests.
 */
record BulkReingestResponse(List<LoadResponse> queued, List<BulkReingest.SkippedLoad> skipped, boolean more) {

    static BulkReingestResponse of(BulkReingest result) {
        return new BulkReingestResponse(
                result.queued().stream().map(LoadResponse::of).toList(), result.skipped(), result.more());
    }
}
