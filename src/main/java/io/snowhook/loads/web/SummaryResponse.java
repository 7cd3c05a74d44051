package io.snowhook.loads.web;

import io.snowhook.loads.ledger.LoadCount;
import io.snowhook.loads.ledger.LoadStatus;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /loads/summary}: counts of loads by status, overall and per target table; every status is
 * listed, with zero where there are none.
 */
record SummaryResponse(long total, Map<LoadStatus, Long> byStatus, List<TableSummary> tables) {

    /** @param table null for loads without a table (skipped before routing, or no route) */
    record TableSummary(@Nullable String table, long total, Map<LoadStatus, Long> byStatus) {}

    static SummaryResponse of(List<LoadCount> counts) {
        Map<String, List<LoadCount>> byTable =
                counts.stream().collect(Collectors.groupingBy(c -> Objects.requireNonNullElse(c.table(), "")));
        List<TableSummary> tables = byTable.values().stream()
                .map(list -> new TableSummary(list.get(0).table(), total(list), byStatus(list)))
                .sorted(Comparator.comparing(
                        TableSummary::table, Comparator.nullsLast(Comparator.<String>naturalOrder())))
                .toList();
        return new SummaryResponse(total(counts), byStatus(counts), tables);
    }

    private static long total(List<LoadCount> counts) {
        return counts.stream().mapToLong(LoadCount::count).sum();
    }

    private static Map<LoadStatus, Long> byStatus(List<LoadCount> counts) {
        Map<LoadStatus, Long> result = new LinkedHashMap<>();
        for (LoadStatus status : LoadStatus.values()) {
            result.put(status, 0L);
        }
        counts.forEach(c -> result.merge(c.status(), c.count(), Long::sum));
        return result;
    }
}
