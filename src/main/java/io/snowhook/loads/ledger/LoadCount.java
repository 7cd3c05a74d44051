package io.snowhook.loads.ledger;

import org.jspecify.annotations.Nullable;

/**
 * How many loads of one target table are in one status.
 *
 * @param table the target table; null for loads that have none (skipped before routing, or no route)
 */
public record LoadCount(@Nullable String table, LoadStatus status, long count) {}
