package io.snowhook.loads;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.loads.*}: the workers that take loads from the ledger, and their retry policy.
 *
 * @param workers how many loads run at once in this process; 0 runs none (an intake-only replica)
 * @param pollInterval how often an idle worker looks for work; new loads recorded by this process wake the
 *     workers at once, so this bounds only the delay for loads recorded by other replicas and for expired
 *     leases
 * @param lease how long a claimed load is reserved for its worker; renewed while the load runs, so it only
 *     bounds how long a crashed worker's loads wait before another worker takes them up
 * @param shutdownGrace how long shutdown waits for running loads to finish before it puts them back in the
 *     queue; keep it below {@code spring.lifecycle.timeout-per-shutdown-phase}
 * @param retry how transient failures are retried
 * @param maxQueued the backlog of queued loads the ledger is sized for: intake never refuses an event above
 *     it (Argo would drop what it cannot deliver); it is published as {@code snowhook.loads.queue.limit} to
 *     alert against {@code snowhook.loads.queue}
 * @param retention how long a final load ({@code LOADED}, {@code FAILED}, {@code SKIPPED}, {@code
 *     SUPERSEDED}) stays in the ledger after it finished; then it is purged. {@code 0} keeps every load for
 *     ever. A duplicate event delivered after its load was purged is recorded (and loaded) again, so keep it
 *     well beyond any redelivery or replay window
 * @param retentionBatch rows purged per transaction: small, so a purge never holds intake up
 * @param retentionInterval how often each replica purges (every replica may: the deletes are idempotent)
 * @param batch how many queued files a worker loads together in one warehouse statement
 */
@Validated
@ConfigurationProperties("snowhook.loads")
public record LoadsProperties(
        @DefaultValue("4") @Min(0) @Max(256) int workers,
        @NotNull @DefaultValue("500ms") Duration pollInterval,
        @NotNull @DefaultValue("5m") Duration lease,
        @NotNull @DefaultValue("20s") Duration shutdownGrace,
        @NotNull @Valid @DefaultValue Retry retry,
        @DefaultValue("1000000") @Min(1) long maxQueued,

        @NotNull @DurationMin(seconds = 0) @DefaultValue("90d")
        Duration retention,

        @DefaultValue("2000") @Min(1) @Max(50000) int retentionBatch,

        @NotNull @DurationMin(seconds = 1) @DefaultValue("1h")
        Duration retentionInterval,

        @NotNull @Valid @DefaultValue Batch batch) {

    /** Whether final loads are purged at all ({@code retention} is not {@code 0}). */
    public boolean purging() {
        return !retention.isZero();
    }

    /**
     * Batches: a worker claims up to {@code maxFiles} queued loads of one target (table, format, mode, staging) and
     * container at once and loads them in one warehouse transaction ({@code COPY … FILES = (…)} on Snowflake, one
     * {@code INSERT … FROM read_csv([…])} on DuckDB), each file with its own outcome. It takes what is queued: a
     * single queued file is loaded at once, alone.
     *
     * @param maxFiles the most files in one batch (1 turns batching off: one file per statement); at most 1,000,
     *     Snowflake's limit on the names in {@code FILES = (…)}
     * @param maxBytes the most bytes (by the sizes the events reported) in one batch; a file larger than this is
     *     loaded alone
     * @param linger how long a worker that found fewer than {@code maxFiles} files waits for more before it loads
     *     them; 0 (the default) never waits, so a lone file's latency does not grow
     */
    public record Batch(
            @DefaultValue("50") @Min(1) @Max(1000) int maxFiles,
            @NotNull @DefaultValue("1GB") DataSize maxBytes,

            @NotNull @DurationMin(seconds = 0) @DurationMax(minutes = 5) @DefaultValue("0s")
            Duration linger) {

        public Batch {
            if (maxBytes != null && maxBytes.toBytes() < 1) {
                throw new IllegalArgumentException(
                        "snowhook.loads.batch.max-bytes must be at least 1B, not " + maxBytes);
            }
        }
    }

    /**
     * Retries of transient failures (storage unreachable, 5xx, 429, timeouts; warehouse busy or unreachable):
     * exponential backoff with random jitter. Permanent failures are never retried.
     *
     * @param maxAttempts tries per load, the first included; a load tried this often, across restarts too,
     *     is failed
     * @param initialDelay the delay before the first retry
     * @param multiplier each delay is up to this many times the previous one (randomised between 1× and
     *     this)
     * @param maxDelay the longest delay between two tries
     */
    public record Retry(
            @DefaultValue("5") @Min(1) int maxAttempts,
            @NotNull @DefaultValue("1s") Duration initialDelay,
            @DecimalMin("1.0") @DefaultValue("2") double multiplier,
            @NotNull @DefaultValue("30s") Duration maxDelay) {}
}
