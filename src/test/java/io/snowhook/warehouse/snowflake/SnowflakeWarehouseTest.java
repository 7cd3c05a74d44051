package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.snowflake.fake.SnowflakeFake;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnowflakeWarehouseTest {

    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";

    @TempDir
    static Path home;

    static SnowflakeFake fake;
    static SnowflakeWarehouse warehouse;
    static Path container;

    @BeforeAll
    static void start() throws IOException {
        fake = new SnowflakeFake(home, "DB");
        fake.execute("CREATE SCHEMA PUBLIC");
        fake.execute(
                "CREATE TABLE \"PUBLIC\".\"ORDERS\" (\"ORDER_ID\" VARCHAR, \"FACTORY_ID\" VARCHAR, \"SKU\" VARCHAR,"
                        + " \"QUANTITY\" INTEGER, \"UNIT_PRICE\" DECIMAL(12,2), \"CURRENCY\" VARCHAR, \"ORDERED_AT\" TIMESTAMPTZ,"
                        + " \"CHANNEL\" VARCHAR, \"_SOURCE_BLOB\" VARCHAR, \"_ETAG\" VARCHAR, \"_LOAD_ID\" VARCHAR,"
                        + " \"_LOADED_AT\" TIMESTAMPTZ, \"_ROW_NUMBER\" BIGINT)");
        fake.execute("CREATE TABLE \"PUBLIC\".\"INVENTORY\" (\"FACTORY_ID\" VARCHAR, \"SKU\" VARCHAR,"
                + " \"PRODUCT_NAME\" VARCHAR, \"QUANTITY_ON_HAND\" INTEGER, \"UNIT\" VARCHAR, \"COUNTED_AT\" TIMESTAMPTZ,"
                + " \"_SOURCE_BLOB\" VARCHAR, \"_ETAG\" VARCHAR, \"_LOAD_ID\" VARCHAR, \"_LOADED_AT\" TIMESTAMPTZ)");
        container = Files.createDirectories(home.resolve("container"));
        fake.externalStage("FACTORY_UPLOADS", container);
        warehouse = new SnowflakeWarehouse(properties(fake, Map.of()), 4);
    }

    @AfterAll
    static void stop() {
        warehouse.close();
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.clearFaults();
        fake.execute("DELETE FROM \"PUBLIC\".\"ORDERS\"");
        fake.execute("DELETE FROM \"PUBLIC\".\"INVENTORY\"");
        fake.clearStatements();
    }

    static SnowflakeProperties properties(SnowflakeFake fake, Map<String, String> extra) {
        Map<String, String> jdbc =
                new java.util.HashMap<>(Map.of("disablePlatformDetection", "true", "maxHttpRetries", "1"));
        jdbc.putAll(extra);
        return new SnowflakeProperties(
                fake.jdbcUrl(),
                "fake",
                "snowhook",
                "not-a-secret",
                null,
                null,
                null,
                "WH",
                "DB",
                "PUBLIC",
                "SNOWHOOK",
                "SNOWHOOK_STAGE",
                Map.of("factory-uploads", "FACTORY_UPLOADS"),
                new SnowflakeProperties.FileFormats("SNOWHOOK_CSV", "SNOWHOOK_JSON", "SNOWHOOK_PARQUET"),
                "SKIP_FILE",
                null,
                Duration.ofSeconds(5),
                jdbc);
    }

    static FileLoad orders(String blob, String etag, Staging staging) {
        return new FileLoad(
                UUID.randomUUID(),
                "devstoreaccount1",
                "factory-uploads",
                blob,
                etag,
                0,
                "ORDERS",
                FileFormat.CSV,
                LoadMode.APPEND,
                staging);
    }

    static InputStream csv(String... rows) {
        return new ByteArrayInputStream(
                (ORDERS_HEADER + String.join("\n", rows) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loadsAFileThroughTheInternalStage() {
        FileLoad file = orders("orders/f1/2026-11-23.csv", "0x8D1", Staging.INTERNAL);

        LoadResult result = warehouse.load(
                file,
                csv(
                        "o1,f1,sku-1,3,2.50,EUR,2026-11-23T10:00:00Z,web",
                        "o2,f1,sku-2,1,9.00,EUR,2026-11-23T11:00:00Z,shop"));

        assertThat(result).isEqualTo(new LoadResult(2, 2));
        assertThat(
                        fake.query(
                                "SELECT ORDER_ID, QUANTITY, _SOURCE_BLOB, _ETAG, _LOAD_ID, _ROW_NUMBER FROM PUBLIC.ORDERS ORDER BY 1"))
                .containsExactly(
                        List.of(
                                "o1",
                                "3",
                                "factory-uploads/orders/f1/2026-11-23.csv",
                                "0x8D1",
                                file.loadId().toString(),
                                "1"),
                        List.of(
                                "o2",
                                "1",
                                "factory-uploads/orders/f1/2026-11-23.csv",
                                "0x8D1",
                                file.loadId().toString(),
                                "2"));
        System.out.println(String.join("\n", fake.statements()));
    }
}
