package io.snowhook.warehouse.duckdb;

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
 * @param memoryLimit DuckDB's memory limit (its {@code memory_limit}), by default {@value #DEFAULT_MEMORY_LIMIT}:
 *     with a 256 MiB heap the process peaked at 581 MiB resident while a 1 GiB CSV loaded (docs/benchmarks.md);
 *     DuckDB's CSV reader needs blocks of about 31 MiB per thread, so much less fails large files. Without a limit
 *     DuckDB would take 80 % of the machine's RAM — in a container the node's, not the pod's
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
    static final String DEFAULT_MEMORY_LIMIT = "128MB";
}
