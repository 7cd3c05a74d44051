package io.snowhook.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import io.snowhook.demo.JavaSipsGenerator;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.util.unit.DataSize;

class DuckDbWarehouseTest {

    static final String INVENTORY_HEADER = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";

    @TempDir
    Path dir;

    DuckDbWarehouse warehouse;

    @BeforeEach
    void startWarehouse() {
        warehouse = warehouse("classpath:warehouse/duckdb/javasips.sql");
    }

    @AfterEach
    void stopWarehouse() {
        warehouse.destroy();
    }

    @Test
    void createsTheJavaSipsTablesFromTheInitScript() throws SQLException {
        assertThat(query("SELECT table_name FROM information_schema.tables ORDER BY 1"))
                .containsExactly(List.of("INVENTORY"), List.of("ORDERS"));
        assertThat(query("SELECT column_name FROM information_schema.columns WHERE table_name = 'ORDERS'"
                        + " ORDER BY ordinal_position"))
                .extracting(r -> r.get(0))
                .containsExactly(
                        "order_id",
                        "factory_id",
                        "sku",
                        "quantity",
                        "unit_price",
                        "currency",
                        "ordered_at",
                        "channel",
                        "_source_blob",
                        "_etag",
                        "_load_id",
                        "_loaded_at");
    }

    @Test
    void loadsCsvWithLineageOnEveryRow() throws SQLException {
        FileLoad file = inventory("inventory/f01/2026-11-23.csv", "0x1");

        LoadResult result = warehouse.load(
                file,
                csv(INVENTORY_HEADER + "f01,JS-100,\"Espresso Pro, \"\"black\"\"\",12,pcs,2026-11-23T22:00:00Z\n"
                        + "f01,JS-200,Filter Classic,7,pcs,2026-11-23 22:00:00\n"));

        assertThat(result).isEqualTo(new LoadResult(2, 2));
        List<List<Object>> rows =
                query("SELECT sku, product_name, quantity_on_hand, counted_at, _source_blob, _etag, _load_id::VARCHAR,"
                        + " _loaded_at IS NOT NULL FROM INVENTORY ORDER BY sku");
        OffsetDateTime counted = OffsetDateTime.of(2026, 11, 23, 22, 0, 0, 0, ZoneOffset.UTC);
        assertThat(rows)
                .containsExactly(
                        List.of(
                                "JS-100",
                                "Espresso Pro, \"black\"",
                                12,
                                counted,
                                "factory-uploads/inventory/f01/2026-11-23.csv",
                                "0x1",
                                file.loadId().toString(),
                                true),
                        List.of(
                                "JS-200",
                                "Filter Classic",
                                7,
                                counted,
                                "factory-uploads/inventory/f01/2026-11-23.csv",
                                "0x1",
                                file.loadId().toString(),
                                true));
    }

    @Test
    void loadsGzippedCsv() throws SQLException {
        FileLoad file = orders("orders/f02/2026-11-23.csv.gz", "0x2");

        LoadResult result = warehouse.load(
                file,
                new ByteArrayInputStream(gzip(ORDERS_HEADER
                        + "o-1,f02,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"
                        + "o-2,f02,JS-200,1,39.50,EUR,2026-11-23T09:30:00Z,retail\n"
                        + "o-3,f02,JS-200,5,39.50,EUR,2026-11-23T10:45:00Z,wholesale\n")));

        assertThat(result).isEqualTo(new LoadResult(3, 3));
        assertThat(query("SELECT order_id, quantity, unit_price, _source_blob FROM ORDERS ORDER BY order_id"))
                .containsExactly(
                        List.of("o-1", 2, new BigDecimal("149.90"), "factory-uploads/orders/f02/2026-11-23.csv.gz"),
                        List.of("o-2", 1, new BigDecimal("39.50"), "factory-uploads/orders/f02/2026-11-23.csv.gz"),
                        List.of("o-3", 5, new BigDecimal("39.50"), "factory-uploads/orders/f02/2026-11-23.csv.gz"));
    }

