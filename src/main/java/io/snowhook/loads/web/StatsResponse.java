package io.snowhook.loads.web;

import io.snowhook.loads.ledger.LoadCount;
import io.snowhook.loads.ledger.LoadStats;
import io.snowhook.loads.ledger.LoadStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /loads/stats}: what the console's summary shows — counts by status and table, the queue, the
 * warehouse's and storage's health, and the last hour minute by minute.
 *
 * @param at when these figures were taken
 * @param health status code ({@code UP}, {@code DOWN}, {@code UNKNOWN}) per dependency
 * @param from start of the first minute of {@code minutes}
 */
record StatsResponse(
        Instant at,
        long total,
        Map<LoadStatus, Long> byStatus,
        List<SummaryResponse.TableSummary> tables,
        long queued,
        long loading,
        HealthSummary health,
        Instant from,
        List<LoadStats.LoadMinute> minutes) {

    /** Health of the warehouse and of blob storage, as their health indicators answer now. */
    record HealthSummary(String warehouse, String storage) {}

    static StatsResponse of(Instant at, List<LoadCount> counts, LoadStats stats, HealthSummary health) {
        SummaryResponse summary = SummaryResponse.of(counts);
        return new StatsResponse(
                at,
                summary.total(),
                summary.byStatus(),
                summary.tables(),
                stats.queued(),
                stats.loading(),
                health,
                stats.from(),
                stats.minutes());
    }
}
