package io.snowhook.warehouse;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.warehouse.*}: which warehouse snowhook loads into, and each adapter's settings. One
 * record for all adapters, so {@code type} and the settings of the active adapter are validated together
 * at start-up.
 *
 * @param type {@code duckdb} (the embedded default) or {@code snowflake}
 * @param duckdb settings of the embedded DuckDB warehouse
 */
@Validated
@ConfigurationProperties("snowhook.warehouse")
public record WarehouseProperties(
        @NotBlank @Pattern(regexp = "duckdb|snowflake", message = "must be duckdb or snowflake") @DefaultValue("duckdb")
        String type,

        @NotNull @Valid @DefaultValue DuckDb duckdb) {

    /**
     * The embedded DuckDB warehouse.
     *
     * @param path the DuckDB database file; one process may write it at a time
     * @param stage the local folder files are staged in before {@code COPY}; each load gets its own
     *     sub-folder, removed after the load
     * @param initScript SQL run on every start (e.g. {@code CREATE TABLE IF NOT EXISTS …}); a Spring
     *     resource location, empty for none
     * @param memoryLimit DuckDB's memory limit (its {@code memory_limit}); unset, DuckDB takes 80 % of the
     *     machine's RAM — set it in containers, where that is the node's RAM, not the pod's
     */
    public record DuckDb(
            @NotNull @DefaultValue("./data/warehouse.duckdb")
            Path path,

            @NotNull @DefaultValue("./data/stage") Path stage,

            @NotNull @DefaultValue("classpath:warehouse/duckdb/javasips.sql")
            String initScript,

            @Nullable DataSize memoryLimit) {}
}
