package io.snowhook.sweep;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.sweep.*}: when sweeps run and how far back they queue.
 *
 * @param interval how often every configured container is swept; {@code 0} turns scheduled sweeps off
 *     ({@code POST /sweeps} still works)
 * @param lookback a sweep queues only blobs modified within this long before it starts, unless {@code POST
 *     /sweeps} names a {@code modifiedSince}
 * @param fromFirstStart scheduled sweeps also queue nothing modified before the service first started
 *     against this ledger, so turning sweeps on never backfills by surprise; {@code false} lets them queue
 *     everything within the lookback
 * @param pageSize blobs per listing request (Azure allows up to 5000), compared with the ledger in one query
 * @param lease how long a replica holds a sweep without saving its place; another replica resumes a sweep
 *     whose lease ran out (its replica died)
 * @param pollInterval how often each replica looks for a sweep to run (or resume) and for the next scheduled
 *     one; a sweep requested on this replica starts at once
 * @param maxBodySize the largest {@code POST /sweeps} body accepted; larger ones get 413
 */
@Validated
@ConfigurationProperties("snowhook.sweep")
record SweepProperties(
        @NotNull @DefaultValue("10m") Duration interval,
        @NotNull @DefaultValue("7d") Duration lookback,
        @DefaultValue("true") boolean fromFirstStart,
        @DefaultValue("1000") @Min(1) @Max(5000) int pageSize,
        @NotNull @DefaultValue("1m") Duration lease,
        @NotNull @DefaultValue("5s") Duration pollInterval,
        @NotNull @DefaultValue("16KB") DataSize maxBodySize) {

    boolean scheduled() {
        return !interval.isZero() && !interval.isNegative();
    }
}
