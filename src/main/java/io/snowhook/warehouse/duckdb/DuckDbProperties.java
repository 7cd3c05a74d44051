package io.snowhook.warehouse.duckdb;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.warehouse.duckdb.*}: the embedded DuckDB warehouse. Bound and validated only when {@code
 * snowhook.warehouse.type=duckdb} (the default).
 *
 * @param path the DuckDB database file; one process may write it at a time
 * @param stage the local folder files are staged in before {@code COPY}; a batch gets a sub-folder of its own,
 *     removed after the load
 * @param initScript SQL run on every start (e.g. {@code CREATE TABLE IF NOT EXISTS …}); a Spring resource
 *     location, empty for none
 * @param memoryLimit DuckDB's memory limit (its {@code memory_limit}), by default {@value #DEFAULT_MEMORY_LIMIT}, at
 *     least {@value #MINIMUM_MEMORY_LIMIT}; empty for DuckDB's own default, 80 % of the machine's RAM (in a container
 *     the node's, not the pod's). The CSV reader fits it with buffers of {@link DuckDbSql#CSV_BUFFER_SIZE} bytes,
 *     and each insert runs on as many of DuckDB's threads as fit ({@link DuckDbWarehouse#threadsThatFit}: at the
 *     default 2 for CSV and Parquet, 1 for JSON, whose reader needs 64 MiB per thread). A file DuckDB cannot load
 *     within it fails for good, its error naming this setting
 */
@Validated
@ConfigurationProperties("snowhook.warehouse.duckdb")
record DuckDbProperties(
        @NotNull @DefaultValue("./data/warehouse.duckdb") Path path,
        @NotNull @DefaultValue("./data/stage") Path stage,

        @NotNull @DefaultValue("classpath:warehouse/duckdb/javasips.sql")
        String initScript,

        @Nullable @DefaultValue(DuckDbProperties.DEFAULT_MEMORY_LIMIT)
        DataSize memoryLimit) {

    /** The default of {@code snowhook.warehouse.duckdb.memory-limit}; {@code bench/large-file.sh} gives the floor the same. */
    static final String DEFAULT_MEMORY_LIMIT = "64MB";

    /** The smallest {@code memory-limit} accepted: below it not even the CSV reader's buffers of two threads fit. */
    static final String MINIMUM_MEMORY_LIMIT = "32MB";

    /** Bean Validation names this check {@code snowhook.warehouse.duckdb.memoryLimitInRange} in the start-up failure. */
    @AssertTrue(
            message = "memory-limit must be at least " + MINIMUM_MEMORY_LIMIT + ", or empty for DuckDB's own default")
    public boolean isMemoryLimitInRange() {
        return memoryLimit == null
                || memoryLimit.toBytes() >= DataSize.parse(MINIMUM_MEMORY_LIMIT).toBytes();
    }
}
