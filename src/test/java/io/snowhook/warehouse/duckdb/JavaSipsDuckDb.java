package io.snowhook.warehouse.duckdb;

import io.snowhook.warehouse.Warehouse;
import java.nio.file.Path;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.util.unit.DataSize;

/**
 * The DuckDB warehouse with the JavaSips tables, in a folder of a test's, for tests outside this package that run
 * loads through the real adapter.
 *
 * @param warehouse the adapter
 * @param file its database file (open it with {@code jdbc:duckdb:<file>} to read the tables)
 */
public record JavaSipsDuckDb(Warehouse warehouse, Path file) implements AutoCloseable {

    public static JavaSipsDuckDb in(Path dir) {
        Path file = dir.resolve("warehouse.duckdb");
        DuckDbWarehouse warehouse = new DuckDbWarehouse(
                new DuckDbProperties(
                        file,
                        dir.resolve("stage"),
                        "classpath:warehouse/duckdb/javasips.sql",
                        DataSize.parse(DuckDbProperties.MINIMUM_MEMORY_LIMIT)),
                new DefaultResourceLoader());
        return new JavaSipsDuckDb(warehouse, file);
    }

    @Override
    public void close() {
        ((DuckDbWarehouse) warehouse).destroy();
    }
}
