package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.blob.BlobChanged;
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
import io.snowhook.warehouse.snowflake.fake.SnowflakeFake;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches through the real driver against the wire fake: one COPY per batch, one result per file. */
class SnowflakeBatchTest {

    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final String INVENTORY_HEADER = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
    static final LoadTarget ORDERS = new LoadTarget("ORDERS", FileFormat.CSV, LoadMode.APPEND, Staging.INTERNAL);
    static final LoadTarget INVENTORY = new LoadTarget("INVENTORY", FileFormat.CSV, LoadMode.REPLACE, Staging.INTERNAL);
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");

    @TempDir
    static Path home;

    static SnowflakeFake fake;
    static Path container;
    static FolderBlobs blobs;

    SnowflakeWarehouse warehouse;
    Instant now = NOW;

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
        blobs = new FolderBlobs(container);
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.clearFaults();
        fake.execute("DELETE FROM \"PUBLIC\".\"ORDERS\"");
        fake.execute("DELETE FROM \"PUBLIC\".\"INVENTORY\"");
        fake.clearStatements();
        warehouse = warehouse("SKIP_FILE");
    }

    @AfterEach
    void close() {
        warehouse.close();
    }

    SnowflakeWarehouse warehouse(String onError) {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new SnowflakeWarehouse(SnowflakeWarehouseTest.properties(fake, onError, Map.of()), 4, clock, blobs);
    }

    @Test
    void fourHundredFilesLoadWithOneCopyPerFiftyFilesAndEveryRowOnce() {
        List<String> names = IntStream.range(0, 400)
                .mapToObj(i -> "orders/f%03d/2026-11-23.csv".formatted(i))
                .toList();
        List<FileResult> results = new ArrayList<>();
        for (int from = 0; from < names.size(); from += 50) {
            FileBatch batch = batch(ORDERS, names.subList(from, from + 50), "0x1");
            results.addAll(warehouse.load(batch, file -> csv(orders(file.blobName(), 3))));
        }

        assertThat(results)
                .hasSize(400)
                .allSatisfy(r -> assertThat(r).isEqualTo(new FileResult.Loaded(r.file(), 3, 3)));
        assertThat(fake.statements("COPY")).hasSize(8);
        assertThat(fake.statements("COPY").get(0)).contains("CASE METADATA$FILENAME WHEN 'batches/");
        assertThat(fake.count("SELECT count(*) FROM PUBLIC.ORDERS")).isEqualTo(1200);
        assertThat(fake.count("SELECT count(DISTINCT _SOURCE_BLOB) FROM PUBLIC.ORDERS"))
                .isEqualTo(400);
        assertThat(fake.count("SELECT count(*) FROM (SELECT _SOURCE_BLOB, ORDER_ID FROM PUBLIC.ORDERS"
                        + " GROUP BY 1, 2 HAVING count(*) > 1)"))
                .isZero();
        // every row's lineage is its own file's
        assertThat(fake.count(
                        "SELECT count(*) FROM PUBLIC.ORDERS WHERE FACTORY_ID <> split_part(_SOURCE_BLOB, '/', 3)"))
                .isZero();
        assertThat(fake.stagedFiles()).isEmpty();
        // per batch of 50: 50 uploads, then BEGIN, COPY, DELETE, COMMIT, REMOVE (and the sweeps' LISTs once)
        assertThat(fake.statements("DELETE")).hasSize(8);
        assertThat(fake.statements("REMOVE")).hasSize(8);
    }

    @Test
    void oneBadFileAmongFiftyFailsAloneAndItsPreviousVersionKeepsItsRows() {
        List<String> names = IntStream.range(0, 50)
                .mapToObj(i -> "inventory/f%02d/2026-11-23.csv".formatted(i))
                .toList();
        List<FileResult> first = warehouse.load(batch(INVENTORY, names, "0x1"), file -> csv(inventory(file, 2, false)));
        assertThat(first).allSatisfy(r -> assertThat(r).isInstanceOf(FileResult.Loaded.class));

        String bad = names.get(17);
        now = NOW.plusSeconds(60);
        FileBatch second = batch(INVENTORY, names, "0x2");
        List<FileResult> results = warehouse.load(
                second, file -> csv(inventory(file, 3, file.blobName().equals(bad))));

        assertThat(results).extracting(FileResult::file).containsExactlyElementsOf(second.files());
        for (FileResult result : results) {
            if (result.file().blobName().equals(bad)) {
                FileResult.Failed failed = (FileResult.Failed) result;
                assertThat(failed.failure()).isInstanceOf(FileRejected.class);
                assertThat(failed.error()).startsWith("LOAD_FAILED: Numeric value 'many' is not recognized");
                assertThat(failed.line()).isEqualTo(3L);
                assertThat(failed.column()).isEqualTo("\"INVENTORY\"[\"QUANTITY_ON_HAND\":4]");
            } else {
                assertThat(result).isEqualTo(new FileResult.Loaded(result.file(), 3, 3));
            }
        }
        for (String name : names) {
            String blob = "factory-uploads/" + name;
            assertThat(fake.query("SELECT DISTINCT _ETAG FROM PUBLIC.INVENTORY WHERE _SOURCE_BLOB = '" + blob + "'"))
                    .as(name)
                    .containsExactly(List.of(name.equals(bad) ? "0x1" : "0x2"));
            assertThat(fake.count("SELECT count(*) FROM PUBLIC.INVENTORY WHERE _SOURCE_BLOB = '" + blob + "'"))
                    .as(name)
                    .isEqualTo(name.equals(bad) ? 2 : 3);
        }
        assertThat(fake.statements("COPY")).hasSize(2);
    }

    @Test
    void withOnErrorContinueAPartlyLoadedFileFailsAndLeavesNoRows() {
        warehouse.close();
        warehouse = warehouse("CONTINUE");
        List<String> names = List.of("inventory/g1/a.csv", "inventory/g2/a.csv", "inventory/g3/a.csv");
        warehouse.load(batch(INVENTORY, names, "0x1"), file -> csv(inventory(file, 2, false)));
        now = NOW.plusSeconds(60);

        List<FileResult> results = warehouse.load(
                batch(INVENTORY, names, "0x2"),
                file -> csv(inventory(file, 4, file.blobName().contains("g2"))));

        assertThat(results.get(0)).isInstanceOf(FileResult.Loaded.class);
        assertThat(results.get(1))
                .isInstanceOfSatisfying(
                        FileResult.Failed.class, f -> assertThat(f.error()).startsWith("PARTIALLY_LOADED"));
        assertThat(results.get(2)).isInstanceOf(FileResult.Loaded.class);
        assertThat(fake.query("SELECT _ETAG, count(*) FROM PUBLIC.INVENTORY WHERE _SOURCE_BLOB ="
                        + " 'factory-uploads/inventory/g2/a.csv' GROUP BY 1"))
                .containsExactly(List.of("0x1", "2"));
        assertThat(fake.count("SELECT count(*) FROM PUBLIC.INVENTORY WHERE _ETAG = '0x2'"))
                .isEqualTo(8);
    }

    @Test
    void withOnErrorAbortStatementEachFileLoadsInAStatementOfItsOwn() {
        warehouse.close();
        warehouse = warehouse("ABORT_STATEMENT");
        List<String> names = List.of("orders/h1/a.csv", "orders/h2/bad.csv", "orders/h3/a.csv");

        List<FileResult> results = warehouse.load(
                batch(ORDERS, names, "0x1"),
                file -> csv(
                        file.blobName().contains("bad")
                                ? ORDERS_HEADER + "o-1,h2,JS-1,lots,1.00,EUR,2026-11-23T08:00:00Z,web\n"
                                : orders(file.blobName(), 2)));

        assertThat(results.get(0)).isInstanceOf(FileResult.Loaded.class);
        assertThat(results.get(1))
                .isInstanceOfSatisfying(
                        FileResult.Failed.class, f -> assertThat(f.line()).isEqualTo(2L));
        assertThat(results.get(2)).isInstanceOf(FileResult.Loaded.class);
        assertThat(fake.statements("COPY")).hasSize(3);
        assertThat(fake.count("SELECT count(*) FROM PUBLIC.ORDERS")).isEqualTo(4);
    }

    @Test
    void aFileWhoseContentFailsFailsAloneAndAnOutageFailsTheBatch() {
        List<String> names = List.of("orders/k1/a.csv", "orders/k2/vanished.csv", "orders/k3/a.csv");
        IllegalStateException vanished = new IllegalStateException("blob not found");
        List<FileResult> results = warehouse.load(batch(ORDERS, names, "0x1"), file -> {
            if (file.blobName().contains("vanished")) {
                throw vanished;
            }
            return csv(orders(file.blobName(), 2));
        });
        assertThat(((FileResult.Failed) results.get(1)).failure()).isSameAs(vanished);
        assertThat(results.get(0)).isInstanceOf(FileResult.Loaded.class);
        assertThat(results.get(2)).isInstanceOf(FileResult.Loaded.class);

        FileContents outage = file -> {
            throw new StorageDown();
        };
        assertThatThrownBy(() ->
                        warehouse.load(batch(ORDERS, List.of("orders/k4/a.csv", "orders/k5/a.csv"), "0x1"), outage))
                .isInstanceOf(StorageDown.class);
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void externalStagingPinsEachFileAndLoadsTheBatchWithOneCopy() throws IOException {
        LoadTarget direct = new LoadTarget("ORDERS", FileFormat.CSV, LoadMode.APPEND, Staging.EXTERNAL);
        List<String> names = List.of("direct/m1/a.csv", "direct/m2/a.csv", "direct/m3/changed.csv");
        for (String name : names) {
            Path file = container.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, orders(name, 2));
        }
        blobs.etag("direct/m3/changed.csv", "0x9");

        List<FileResult> results = warehouse.load(batch(direct, names, "0x1"), file -> {
            throw new AssertionError("external staging reads no content");
        });

        assertThat(results.get(0))
                .isEqualTo(new FileResult.Loaded(results.get(0).file(), 2, 2));
        assertThat(results.get(1))
                .isEqualTo(new FileResult.Loaded(results.get(1).file(), 2, 2));
        assertThat(((FileResult.Failed) results.get(2)).failure()).isInstanceOf(BlobChanged.class);
        assertThat(fake.statements("COPY")).hasSize(1);
        assertThat(fake.count("SELECT count(*) FROM PUBLIC.ORDERS WHERE _SOURCE_BLOB LIKE 'factory-uploads/direct/%'"))
                .isEqualTo(4);
        try (var left = Files.walk(container.resolve(SnowflakeWarehouse.PINNED))) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void aCommitTheFenceRefusesIsRolledBackAndTheBlobsKeepTheirRows() {
        List<String> names = List.of("inventory/p1/a.csv", "inventory/p2/a.csv", "inventory/p3/a.csv");
        warehouse.load(batch(INVENTORY, names, "0x1"), file -> csv(inventory(file, 2, false)));
        now = NOW.plusSeconds(60);
        int commits = fake.statements("COMMIT").size();
        FileBatch second = batch(INVENTORY, names, "0x2");
        List<FileLoad> asked = new ArrayList<>();
        ClaimLost lost = new ClaimLost("another worker took over loads of the batch");

        assertThatThrownBy(() -> warehouse.load(second, file -> csv(inventory(file, 3, false)), files -> {
                    asked.addAll(files);
                    throw lost;
                }))
                .isSameAs(lost);

        assertThat(asked).containsExactlyElementsOf(second.files());
        assertThat(fake.statements("COMMIT")).hasSize(commits);
        assertThat(fake.statements("ROLLBACK")).hasSize(1);
        assertThat(fake.query("SELECT _ETAG, count(*) FROM PUBLIC.INVENTORY GROUP BY 1"))
                .containsExactly(List.of("0x1", "6"));
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void fileByFileACommitTheFenceRefusesIsRolledBackAndEndsTheBatch() {
        warehouse.close();
        warehouse = warehouse("ABORT_STATEMENT");
        List<String> names = List.of("orders/q1/a.csv", "orders/q2/a.csv");
        ClaimLost lost = new ClaimLost("another worker took the load over");
        List<FileLoad> asked = new ArrayList<>();

        FileBatch batch = batch(ORDERS, names, "0x1");

        assertThatThrownBy(() -> warehouse.load(batch, file -> csv(orders(file.blobName(), 2)), files -> {
                    asked.addAll(files);
                    if (asked.size() == 2) {
                        throw lost;
                    }
                }))
                .isInstanceOfSatisfying(ClaimLost.class, e -> {
                    assertThat(e).hasMessage(lost.getMessage());
                    // the first file committed under a claim the fence vouched for: its result stands
                    assertThat(e.settled())
                            .containsExactly(new FileResult.Loaded(batch.files().get(0), 2, 2));
                });

        // the second was rolled back
        assertThat(asked).extracting(FileLoad::blobName).containsExactlyElementsOf(names);
        assertThat(fake.query("SELECT DISTINCT _SOURCE_BLOB FROM PUBLIC.ORDERS"))
                .containsExactly(List.of("factory-uploads/orders/q1/a.csv"));
        assertThat(fake.stagedFiles()).isEmpty();
    }

    static final class StorageDown extends TransientFailure {
        StorageDown() {
            super("storage unreachable");
        }
    }

    static FileBatch batch(LoadTarget target, List<String> names, String etag) {
        List<FileLoad> files = names.stream()
                .map(n -> new FileLoad(
                        UUID.randomUUID(),
                        "devstoreaccount1",
                        "factory-uploads",
                        n,
                        etag,
                        0,
                        target.table(),
                        target.format(),
                        target.mode(),
                        target.staging()))
                .toList();
        return new FileBatch(UUID.randomUUID(), 1, target, "devstoreaccount1", "factory-uploads", files);
    }

    static InputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    static String orders(String blob, int rows) {
        StringBuilder csv = new StringBuilder(ORDERS_HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("o-%d,%s,JS-10%d,%d,4.50,EUR,2026-11-23T08:%02d:00Z,web\n"
                    .formatted(i, blob.split("/")[1], i, i, i));
        }
        return csv.toString();
    }

    /** {@code rows} inventory rows; with {@code bad}, file line 3 has a quantity that is no number. */
    static String inventory(FileLoad file, int rows, boolean bad) {
        StringBuilder csv = new StringBuilder(INVENTORY_HEADER);
        for (int i = 1; i <= rows; i++) {
            String quantity = bad && i == 2 ? "many" : Integer.toString(i * 10);
            csv.append("%s,JS-%d,Beans %d,%s,kg,2026-11-23T20:00:00Z\n"
                    .formatted(file.blobName().split("/")[1], i, i, quantity));
        }
        return csv.toString();
    }
}
