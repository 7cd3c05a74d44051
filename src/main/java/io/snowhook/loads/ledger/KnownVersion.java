package io.snowhook.loads.ledger;

import org.jspecify.annotations.Nullable;

/**
 * One version of a blob that has a load in the ledger (in any state but {@code SKIPPED}, from any origin).
 *
 * @param etag null for an ingestion whose worker has not read the blob yet (it loads the current version)
 */
public record KnownVersion(String blob, @Nullable String etag, LoadStatus status) {}
