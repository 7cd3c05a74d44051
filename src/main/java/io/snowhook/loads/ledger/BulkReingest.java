package io.snowhook.loads.ledger;

import java.util.List;
import java.util.UUID;

/**
 * What a re-ingestion of the failed loads of a table did.
 *
 * @param queued the new loads, one per failed load re-ingested
 * @param skipped the failed loads left alone, with the reason
 * @param more whether more failed loads match than one call re-ingests (call again)
 */
public record BulkReingest(List<Load> queued, List<SkippedLoad> skipped, boolean more) {

    /** A failed load that was not re-ingested, and why. */
    public record SkippedLoad(UUID id, String blob, String reason) {}
}