    @Test
    void loadsJsonLinesByFieldName() throws SQLException {
        FileLoad file = load("orders/f03/2026-11-23.jsonl", "0x3", "ORDERS", FileFormat.JSON, LoadMode.APPEND);

        LoadResult result = warehouse.load(
                file,
                csv(
                        "{\"channel\":\"web\",\"order_id\":\"o-9\",\"factory_id\":\"f03\",\"sku\":\"JS-300\",\"quantity\":4,"
                                + "\"unit_price\":\"12.00\",\"currency\":\"USD\",\"ordered_at\":\"2026-11-23T12:00:00Z\"}\n"
                                + "{\"order_id\":\"o-10\",\"factory_id\":\"f03\",\"sku\":\"JS-300\",\"quantity\":1,"
                                + "\"unit_price\":12,\"currency\":\"USD\",\"ordered_at\":\"2026-11-23T13:00:00Z\","
                                + "\"channel\":\"retail\",\"ignored\":true}\n"));

        assertThat(result).isEqualTo(new LoadResult(2, 2));
        assertThat(query("SELECT order_id, quantity, unit_price, channel, _etag FROM ORDERS ORDER BY order_id"))
                .containsExactly(
                        List.of("o-10", 1, new BigDecimal("12.00"), "retail", "0x3"),
                        List.of("o-9", 4, new BigDecimal("12.00"), "web", "0x3"));
    }

    @Test
    void loadsParquetByColumnName() throws Exception {
        Path parquet = dir.resolve("made-elsewhere.parquet");
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = conn.createStatement()) {
            statement.execute("COPY (SELECT 'f04' AS factory_id, 'JS-' || i AS sku, 'Grinder ' || i AS product_name,"
                    + " 'kg' AS unit, i * 10 AS quantity_on_hand,"
                    + " TIMESTAMPTZ '2026-11-23 20:00:00+00' AS counted_at FROM range(1, 4) t(i))"
                    + " TO '" + parquet + "' (FORMAT parquet)");
        }
        FileLoad file =
                load("inventory/f04/2026-11-23.parquet", "0x4", "INVENTORY", FileFormat.PARQUET, LoadMode.REPLACE);

        LoadResult result;
        try (InputStream content = Files.newInputStream(parquet)) {
            result = warehouse.load(file, content);
        }

