package io.snowhook.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.system.TransientFailure;
import io.snowhook.warehouse.ClaimLost;
import io.snowhook.warehouse.FileBatch;
import io.snowhook.warehouse.FileContents;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.FileResult;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadTarget;
import io.snowhook.warehouse.Staging;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.DefaultResourceLoader;

/** The batch port on the real embedded DuckDB: one result per file, one file's failure is its own. */
class DuckDbBatchTest {

    static final String INVENTORY_HEADER = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final LoadTarget INVENTORY = new LoadTarget("INVENTORY", FileFormat.CSV, LoadMode.REPLACE, Staging.INTERNAL);
    static final LoadTarget ORDERS = new LoadTarget("ORDERS", FileFormat.CSV, LoadMode.APPEND, Staging.INTERNAL);

    @TempDir
    Path dir;

    DuckDbWarehouse warehouse;

    @BeforeEach
    void startWarehouse() {
        warehouse = new DuckDbWarehouse(
                new DuckDbProperties(
                        dir.resolve("warehouse.duckdb"),
                        dir.resolve("stage"),
                        "classpath:warehouse/duckdb/javasips.sql",
                        null),
                new DefaultResourceLoader());
    }

    @AfterEach
    void stopWarehouse() {
        warehouse.destroy();
    }

    @Test
    void oneBadFileAmongFiftyFailsAloneWithItsErrorLineAndColumnAndKeepsItsPreviousVersion() throws SQLException {
        List<String> blobs = IntStream.range(0, 50)
                .mapToObj(i -> "inventory/f%02d/2026-11-23.csv".formatted(i))
                .toList();
        Map<String, String> v1 = new HashMap<>();
        blobs.forEach(b -> v1.put(b, inventory(b, 2, false)));
        List<FileResult> first = warehouse.load(batch(INVENTORY, blobs, "0x1"), contents(v1));
        assertThat(first).allSatisfy(r -> assertThat(r).isInstanceOf(FileResult.Loaded.class));

        String bad = blobs.get(17);
        Map<String, String> v2 = new HashMap<>();
        blobs.forEach(b -> v2.put(b, inventory(b, 3, b.equals(bad))));
        FileBatch second = batch(INVENTORY, blobs, "0x2");
        List<FileResult> results = warehouse.load(second, contents(v2));

        assertThat(results).extracting(FileResult::file).containsExactlyElementsOf(second.files());
        for (FileResult result : results) {
            if (result.file().blobName().equals(bad)) {
                FileResult.Failed failed = (FileResult.Failed) result;
                assertThat(failed.failure()).isInstanceOf(FileRejected.class);
                assertThat(failed.error()).contains("many");
                assertThat(failed.line()).isEqualTo(3L);
                assertThat(failed.column()).isEqualTo("quantity_on_hand");
            } else {
                assertThat(result).isEqualTo(new FileResult.Loaded(result.file(), 3, 3));
            }
        }
        for (String blob : blobs) {
            String etag = blob.equals(bad) ? "0x1" : "0x2";
            long rows = blob.equals(bad) ? 2 : 3;
            assertThat(etags("INVENTORY", blob)).as(blob).containsOnly(etag);
            assertThat(rows("INVENTORY", blob)).as(blob).isEqualTo(rows);
        }
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void aCommitTheFenceRefusesIsRolledBackAndTheBlobsKeepTheirRows() throws SQLException {
        List<String> blobs = List.of("inventory/p1/a.csv", "inventory/p2/a.csv", "inventory/p3/a.csv");
        Map<String, String> v1 = new HashMap<>();
        blobs.forEach(b -> v1.put(b, inventory(b, 2, false)));
        warehouse.load(batch(INVENTORY, blobs, "0x1"), contents(v1));
        Map<String, String> v2 = new HashMap<>();
        blobs.forEach(b -> v2.put(b, inventory(b, 3, false)));
        FileBatch second = batch(INVENTORY, blobs, "0x2");
        List<FileLoad> asked = new ArrayList<>();
        ClaimLost lost = new ClaimLost("another worker took over loads of the batch");

        assertThatThrownBy(() -> warehouse.load(second, contents(v2), files -> {
                    asked.addAll(files);
                    throw lost;
                }))
                .isSameAs(lost);

        assertThat(asked).containsExactlyInAnyOrderElementsOf(second.files());
        for (String blob : blobs) {
            assertThat(etags("INVENTORY", blob)).as(blob).containsOnly("0x1");
            assertThat(rows("INVENTORY", blob)).as(blob).isEqualTo(2);
        }
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void aFileAloneWhoseCommitTheFenceRefusesIsRolledBack() throws SQLException {
        String blob = "orders/p4/a.csv";
        ClaimLost lost = new ClaimLost("another worker took the load over");

        assertThatThrownBy(() ->
                        warehouse.load(batch(ORDERS, List.of(blob), "0x1"), file -> stream(orders(blob, 2)), files -> {
                            throw lost;
                        }))
                .isSameAs(lost);

        assertThat(rows("ORDERS", blob)).isZero();
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void loadsPlainAndGzippedFilesOfABatchInOneTransaction() throws SQLException {
        List<String> blobs = IntStream.range(0, 20)
                .mapToObj(i -> "orders/f%02d/2026-11-23.csv%s".formatted(i, i % 2 == 0 ? "" : ".gz"))
                .toList();
        FileContents contents = file -> file.gzipped()
                ? new ByteArrayInputStream(DuckDbWarehouseTest.gzip(orders(file.blobName(), 7)))
                : stream(orders(file.blobName(), 7));

        List<FileResult> results = warehouse.load(batch(ORDERS, blobs, "0x1"), contents);

        assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(new FileResult.Loaded(r.file(), 7, 7)));
        for (String blob : blobs) {
            assertThat(rows("ORDERS", blob)).as(blob).isEqualTo(7);
        }
        // one transaction: every row carries its start time
        assertThat(column("SELECT count(DISTINCT _loaded_at) FROM ORDERS WHERE _source_blob LIKE ?", "orders/%"))
                .containsExactly("1");
    }

    @Test
    void loadsJsonLinesAndParquetBatchesAndFailsAParquetFileWithoutAColumnAlone() throws Exception {
        LoadTarget json = new LoadTarget("ORDERS", FileFormat.JSON, LoadMode.APPEND, Staging.INTERNAL);
        List<String> jsonBlobs = List.of("orders-json/f1/a.json", "orders-json/f1/b.json");
        List<FileResult> jsonResults = warehouse.load(batch(json, jsonBlobs, "0x1"), file -> stream(ordersJson(3)));
        assertThat(jsonResults).allSatisfy(r -> assertThat(r).isEqualTo(new FileResult.Loaded(r.file(), 3, 3)));

        LoadTarget parquet = new LoadTarget("ORDERS", FileFormat.PARQUET, LoadMode.APPEND, Staging.INTERNAL);
        List<String> parquetBlobs = List.of(
                "orders-parquet/f1/a.parquet", "orders-parquet/f1/no-sku.parquet", "orders-parquet/f1/c.parquet");
        byte[] good = parquet("'JS-1' AS sku, ");
        byte[] noSku = parquet("");
        List<FileResult> results = warehouse.load(
                batch(parquet, parquetBlobs, "0x1"),
                file -> new ByteArrayInputStream(file.blobName().contains("no-sku") ? noSku : good));

        assertThat(results.get(0))
                .isEqualTo(new FileResult.Loaded(results.get(0).file(), 3, 3));
        assertThat(results.get(1))
                .isInstanceOfSatisfying(
                        FileResult.Failed.class, f -> assertThat(f.failure()).isInstanceOf(FileRejected.class));
        assertThat(results.get(2))
                .isEqualTo(new FileResult.Loaded(results.get(2).file(), 3, 3));
        assertThat(rows("ORDERS", parquetBlobs.get(1))).isZero();
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void loadsJsonLinesAndCsvBatchesAtTheDefaultMemoryLimitOnFourThreads() throws Exception {
        warehouse.destroy();
        Path init = dir.resolve("init.sql");
        try (InputStream javasips = getClass().getResourceAsStream("/warehouse/duckdb/javasips.sql")) {
            Files.writeString(
                    init, new String(javasips.readAllBytes(), StandardCharsets.UTF_8) + "\nSET threads = 4;\n");
        }
        warehouse = new DuckDbWarehouse(
                new DuckDbProperties(
                        dir.resolve("warehouse.duckdb"),
                        dir.resolve("stage"),
                        "file:" + init,
                        org.springframework.util.unit.DataSize.parse(DuckDbProperties.DEFAULT_MEMORY_LIMIT)),
                new DefaultResourceLoader());

        LoadTarget json = new LoadTarget("ORDERS", FileFormat.JSON, LoadMode.APPEND, Staging.INTERNAL);
        List<String> jsonBlobs = List.of("orders-json/f1/a.json", "orders-json/f1/b.json");
        assertThat(warehouse.load(batch(json, jsonBlobs, "0x1"), file -> stream(ordersJson(3))))
                .allSatisfy(r -> assertThat(r).isEqualTo(new FileResult.Loaded(r.file(), 3, 3)));
        List<String> csvBlobs = List.of("orders/f1/a.csv", "orders/f1/b.csv");
        assertThat(warehouse.load(batch(ORDERS, csvBlobs, "0x1"), file -> stream(orders(file.blobName(), 3))))
                .allSatisfy(r -> assertThat(r).isEqualTo(new FileResult.Loaded(r.file(), 3, 3)));

        // the inserts ran on fewer threads and set DuckDB's setting back
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
                java.sql.Statement statement = conn.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_setting('threads')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(4);
        }
    }

    @Test
    void aFileWhoseContentFailsFailsAloneWithThatFailure() throws SQLException {
        List<String> blobs = List.of("orders/f1/a.csv", "orders/f1/vanished.csv", "orders/f1/truncated.csv");
        IllegalStateException vanished = new IllegalStateException("blob not found");
        IllegalStateException truncated = new IllegalStateException("fewer bytes than the blob's size");
        FileContents contents = file -> switch (file.blobName()) {
            case "orders/f1/vanished.csv" -> throw vanished;
            case "orders/f1/truncated.csv" -> failingAfter(orders(file.blobName(), 5), 40, truncated);
            default -> stream(orders(file.blobName(), 5));
        };

        List<FileResult> results = warehouse.load(batch(ORDERS, blobs, "0x1"), contents);

        assertThat(results.get(0)).isInstanceOf(FileResult.Loaded.class);
        assertThat(((FileResult.Failed) results.get(1)).failure()).isSameAs(vanished);
        assertThat(((FileResult.Failed) results.get(2)).failure()).isSameAs(truncated);
        assertThat(rows("ORDERS", blobs.get(0))).isEqualTo(5);
        assertThat(rows("ORDERS", blobs.get(1))).isZero();
        assertThat(rows("ORDERS", blobs.get(2))).isZero();
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void aStorageOutageFailsTheWholeBatchAndItsRetryLoadsEveryFileOnce() throws SQLException {
        List<String> blobs = List.of("orders/f2/a.csv", "orders/f2/b.csv", "orders/f2/c.csv");
        FileBatch batch = batch(ORDERS, blobs, "0x1");
        FileContents outage = file -> {
            if (file.blobName().endsWith("c.csv")) {
                throw new StorageDown();
            }
            return stream(orders(file.blobName(), 4));
        };

        assertThatThrownBy(() -> warehouse.load(batch, outage)).isInstanceOf(StorageDown.class);

        FileBatch retry = new FileBatch(
                batch.batchId(),
                2,
                batch.target(),
                batch.account(),
                batch.container(),
                batch.files().stream().map(DuckDbBatchTest::nextAttempt).toList());
        List<FileResult> results = warehouse.load(retry, file -> stream(orders(file.blobName(), 4)));

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(FileResult.Loaded.class));
        for (String blob : blobs) {
            assertThat(rows("ORDERS", blob)).as(blob).isEqualTo(4);
        }
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void readsSeveralFilesOfABatchFromStorageAtOnceAndStillLoadsEachOnce() throws Exception {
        List<String> blobs = IntStream.range(0, DuckDbWarehouse.STAGE_PARALLELISM * 2)
                .mapToObj(i -> "orders/f3/" + i + ".csv")
                .toList();
        // every file waits until as many are open as the adapter stages at once: read one after another, they
        // would each wait in vain and fail
        CountDownLatch open = new CountDownLatch(DuckDbWarehouse.STAGE_PARALLELISM);
        FileContents contents = file -> {
            open.countDown();
            try {
                if (!open.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("files read one at a time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return stream(orders(file.blobName(), 3));
        };

        List<FileResult> results = warehouse.load(batch(ORDERS, blobs, "0x1"), contents);

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(FileResult.Loaded.class));
        for (int i = 0; i < blobs.size(); i++) {
            assertThat(results.get(i).file().blobName()).isEqualTo(blobs.get(i));
            assertThat(rows("ORDERS", blobs.get(i))).as(blobs.get(i)).isEqualTo(3);
        }
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void aMissingTableFailsEveryFile() {
        LoadTarget returns = new LoadTarget("RETURNS", FileFormat.CSV, LoadMode.APPEND, Staging.INTERNAL);
        List<FileResult> results = warehouse.load(
                batch(returns, List.of("returns/a.csv", "returns/b.csv"), "0x1"), file -> stream("a\n1\n"));

        assertThat(results)
                .allSatisfy(r -> assertThat(((FileResult.Failed) r).error()).contains("RETURNS"));
    }

    static final class StorageDown extends TransientFailure {
        StorageDown() {
            super("storage unreachable");
        }
    }

    static FileLoad nextAttempt(FileLoad f) {
        return new FileLoad(
                f.loadId(),
                f.account(),
                f.container(),
                f.blobName(),
                f.etag(),
                f.size(),
                f.table(),
                f.format(),
                f.mode(),
                f.staging(),
                f.attempt() + 1);
    }

    static FileBatch batch(LoadTarget target, List<String> blobs, String etag) {
        List<FileLoad> files = blobs.stream()
                .map(b -> new FileLoad(
                        UUID.randomUUID(),
                        "devstoreaccount1",
                        "factory-uploads",
                        b,
                        etag,
                        1,
                        target.table(),
                        target.format(),
                        target.mode(),
                        target.staging()))
                .toList();
        return new FileBatch(UUID.randomUUID(), 1, target, "devstoreaccount1", "factory-uploads", files);
    }

    static FileContents contents(Map<String, String> byBlob) {
        return file -> stream(byBlob.get(file.blobName()));
    }

    static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A stream that fails with {@code failure} after {@code bytes} bytes, as a truncated blob's check does. */
    static InputStream failingAfter(String text, int bytes, RuntimeException failure) {
        return new FilterInputStream(stream(text)) {
            int read;

            @Override
            public int read() throws IOException {
                if (read >= bytes) {
                    throw failure;
                }
                read++;
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= bytes) {
                    throw failure;
                }
                int n = super.read(b, off, Math.min(len, bytes - read));
                read += Math.max(n, 0);
                return n;
            }
        };
    }

    /** {@code rows} rows of one factory's inventory; with {@code bad}, line 3 has a quantity that is no number. */
    static String inventory(String blob, int rows, boolean bad) {
        StringBuilder csv = new StringBuilder(INVENTORY_HEADER);
        for (int i = 1; i <= rows; i++) {
            String quantity = bad && i == 2 ? "many" : Integer.toString(i * 10);
            csv.append("%s,JS-%d,Espresso beans %d,%s,kg,2026-11-23T20:00:00Z\n"
                    .formatted(blob.split("/")[1], i, i, quantity));
        }
        return csv.toString();
    }

    static String ordersJson(int rows) {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            lines.append(("{\"order_id\":\"o-%d\",\"factory_id\":\"f1\",\"sku\":\"JS-10%d\",\"quantity\":%d,"
                            + "\"unit_price\":4.5,\"currency\":\"EUR\",\"ordered_at\":\"2026-11-23T08:00:00Z\","
                            + "\"channel\":\"shop\"}\n")
                    .formatted(i, i, i));
        }
        return lines.toString();
    }

    /** Three orders as Parquet written by DuckDB itself; {@code sku} is the optional sku column's expression. */
    byte[] parquet(String sku) throws SQLException, IOException {
        Path file = Files.createTempFile(dir, "orders", ".parquet");
        Files.delete(file);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement s = c.createStatement()) {
            s.execute(("COPY (SELECT 'o-' || i AS order_id, 'f1' AS factory_id, %s i::INTEGER AS quantity,"
                            + " 4.50::DECIMAL(12,2) AS unit_price, 'EUR' AS currency,"
                            + " TIMESTAMPTZ '2026-11-23 08:00:00+00' AS ordered_at, 'partner' AS channel"
                            + " FROM range(1, 4) t(i)) TO '%s' (FORMAT PARQUET)")
                    .formatted(sku, file));
        }
        return Files.readAllBytes(file);
    }

    static String orders(String blob, int rows) {
        StringBuilder csv = new StringBuilder(ORDERS_HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("o-%d,%s,JS-10%d,%d,4.50,EUR,2026-11-23T08:%02d:00Z,web\n"
                    .formatted(i, blob.split("/")[1], i, i, i));
        }
        return csv.toString();
    }

    long rows(String table, String blob) throws SQLException {
        return Long.parseLong(column("SELECT count(*) FROM " + table + " WHERE _source_blob = ?", blob)
                .get(0));
    }

    List<String> etags(String table, String blob) throws SQLException {
        return column("SELECT DISTINCT _etag FROM " + table + " WHERE _source_blob = ?", blob);
    }

    List<String> column(String sql, String blob) throws SQLException {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
                PreparedStatement statement = conn.prepareStatement(sql)) {
            statement.setString(1, "factory-uploads/" + blob);
            List<String> values = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        }
    }

    List<Path> stagedFiles() {
        try (Stream<Path> files = Files.walk(dir.resolve("stage"))) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