        assertThat(result).isEqualTo(new LoadResult(3, 3));
        assertThat(query("SELECT sku, quantity_on_hand, unit, _source_blob FROM INVENTORY ORDER BY sku"))
                .containsExactly(
                        List.of("JS-1", 10, "kg", "factory-uploads/inventory/f04/2026-11-23.parquet"),
                        List.of("JS-2", 20, "kg", "factory-uploads/inventory/f04/2026-11-23.parquet"),
                        List.of("JS-3", 30, "kg", "factory-uploads/inventory/f04/2026-11-23.parquet"));
    }

    @Test
    void replaceModeReplacesTheRowsOfTheEarlierVersion() throws SQLException {
        warehouse.load(
                inventory("inventory/f01/2026-11-23.csv", "0xA"),
                csv(INVENTORY_HEADER + "f01,JS-100,Espresso Pro,12,pcs,2026-11-23T22:00:00Z\n"
                        + "f01,JS-200,Filter Classic,7,pcs,2026-11-23T22:00:00Z\n"
                        + "f01,JS-300,Grinder,3,pcs,2026-11-23T22:00:00Z\n"));
        warehouse.load(
                inventory("inventory/f02/2026-11-23.csv", "0xB"),
                csv(INVENTORY_HEADER + "f02,JS-100,Espresso Pro,1,pcs,2026-11-23T22:00:00Z\n"));

        LoadResult corrected = warehouse.load(
                inventory("inventory/f01/2026-11-23.csv", "0xC"),
                csv(INVENTORY_HEADER + "f01,JS-100,Espresso Pro,11,pcs,2026-11-23T22:00:00Z\n"
                        + "f01,JS-200,Filter Classic,8,pcs,2026-11-23T22:00:00Z\n"));

        assertThat(corrected).isEqualTo(new LoadResult(2, 2));
        assertThat(query("SELECT factory_id, sku, quantity_on_hand, _etag FROM INVENTORY ORDER BY factory_id, sku"))
                .containsExactly(
                        List.of("f01", "JS-100", 11, "0xC"),
                        List.of("f01", "JS-200", 8, "0xC"),
                        List.of("f02", "JS-100", 1, "0xB"));
    }

    @Test
    void appendModeKeepsOtherVersionsAndNeverDuplicatesARerun() throws SQLException {
        String v1 = ORDERS_HEADER + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"
                + "o-2,f01,JS-200,1,39.50,EUR,2026-11-23T09:30:00Z,retail\n";
        FileLoad first = orders("orders/f01/2026-11-23.csv", "0x1");
        warehouse.load(first, csv(v1));
        warehouse.load(first, csv(v1)); // the same load again: a retry or a crash before the ledger update
        FileLoad reingest = new FileLoad(
                UUID.randomUUID(),
                first.account(),
                first.container(),
                first.blobName(),
                first.etag(),
                first.size(),
                first.table(),
                first.format(),
                first.mode(),
                first.staging());
        warehouse.load(reingest, csv(v1));

        warehouse.load(
                orders("orders/f01/2026-11-23.csv", "0x2"),
                csv(ORDERS_HEADER + "o-3,f01,JS-300,1,9.99,EUR,2026-11-23T23:00:00Z,web\n"));

        assertThat(query("SELECT order_id, _etag, _load_id::VARCHAR FROM ORDERS ORDER BY order_id"))
                .extracting(r -> r.subList(0, 2))
                .containsExactly(List.of("o-1", "0x1"), List.of("o-2", "0x1"), List.of("o-3", "0x2"));
        assertThat(query("SELECT DISTINCT _load_id::VARCHAR FROM ORDERS WHERE _etag = '0x1'"))
                .containsExactly(List.of(reingest.loadId().toString()));
    }

    @Test
    void loadsEveryFileTheJavaSipsGeneratorWrites() throws Exception {
        List<GeneratedFile> files = JavaSipsGenerator.generateFiles(
                "--factories",
                "3",
                "--days",
                "2",
                "--rows",
                "40",
                "--gzip-share",
                "0.5",
                "--out",
                dir.resolve("gen").toString());
        assertThat(files).hasSize(12).anyMatch(GeneratedFile::gzipped).anyMatch(f -> !f.gzipped());

        for (GeneratedFile generated : files) {
            FileLoad file = generated.table().equals("INVENTORY")
                    ? inventory(generated.blobName(), "0x1")
                    : orders(generated.blobName(), "0x1");
            try (InputStream content = Files.newInputStream(generated.path())) {
                assertThat(warehouse.load(file, content).rowsLoaded()).isEqualTo(generated.rows());
            }
        }

        assertThat(query("SELECT count(*), count(DISTINCT _source_blob) FROM INVENTORY"))
                .containsExactly(List.of(240L, 6L));
        assertThat(query("SELECT count(*), count(DISTINCT order_id), count(DISTINCT factory_id) FROM ORDERS"))
                .containsExactly(List.of(240L, 240L, 3L));
    }

    @Test
    void rejectsABadRowWithDuckDbsFirstErrorAndKeepsNoRows() throws SQLException {
        warehouse.load(
                inventory("inventory/f01/2026-11-23.csv", "0x1"),
                csv(INVENTORY_HEADER + "f01,JS-100,Espresso Pro,12,pcs,2026-11-23T22:00:00Z\n"));

        FileLoad bad = inventory("inventory/f01/2026-11-23.csv", "0x2");
        assertThatThrownBy(() -> warehouse.load(
                        bad,
                        csv(INVENTORY_HEADER + "f01,JS-100,Espresso Pro,11,pcs,2026-11-23T22:00:00Z\n"
                                + "f01,JS-200,Filter Classic,seven,pcs,2026-11-23T22:00:00Z\n"
                                + "f01,JS-300,Grinder,3,pcs,2026-11-23T22:00:00Z\n")))
                .isInstanceOfSatisfying(FileRejected.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("Conversion Error: CSV Error on Line: 3")
                            .contains("Could not convert string \"seven\" to 'INTEGER'")
                            .doesNotContain(dir.toString());
                    assertThat(e.line()).isEqualTo(3L);
                    assertThat(e.column()).isEqualTo("quantity_on_hand");
                });

        // The transaction rolled back: the earlier version's rows are still there, none of the bad file's.
        assertThat(query("SELECT sku, quantity_on_hand, _etag FROM INVENTORY"))
                .containsExactly(List.of("JS-100", 12, "0x1"));
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void rejectsARowWithTheWrongNumberOfColumns() throws SQLException {
        FileLoad file = orders("orders/f01/2026-11-23.csv", "0x1");

        assertThatThrownBy(() -> warehouse.load(
                        file,
                        csv(ORDERS_HEADER + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"
                                + "o-2,f01,JS-200,1,39.50,EUR,2026-11-23T09:30:00Z\n")))
                .isInstanceOfSatisfying(FileRejected.class, e -> {
                    assertThat(e.getMessage())
                            .isEqualTo(
                                    "Invalid Input Error: CSV Error on Line: 3: Expected Number of Columns: 8 Found: 7");
                    assertThat(e.line()).isEqualTo(3L);
                });
        assertThat(query("SELECT count(*) FROM ORDERS")).containsExactly(List.of(0L));
    }

    @Test
    void rejectsMalformedJsonLines() throws SQLException {
        FileLoad file = load("orders/f03/2026-11-23.jsonl", "0x3", "ORDERS", FileFormat.JSON, LoadMode.APPEND);

        assertThatThrownBy(() -> warehouse.load(
                        file, csv("{\"order_id\":\"o-9\",\"quantity\":\"four\"}\n{\"order_id\":\"o-10\"}\n")))
                .isInstanceOfSatisfying(
                        FileRejected.class,
                        e -> assertThat(e.getMessage())
                                .contains("factory-uploads/orders/f03/2026-11-23.jsonl")
                                .contains("\"four\""));
        assertThat(query("SELECT count(*) FROM ORDERS")).containsExactly(List.of(0L));
    }

    @Test
    void rejectsAFileThatIsNotTheGzipItsNameSays() {
        FileLoad file = orders("orders/f01/2026-11-23.csv.gz", "0x1");

        assertThatThrownBy(() -> warehouse.load(file, csv(ORDERS_HEADER)))
                .isInstanceOfSatisfying(
                        FileRejected.class, e -> assertThat(e.getMessage()).contains("GZIP"));
    }

    @Test
    void loadsAFileWithOnlyAHeaderAsZeroRows() {
        assertThat(warehouse.load(orders("orders/f01/empty.csv", "0x1"), csv(ORDERS_HEADER)))
                .isEqualTo(new LoadResult(0, 0));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "orders/it's \"quoted\"/2026-11-23.csv",
                "orders/with spaces/day one.csv",
                "orders/fábrica-東京/2026-11-23 ☕.csv",
                "orders/x'; DROP TABLE ORDERS; --.csv",
                "orders/glob*?[a-z]{1,2}.csv",
                "orders/../../../../tmp/escape.csv",
                "orders/..",
                "orders/.hidden\\back.csv"
            })
    void loadsBlobsWithHostileNamesWithoutChangingTheSql(String blobName) throws SQLException {
        FileLoad file = orders(blobName, "0x'1");

        warehouse.load(file, csv(ORDERS_HEADER + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"));
        warehouse.load(file, csv(ORDERS_HEADER + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"));

        assertThat(query("SELECT order_id, _source_blob, _etag FROM ORDERS"))
                .containsExactly(List.of("o-1", "factory-uploads/" + blobName, "0x'1"));
        assertThat(stagedFiles()).isEmpty();
        assertThat(Path.of("/tmp/escape.csv")).doesNotExist();
    }

    @Test
    void removesTheStagedFileAfterTheLoad() {
        warehouse.load(orders("orders/f01/2026-11-23.csv", "0x1"), csv(ORDERS_HEADER));

        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void failsPermanentlyForATableTheWarehouseDoesNotHave() {
        FileLoad file = load("returns/f01.csv", "0x1", "RETURNS", FileFormat.CSV, LoadMode.APPEND);

        assertThatThrownBy(() -> warehouse.load(file, csv("a,b\n1,2\n")))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("RETURNS");
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void failsPermanentlyForATableWithoutLineageColumns() throws SQLException {
        execute("CREATE TABLE PLAIN (a INTEGER)");
        FileLoad file = load("plain/f01.csv", "0x1", "PLAIN", FileFormat.CSV, LoadMode.APPEND);

        assertThatThrownBy(() -> warehouse.load(file, csv("a\n1\n")))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("_source_blob");
    }

    @Test
    void refusesATableNameThatIsNotAPlainIdentifier() {
        FileLoad file = load("x/f01.csv", "0x1", "ORDERS\"; DROP TABLE ORDERS; --", FileFormat.CSV, LoadMode.APPEND);

        assertThatThrownBy(() -> warehouse.load(file, csv(ORDERS_HEADER))).isInstanceOf(WarehouseFailure.class);
    }

    @Test
    void answersTheReadinessCheck() {
        warehouse.check();
    }

    @Test
    void reportsADatabaseFileLockedByAnotherProcessAsUnavailableUntilItIsFree() throws Exception {
        warehouse.destroy();
        Process holder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        DuckDbFileHolder.class.getName(),
                        dir.resolve("warehouse.duckdb").toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo(DuckDbFileHolder.HOLDING);
            DuckDbWarehouse second = warehouse("classpath:warehouse/duckdb/javasips.sql");
            try {
                assertThatThrownBy(second::check)
                        .isInstanceOf(WarehouseUnavailable.class)
                        .hasMessageContaining("lock");
                assertThatThrownBy(() -> second.load(orders("orders/f01/2026-11-23.csv", "0x1"), csv(ORDERS_HEADER)))
                        .isInstanceOf(WarehouseUnavailable.class);

                holder.getOutputStream().close(); // the holder exits when its stdin closes
                assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();

                second.check();
                assertThat(second.load(
                                orders("orders/f01/2026-11-23.csv", "0x1"),
                                csv(ORDERS_HEADER + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n")))
                        .isEqualTo(new LoadResult(1, 1));
            } finally {
                second.destroy();
            }
        } finally {
            holder.destroyForcibly();
        }
        warehouse = warehouse("classpath:warehouse/duckdb/javasips.sql");
    }

    @Test
    void runsDuckDbWithinTheConfiguredMemoryLimit() throws SQLException {
        DuckDbWarehouse limited = new DuckDbWarehouse(
                new DuckDbProperties(
                        dir.resolve("limited.duckdb"), dir.resolve("stage"), "", DataSize.ofMegabytes(300)),
                new DefaultResourceLoader());
        try {
            limited.check();
            // the same file in the same JVM shares DuckDB's database instance, and so its settings
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("limited.duckdb"));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_setting('memory_limit')")) {
                rs.next();
                assertThat(rs.getString(1)).isIn("300.0 MiB", "314.5 MB");
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("limited.duckdb"));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_setting('allocator_flush_threshold'),"
                            + " current_setting('allocator_bulk_deallocation_flush_threshold'),"
                            + " current_setting('allocator_background_threads')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("8.0 MiB");
                assertThat(rs.getString(2)).isEqualTo("8.0 MiB");
                assertThat(rs.getBoolean(3)).isTrue();
            }
        } finally {
            limited.destroy();
        }
    }

    @Test
    void limitsDuckDbTo64MegabytesByDefault() {
        DuckDbProperties bound = new org.springframework.boot.context.properties.bind.Binder(
                        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(
                                java.util.Map.of("snowhook.warehouse.type", "duckdb")))
                .bindOrCreate("snowhook.warehouse.duckdb", DuckDbProperties.class);

        assertThat(bound.memoryLimit()).isEqualTo(DataSize.ofMegabytes(64));
        assertThat(bound.memoryLimit()).isEqualTo(DataSize.parse(DuckDbProperties.DEFAULT_MEMORY_LIMIT));
    }

    @Test
    void loadsSmallFilesOfEveryFormatAtTheDefaultMemoryLimitOnFourThreads() throws Exception {
        warehouse = atTheDefaultMemoryLimit();

        assertThat(warehouse.load(
                        orders("orders/f01/2026-11-23.csv", "0x1"),
                        csv(ORDERS_HEADER + "o-1,f01,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n")))
                .isEqualTo(new LoadResult(1, 1));
        assertThat(warehouse.load(
                        orders("orders/f02/2026-11-23.csv.gz", "0x1"),
                        new ByteArrayInputStream(
                                gzip(ORDERS_HEADER + "o-2,f02,JS-100,2,149.90,EUR,2026-11-23T08:15:00Z,web\n"))))
                .isEqualTo(new LoadResult(1, 1));
        // a JSON Lines file of a few hundred bytes: DuckDB's JSON reader wants 64 MiB per thread whatever the size
        assertThat(warehouse.load(
                        load("orders/f03/2026-11-23.jsonl", "0x1", "ORDERS", FileFormat.JSON, LoadMode.APPEND),
                        csv("{\"order_id\":\"o-3\",\"factory_id\":\"f03\",\"sku\":\"JS-300\",\"quantity\":4,"
                                + "\"unit_price\":\"12.00\",\"currency\":\"USD\",\"ordered_at\":\"2026-11-23T12:00:00Z\","
                                + "\"channel\":\"web\"}\n")))
                .isEqualTo(new LoadResult(1, 1));
        Path parquet = dir.resolve("orders.parquet");
        execute("COPY (SELECT 'o-4' AS order_id, 'f04' AS factory_id, 'JS-400' AS sku, 1 AS quantity,"
                + " 9.99 AS unit_price, 'EUR' AS currency, TIMESTAMPTZ '2026-11-23 20:00:00+00' AS ordered_at,"
                + " 'web' AS channel) TO '" + parquet + "' (FORMAT parquet)");
        try (InputStream content = Files.newInputStream(parquet)) {
            assertThat(warehouse.load(
                            load("orders/f04/2026-11-23.parquet", "0x1", "ORDERS", FileFormat.PARQUET, LoadMode.APPEND),
                            content))
                    .isEqualTo(new LoadResult(1, 1));
        }

        assertThat(query("SELECT order_id FROM ORDERS ORDER BY 1"))
                .containsExactly(List.of("o-1"), List.of("o-2"), List.of("o-3"), List.of("o-4"));
        // the loads ran on fewer threads and set DuckDB's setting back
        assertThat(query("SELECT current_setting('threads')")).containsExactly(List.of(4L));
        assertThat(DuckDbWarehouse.threadsThatFit(FileFormat.CSV, DataSize.ofMegabytes(64)))
                .isEqualTo(2);
        assertThat(DuckDbWarehouse.threadsThatFit(FileFormat.JSON, DataSize.ofMegabytes(64)))
                .isEqualTo(1);
    }

    @Test
    void loadsACsvLargerThanTheCsvReadersBuffersAtTheDefaultMemoryLimitOnFourThreads() throws Exception {
        warehouse = atTheDefaultMemoryLimit();
        Path file = dir.resolve("large.csv");
        long rows = 0;
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(ORDERS_HEADER);
            // 96 MiB: several of DuckDB's default 32 MiB CSV buffers, which did not fit 64 MiB on several threads
            while (Files.size(file) < 96L * 1024 * 1024 || rows % 100_000 != 0) {
                out.write("o-" + rows + ",f01,JS-" + (rows % 500) + "," + (1 + rows % 9)
                        + ",149.90,EUR,2026-11-23T08:15:00Z,web\n");
                rows++;
                if (rows % 100_000 == 0) {
                    out.flush();
                }
            }
        }

        LoadResult result;
        try (InputStream content = Files.newInputStream(file)) {
            result = warehouse.load(orders("orders/f01/large.csv", "0x1"), content);
        }

        assertThat(result).isEqualTo(new LoadResult(rows, rows));
        assertThat(query("SELECT count(*) FROM ORDERS")).containsExactly(List.of(rows));
    }

    @Test
    void failsAFileForGoodNamingTheSettingWhenDuckDbCannotLoadItWithinTheMemoryLimit() throws SQLException {
        warehouse.destroy();
        // 32 MB: the smallest limit accepted, and less than DuckDB's JSON reader needs on one thread
        warehouse = new DuckDbWarehouse(
                new DuckDbProperties(
                        dir.resolve("warehouse.duckdb"),
                        dir.resolve("stage"),
                        "classpath:warehouse/duckdb/javasips.sql",
                        DataSize.parse(DuckDbProperties.MINIMUM_MEMORY_LIMIT)),
                new DefaultResourceLoader());
        FileLoad file = load("orders/f03/2026-11-23.jsonl", "0x3", "ORDERS", FileFormat.JSON, LoadMode.APPEND);

        assertThatThrownBy(() -> warehouse.load(file, csv("{\"order_id\":\"o-9\"}\n")))
                .isInstanceOf(WarehouseFailure.class)
                .isNotInstanceOf(WarehouseUnavailable.class)
                .hasMessageStartingWith("DuckDB could not load factory-uploads/orders/f03/2026-11-23.jsonl into ORDERS:"
                        + " Out of Memory Error")
                .hasMessageEndingWith("raise snowhook.warehouse.duckdb.memory-limit");
        assertThat(query("SELECT count(*) FROM ORDERS")).containsExactly(List.of(0L));
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void treatsOnlyAFullSpillFolderAsATransientOutOfMemoryError() {
        assertThat(DuckDbErrors.classify(
                        new SQLException("Out of Memory Error: failed to allocate data of size 32.0 MiB"
                                + " (34.5 MiB/64.0 MiB used)"),
                        "load"))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("snowhook.warehouse.duckdb.memory-limit");
        assertThat(DuckDbErrors.classify(
                        new SQLException("Out of Memory Error: failed to offload data block of size 256.0 KiB"
                                + " (9.9 GiB/9.9 GiB used). This limit was set by the 'max_temp_directory_size'"
                                + " setting."),
                        "load"))
                .isInstanceOf(WarehouseUnavailable.class);
    }

    @Test
    void refusesAMemoryLimitTooSmallForDuckDbsReaders() {
        new org.springframework.boot.test.context.runner.ApplicationContextRunner()
                .withUserConfiguration(BindDuckDbProperties.class)
                .withPropertyValues("snowhook.warehouse.duckdb.memory-limit=16MB")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("snowhook.warehouse.duckdb.memoryLimitInRange")
                        .hasMessageContaining("memory-limit must be at least 32MB"));
        new org.springframework.boot.test.context.runner.ApplicationContextRunner()
                .withUserConfiguration(BindDuckDbProperties.class)
                .withPropertyValues("snowhook.warehouse.duckdb.memory-limit=32MB")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.context.properties.EnableConfigurationProperties(DuckDbProperties.class)
    static class BindDuckDbProperties {}

    /**
     * This test's warehouse again, now at the default memory limit, and DuckDB on 4 threads whatever the machine's
     * cores: set by the init script, where an operator would set it.
     */
    private DuckDbWarehouse atTheDefaultMemoryLimit() throws IOException {
        warehouse.destroy();
        Path init = dir.resolve("init.sql");
        try (InputStream javasips = getClass().getResourceAsStream("/warehouse/duckdb/javasips.sql")) {
            Files.writeString(
                    init, new String(javasips.readAllBytes(), StandardCharsets.UTF_8) + "\nSET threads = 4;\n");
        }
        return new DuckDbWarehouse(
                new DuckDbProperties(
                        dir.resolve("warehouse.duckdb"),
                        dir.resolve("stage"),
                        "file:" + init,
                        DataSize.parse(DuckDbProperties.DEFAULT_MEMORY_LIMIT)),
                new DefaultResourceLoader());
    }

    @Test
    void refusesAStageFolderWithGlobCharacters() {
        DuckDbProperties properties = new DuckDbProperties(dir.resolve("w.duckdb"), dir.resolve("stage[1]"), "", null);

        assertThatThrownBy(() -> new DuckDbWarehouse(properties, new DefaultResourceLoader()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snowhook.warehouse.duckdb.stage");
    }

    private DuckDbWarehouse warehouse(String initScript) {
        return new DuckDbWarehouse(
                new DuckDbProperties(dir.resolve("warehouse.duckdb"), dir.resolve("stage"), initScript, null),
                new DefaultResourceLoader());
    }

    static FileLoad inventory(String blob, String etag) {
        return load(blob, etag, "INVENTORY", FileFormat.CSV, LoadMode.REPLACE);
    }

    static FileLoad orders(String blob, String etag) {
        return load(blob, etag, "ORDERS", FileFormat.CSV, LoadMode.APPEND);
    }

    static FileLoad load(String blob, String etag, String table, FileFormat format, LoadMode mode) {
        return new FileLoad(
                UUID.randomUUID(),
                "devstoreaccount1",
                "factory-uploads",
                blob,
                etag,
                1,
                table,
                format,
                mode,
                Staging.INTERNAL);
    }

    static InputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private List<Path> stagedFiles() {
        try (var files = Files.walk(dir.resolve("stage"))) {
            return files.filter(p -> !p.equals(dir.resolve("stage"))).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads through a connection to the same in-process database (DuckDB shares the instance). */
    private List<List<Object>> query(String sql) throws SQLException {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
                Statement statement = conn.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            List<List<Object>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
                Statement statement = conn.createStatement()) {
            statement.execute(sql);
        }
    }
}
