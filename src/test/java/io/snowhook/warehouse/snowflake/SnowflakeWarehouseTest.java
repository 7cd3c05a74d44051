package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.system.TransientFailure;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Staging;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import io.snowhook.warehouse.snowflake.fake.SnowflakeFake;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class SnowflakeWarehouseTest {

    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";

    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final String LOADED_AT = "'2026-11-24 06:00:00.000000+00:00'::TIMESTAMP_TZ";
    static final String STAGE = "@\"DB\".\"PUBLIC\".\"SNOWHOOK_STAGE\"";
    static final String ORDERS_COLUMNS =
            "\"ORDER_ID\", \"FACTORY_ID\", \"SKU\", \"QUANTITY\", \"UNIT_PRICE\", \"CURRENCY\","
                    + " \"ORDERED_AT\", \"CHANNEL\", \"_SOURCE_BLOB\", \"_ETAG\", \"_LOAD_ID\", \"_LOADED_AT\", \"_ROW_NUMBER\"";

    @TempDir
    static Path home;

    static SnowflakeFake fake;
    static Path container;
    static FolderBlobs blobs;

    SnowflakeWarehouse warehouse;

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
        fake.execute("CREATE TABLE \"PUBLIC\".\"NO_LINEAGE\" (\"A\" VARCHAR)");
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
        warehouse = warehouse("SKIP_FILE", Map.of());
    }

    @AfterEach
    void close() {
        warehouse.close();
    }

    static SnowflakeWarehouse warehouse(String onError, Map<String, String> extra) {
        return new SnowflakeWarehouse(properties(fake, onError, extra), 4, Clock.fixed(NOW, ZoneOffset.UTC), blobs);
    }

    static SnowflakeProperties properties(SnowflakeFake fake, String onError, Map<String, String> extra) {
        return properties(fake, onError, extra, Duration.ofSeconds(20));
    }

    static SnowflakeProperties properties(
            SnowflakeFake fake, String onError, Map<String, String> extra, Duration connectionTimeout) {
        Map<String, String> jdbc = new HashMap<>(Map.of("disablePlatformDetection", "true", "maxHttpRetries", "1"));
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
                onError,
                null,
                connectionTimeout,
                jdbc,
                SnowflakeProperties.Transactions.defaults());
    }

    static FileLoad orders(String blob, String etag, Staging staging) {
        return orders(blob, etag, staging, LoadMode.APPEND);
    }

    static FileLoad orders(String blob, String etag, Staging staging, LoadMode mode) {
        return new FileLoad(
                UUID.randomUUID(),
                "devstoreaccount1",
                "factory-uploads",
                blob,
                etag,
                0,
                "ORDERS",
                FileFormat.CSV,
                mode,
                staging);
    }

    static FileLoad inventory(String blob, String etag) {
        return new FileLoad(
                UUID.randomUUID(),
                "devstoreaccount1",
                "factory-uploads",
                blob,
                etag,
                0,
                "INVENTORY",
                FileFormat.CSV,
                LoadMode.REPLACE,
                Staging.INTERNAL);
    }

    static String ordersCsv(String... rows) {
        return ORDERS_HEADER + String.join("\n", rows) + "\n";
    }

    static InputStream csv(String... rows) {
        return new ByteArrayInputStream(ordersCsv(rows).getBytes(StandardCharsets.UTF_8));
    }

    static final String O1 = "o1,f1,sku-1,3,2.50,EUR,2026-11-23T10:00:00Z,web";
    static final String O2 = "o2,f1,sku-2,1,9.00,EUR,2026-11-23T11:00:00Z,shop";

    long orderRows() {
        return fake.count("SELECT count(*) FROM PUBLIC.ORDERS");
    }

    @Test
    void loadsAFileThroughTheInternalStageWithExactlyThisSql() {
        FileLoad file = orders("orders/f1/2026-11-23.csv", "0x8D1", Staging.INTERNAL);

        LoadResult result = warehouse.load(file, csv(O1, O2));

        assertThat(result).isEqualTo(new LoadResult(2, 2));
        String id = file.loadId().toString();
        assertThat(fake.statements())
                .containsExactly(
                        "put file:///tmp/placeholder " + STAGE + "/loads/" + id + "/1 overwrite=true",
                        "SELECT COLUMN_NAME FROM \"DB\".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC'"
                                + " AND TABLE_NAME = 'ORDERS' ORDER BY ORDINAL_POSITION",
                        "BEGIN",
                        "DELETE FROM \"DB\".\"PUBLIC\".\"ORDERS\" WHERE \"_SOURCE_BLOB\" ="
                                + " 'factory-uploads/orders/f1/2026-11-23.csv' AND \"_ETAG\" = '0x8D1'",
                        "COPY INTO \"DB\".\"PUBLIC\".\"ORDERS\" (" + ORDERS_COLUMNS
                                + ") FROM (SELECT $1, $2, $3, $4, $5,"
                                + " $6, $7, $8, 'factory-uploads/orders/f1/2026-11-23.csv', '0x8D1', '" + id + "', "
                                + LOADED_AT + ", METADATA$FILE_ROW_NUMBER FROM " + STAGE + "/loads/" + id + "/1/)"
                                + " FILES = ('data.csv.gz') FILE_FORMAT = (FORMAT_NAME ="
                                + " \"DB\".\"PUBLIC\".\"SNOWHOOK_CSV\") ON_ERROR = SKIP_FILE FORCE = TRUE",
                        "COMMIT",
                        "REMOVE " + STAGE + "/loads/" + id + "/1/",
                        "LIST " + STAGE + "/loads/",
                        "LIST " + STAGE + "/batches/");
        assertThat(fake.query("SELECT ORDER_ID, QUANTITY, UNIT_PRICE, _SOURCE_BLOB, _ETAG, _LOAD_ID, _ROW_NUMBER,"
                        + " _LOADED_AT = TIMESTAMPTZ '2026-11-24 06:00:00+00' FROM PUBLIC.ORDERS ORDER BY 1"))
                .containsExactly(
                        List.of(
                                "o1",
                                "3",
                                "2.50",
                                "factory-uploads/orders/f1/2026-11-23.csv",
                                "0x8D1",
                                id,
                                "1",
                                "true"),
                        List.of(
                                "o2",
                                "1",
                                "9.00",
                                "factory-uploads/orders/f1/2026-11-23.csv",
                                "0x8D1",
                                id,
                                "2",
                                "true"));
    }

    @Test
    void removesStagedFilesAfterLoadsThatSucceedAndThatFail() {
        warehouse.load(orders("orders/f1/a.csv", "0x1", Staging.INTERNAL), csv(O1));
        assertThatThrownBy(() -> warehouse.load(
                        orders("orders/f1/b.csv", "0x1", Staging.INTERNAL), csv("o9,f1,sku,many,1,EUR,,web")))
                .isInstanceOf(FileRejected.class);

        assertThat(fake.statements("REMOVE")).hasSize(2);
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void loadsStraightFromTheExternalStageWithoutUploadingBytes() throws IOException {
        Files.createDirectories(container.resolve("orders/f2"));
        Files.writeString(container.resolve("orders/f2/2026-11-23.csv"), ordersCsv(O1, O2));
        FileLoad file = orders("orders/f2/2026-11-23.csv", "0x8D2", Staging.EXTERNAL);

        assertThat(warehouse.readsFromStorage(file)).isTrue();
        LoadResult result = warehouse.load(file, null);

        assertThat(result).isEqualTo(new LoadResult(2, 2));
        assertThat(fake.statements("PUT")).isEmpty();
        assertThat(fake.statements("REMOVE")).isEmpty();
        assertThat(fake.statements("COPY"))
                .containsExactly("COPY INTO \"DB\".\"PUBLIC\".\"ORDERS\" (" + ORDERS_COLUMNS + ") FROM (SELECT $1, $2,"
                        + " $3, $4, $5, $6, $7, $8, 'factory-uploads/orders/f2/2026-11-23.csv', '0x8D2', '"
                        + file.loadId() + "', " + LOADED_AT + ", METADATA$FILE_ROW_NUMBER FROM"
                        + " @\"DB\".\"PUBLIC\".\"FACTORY_UPLOADS\") FILES = ('.snowhook/" + file.loadId()
                        + "/1/orders/f2/2026-11-23.csv')"
                        + " FILE_FORMAT = (FORMAT_NAME = \"DB\".\"PUBLIC\".\"SNOWHOOK_CSV\") ON_ERROR = SKIP_FILE"
                        + " FORCE = TRUE");
        assertThat(orderRows()).isEqualTo(2);
        assertThat(blobs.pinned()).as("the pinned copy is deleted").isEmpty();
    }

    @Test
    void anExternalBlobOverwrittenBeforeItsLoadIsSupersededAndLoadsNothing() throws IOException {
        for (LoadMode mode : LoadMode.values()) {
            String name = "orders/f4/overwritten-" + mode + ".csv";
            Files.createDirectories(container.resolve("orders/f4"));
            Files.writeString(container.resolve(name), ordersCsv(O1, O2));
            blobs.etag(name, "0xV2");
            FileLoad first = orders(name, "0xV1", Staging.EXTERNAL, mode);

            assertThatThrownBy(() -> warehouse.load(first, null))
                    .as(mode.toString())
                    .isInstanceOf(io.snowhook.blob.BlobChanged.class);
            assertThat(fake.statements("COPY")).as(mode.toString()).isEmpty();
            assertThat(blobs.pinned()).isEmpty();
        }
        assertThat(orderRows()).isZero();
    }

    @Test
    void aPinnedCopyOutlivingItsTryIsRemovedByTheNextExternalLoad() throws IOException {
        Path orphan = container.resolve(".snowhook/" + UUID.randomUUID() + "/1/orders/old.csv");
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, ordersCsv(O1));
        Files.setLastModifiedTime(orphan, FileTime.from(NOW.minus(Duration.ofDays(1))));
        Files.createDirectories(container.resolve("orders/f5"));
        Files.writeString(container.resolve("orders/f5/new.csv"), ordersCsv(O1));

        warehouse.load(orders("orders/f5/new.csv", "0x5", Staging.EXTERNAL), null);

        assertThat(blobs.pinned()).isEmpty();
    }

    @Test
    void stagesAGzippedBlobAsItIsWithoutCompressingItAgain() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(ordersCsv(O1, O2).getBytes(StandardCharsets.UTF_8));
        }

        LoadResult result = warehouse.load(
                orders("orders/f1/2026-11-23.csv.gz", "0x3", Staging.INTERNAL),
                new ByteArrayInputStream(gz.toByteArray()));

        assertThat(result.rowsLoaded()).isEqualTo(2);
        assertThat(fake.statements("COPY").get(0)).contains("FILES = ('data.csv.gz')");
    }

    @Test
    void runningTheSameLoadAgainLeavesItsRowsOnce() {
        FileLoad file = orders("orders/f1/again.csv", "0x4", Staging.INTERNAL);

        warehouse.load(file, csv(O1, O2));
        warehouse.load(file, csv(O1, O2));

        assertThat(orderRows()).isEqualTo(2);
        assertThat(fake.statements("COPY")).allSatisfy(sql -> assertThat(sql).endsWith("FORCE = TRUE"));
    }

    @Test
    void appendModeKeepsTheRowsOfOtherVersions() {
        warehouse.load(orders("orders/f1/day.csv", "0xA", Staging.INTERNAL), csv(O1));
        warehouse.load(orders("orders/f1/day.csv", "0xB", Staging.INTERNAL), csv(O2));

        assertThat(orderRows()).isEqualTo(2);
    }

    @Test
    void replaceModeReplacesTheRowsOfEarlierVersions() {
        String header = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";
        warehouse.load(
                inventory("inventory/f1/day.csv", "0xA"),
                stream(header + "f1,s1,Beans,10,kg,2026-11-23T20:00:00Z\n"
                        + "f1,s2,Cups,5,pcs,2026-11-23T20:00:00Z\n"));
        warehouse.load(
                inventory("inventory/f1/day.csv", "0xB"), stream(header + "f1,s1,Beans,7,kg,2026-11-23T21:00:00Z\n"));

        assertThat(fake.query("SELECT SKU, QUANTITY_ON_HAND, _ETAG FROM PUBLIC.INVENTORY"))
                .containsExactly(List.of("s1", "7", "0xB"));
        assertThat(fake.statements("DELETE").get(1))
                .isEqualTo("DELETE FROM \"DB\".\"PUBLIC\".\"INVENTORY\" WHERE \"_SOURCE_BLOB\" ="
                        + " 'factory-uploads/inventory/f1/day.csv'");
    }

    @Test
    void aLoadFailedFileIsRejectedWithTheFirstErrorAndLeavesNoRows() {
        FileLoad file = orders("orders/f1/bad.csv", "0x5", Staging.INTERNAL);

        assertThatThrownBy(() -> warehouse.load(file, csv(O1, "o2,f1,sku-2,lots,9.00,EUR,2026-11-23T11:00:00Z,shop")))
                .isInstanceOfSatisfying(FileRejected.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("LOAD_FAILED: Numeric value 'lots' is not recognized");
                    assertThat(e.line()).isEqualTo(3L);
                    assertThat(e.column()).isEqualTo("\"ORDERS\"[\"QUANTITY\":4]");
                });

        assertThat(orderRows()).isZero();
        assertThat(fake.statements()).contains("ROLLBACK").doesNotContain("COMMIT");
    }

    @Test
    void aPartiallyLoadedFileIsRejectedAndItsGoodRowsRolledBack() {
        try (SnowflakeWarehouse continuing = warehouse("CONTINUE", Map.of())) {
            FileLoad file = orders("orders/f1/partial.csv", "0x6", Staging.INTERNAL);

            assertThatThrownBy(() -> continuing.load(file, csv(O1, "o2,f1,sku-2,1,9.00,EUR,yesterday,shop", O2)))
                    .isInstanceOfSatisfying(FileRejected.class, e -> {
                        assertThat(e.getMessage())
                                .isEqualTo("PARTIALLY_LOADED: Timestamp 'yesterday' is not recognized");
                        assertThat(e.line()).isEqualTo(3L);
                        assertThat(e.column()).isEqualTo("\"ORDERS\"[\"ORDERED_AT\":7]");
                    });
        }
        assertThat(orderRows()).isZero();
    }

    @Test
    void aDataErrorThatAbortsTheStatementIsAFileRejection() {
        try (SnowflakeWarehouse aborting = warehouse("ABORT_STATEMENT", Map.of())) {
            assertThatThrownBy(() -> aborting.load(
                            orders("orders/f1/abort.csv", "0x7", Staging.INTERNAL),
                            csv(O1, O1, "o3,f1,sku-2,x,9.00,EUR,2026-11-23T11:00:00Z,shop")))
                    .isInstanceOfSatisfying(FileRejected.class, e -> {
                        assertThat(e.getMessage()).isEqualTo("Numeric value 'x' is not recognized");
                        assertThat(e.line()).isEqualTo(4L);
                        assertThat(e.column()).isEqualTo("\"ORDERS\"[\"QUANTITY\":4]");
                    });
        }
        assertThat(orderRows()).isZero();
    }

    @Test
    void aBlobMissingFromTheExternalStageIsNotFoundNeitherAnEmptySuccessNorARejectedFile() {
        FileLoad missing = orders("orders/f9/not-there.csv", "0x8", Staging.EXTERNAL);

        assertThatThrownBy(() -> warehouse.load(missing, null))
                .isInstanceOf(io.snowhook.blob.BlobNotFound.class)
                .isNotInstanceOf(TransientFailure.class);
        assertThat(fake.statements("COPY")).isEmpty();
    }

    @Test
    void runningTheSameExternalLoadAgainLoadsTheFileAgainDespiteLoadMetadata() throws IOException {
        Files.createDirectories(container.resolve("orders/f3"));
        Files.writeString(container.resolve("orders/f3/again.csv"), ordersCsv(O1, O2));
        FileLoad file = orders("orders/f3/again.csv", "0x8D3", Staging.EXTERNAL);

        warehouse.load(file, null);
        LoadResult again = warehouse.load(file, null);

        assertThat(again).isEqualTo(new LoadResult(2, 2));
        assertThat(orderRows()).isEqualTo(2);
    }

    @Test
    void aStageSnowflakeMayNotReadFailsForGoodAndIsNotARejectedFile() {
        fake.failWith(SnowflakeFake.Failure.STAGE_ACCESS_FAILED, 1, "COPY");

        assertThatThrownBy(() -> warehouse.load(orders("orders/f1/denied.csv", "0x1", Staging.INTERNAL), csv(O1)))
                .isInstanceOf(WarehouseFailure.class)
                .isNotInstanceOf(TransientFailure.class)
                .hasMessageContaining("storage integration");
    }

    @Test
    void aResourceMonitorQuotaIsTransientAndNotARejectedFile() {
        fake.failWith(SnowflakeFake.Failure.QUOTA_EXCEEDED, 1, "COPY");

        assertThatThrownBy(() -> warehouse.load(orders("orders/f1/quota.csv", "0x1", Staging.INTERNAL), csv(O1)))
                .isInstanceOf(TransientFailure.class)
                .hasMessageContaining("resource monitor");
    }

    @Test
    void aSessionThatIsGoneIsTransientAndTheRetryLogsInAfresh() {
        warehouse.check();
        int logins = fake.logins().size();
        fake.failWith(SnowflakeFake.Failure.SESSION_GONE, 1, "BEGIN");

        FileLoad file = orders("orders/f1/gone.csv", "0x1", Staging.INTERNAL);
        assertThatThrownBy(() -> warehouse.load(file, csv(O1))).isInstanceOf(TransientFailure.class);
        warehouse.load(file, csv(O1));

        assertThat(fake.logins()).hasSize(logins + 1);
        assertThat(orderRows()).isEqualTo(1);
    }

    @Test
    void failedStageUploadsAreTransient() {
        fake.failWith(SnowflakeFake.Failure.AZURE_UPLOAD_FAILED, 1, "put");
        fake.failWith(SnowflakeFake.Failure.FILE_TRANSFER_FAILED, 1, "put");
        FileLoad file = orders("orders/f1/upload.csv", "0x1", Staging.INTERNAL);

        assertThatThrownBy(() -> warehouse.load(file, csv(O1))).isInstanceOf(TransientFailure.class);
        assertThatThrownBy(() -> warehouse.load(file, csv(O1))).isInstanceOf(TransientFailure.class);
        warehouse.load(file, csv(O1));
        assertThat(orderRows()).isEqualTo(1);
    }

    @Test
    void aMissingWarehouseOrAForbiddenAddressFailsForGoodSayingWhat() {
        for (SnowflakeFake.Failure refusal :
                List.of(SnowflakeFake.Failure.OBJECT_DOES_NOT_EXIST, SnowflakeFake.Failure.IP_NOT_ALLOWED)) {
            fake.refuseLogins(refusal);
            try (SnowflakeWarehouse refused =
                    new SnowflakeWarehouse(properties(fake, "SKIP_FILE", Map.of(), Duration.ofSeconds(2)), 1)) {
                assertThatThrownBy(refused::check)
                        .isInstanceOf(WarehouseFailure.class)
                        .isNotInstanceOf(TransientFailure.class)
                        .hasMessageContaining(refusal.code().equals("390201") ? "schema, warehouse" : "network policy");
            }
        }
    }

    @Test
    void aTryRemovesOnlyItsOwnStagedFilesNotThoseOfATryThatTookTheLoadOver() throws IOException {
        FileLoad first = orders("orders/f1/takeover.csv", "0x1", Staging.INTERNAL);
        // the try that took the load over (attempt 2) has staged its file and not yet run its COPY
        Path second = fake.internalStage("SNOWHOOK_STAGE").resolve("loads/" + first.loadId() + "/2/data.csv.gz");
        Files.createDirectories(second.getParent());
        Files.write(second, gzip(ordersCsv(O1)));

        warehouse.load(first, csv(O1));

        assertThat(second).exists();
        assertThat(fake.statements("REMOVE")).containsExactly("REMOVE " + STAGE + "/loads/" + first.loadId() + "/1/");
        Files.delete(second);
    }

    @Test
    void removesStagedFilesOrphanedLongerThanAnyTryCanLast() throws IOException {
        Path stage = fake.internalStage("SNOWHOOK_STAGE");
        Path orphan = stage.resolve("loads/" + UUID.randomUUID() + "/1/data.csv.gz");
        Path recent = stage.resolve("loads/" + UUID.randomUUID() + "/1/data.csv.gz");
        for (Path p : List.of(orphan, recent)) {
            Files.createDirectories(p.getParent());
            Files.write(p, gzip(ordersCsv(O1)));
        }
        // lease 5m + lock timeout 5m + statement timeout 1h: older than 1h10m belongs to no running try
        Files.setLastModifiedTime(orphan, FileTime.from(NOW.minus(Duration.ofMinutes(71))));
        Files.setLastModifiedTime(recent, FileTime.from(NOW.minus(Duration.ofMinutes(69))));

        // a batch still staging its files: its first file is old, its last one new; the batch is judged by the newest
        String staging = "batches/" + UUID.randomUUID() + "/1/";
        Path firstStaged = stage.resolve(staging + UUID.randomUUID() + "/data.csv.gz");
        Path lastStaged = stage.resolve(staging + UUID.randomUUID() + "/data.csv.gz");
        for (Path p : List.of(firstStaged, lastStaged)) {
            Files.createDirectories(p.getParent());
            Files.write(p, gzip(ordersCsv(O1)));
        }
        Files.setLastModifiedTime(firstStaged, FileTime.from(NOW.minus(Duration.ofMinutes(90))));
        Files.setLastModifiedTime(lastStaged, FileTime.from(NOW.minus(Duration.ofMinutes(1))));

        warehouse.load(orders("orders/f1/sweep.csv", "0x1", Staging.INTERNAL), csv(O1));

        assertThat(orphan).doesNotExist();
        assertThat(recent).exists();
        assertThat(firstStaged).as("a file of a batch that is still staging").exists();
        assertThat(lastStaged).exists();
        Files.delete(recent);
        Files.delete(firstStaged);
        Files.delete(lastStaged);
    }

    @Test
    void setsTheSessionsLockAndStatementTimeoutsAtLogin() {
        warehouse.check();

        JsonNode parameters = fake.logins().get(fake.logins().size() - 1).path("SESSION_PARAMETERS");
        assertThat(parameters.path("LOCK_TIMEOUT").asString()).isEqualTo("300");
        assertThat(parameters.path("STATEMENT_TIMEOUT_IN_SECONDS").asString()).isEqualTo("3600");
    }

    @Test
    void answersResultSetsInArrowUnlessTheSessionAsksForJson() {
        fake.clearResultFormats();
        warehouse.load(orders("orders/f1/arrow.csv", "0x1", Staging.INTERNAL), csv(O1));
        assertThat(fake.resultFormats()).isNotEmpty().containsOnly("arrow");

        fake.clearResultFormats();
        try (SnowflakeWarehouse json = warehouse("SKIP_FILE", Map.of("JDBC_QUERY_RESULT_FORMAT", "JSON"))) {
            json.load(orders("orders/f1/json.csv", "0x1", Staging.INTERNAL), csv(O2));
        }
        assertThat(fake.resultFormats()).isNotEmpty().containsOnly("json");
        assertThat(orderRows()).isEqualTo(2);
    }

    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return gz.toByteArray();
    }

    @Test
    void anExternalLoadNeedsAStageForItsContainer() {
        FileLoad other = new FileLoad(
                UUID.randomUUID(),
                "acc",
                "other-container",
                "orders/x.csv",
                "0x1",
                0,
                "ORDERS",
                FileFormat.CSV,
                LoadMode.APPEND,
                Staging.EXTERNAL);

        assertThatThrownBy(() -> warehouse.load(other, null))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("snowhook.warehouse.snowflake.external-stages.other-container");
    }

    @Test
    void aTableWithoutLineageColumnsFailsNamingThem() {
        FileLoad file = new FileLoad(
                UUID.randomUUID(),
                "acc",
                "factory-uploads",
                "x.csv",
                "0x1",
                0,
                "NO_LINEAGE",
                FileFormat.CSV,
                LoadMode.APPEND,
                Staging.INTERNAL);

        assertThatThrownBy(() -> warehouse.load(file, stream("a\n1\n")))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("lacks the lineage columns [_SOURCE_BLOB, _ETAG, _LOAD_ID, _LOADED_AT]");
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void aMissingTableFailsForGood() {
        FileLoad file = new FileLoad(
                UUID.randomUUID(),
                "acc",
                "factory-uploads",
                "x.csv",
                "0x1",
                0,
                "RETURNS",
                FileFormat.CSV,
                LoadMode.APPEND,
                Staging.INTERNAL);

        assertThatThrownBy(() -> warehouse.load(file, stream("a\n1\n")))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("\"DB\".\"PUBLIC\".\"RETURNS\" does not exist");
    }

    @Test
    void serverErrorsBeyondTheDriversOwnRetriesAreUnavailable() {
        fake.failWithHttpStatus(503, 5, "COPY");

        assertThatThrownBy(() -> warehouse.load(orders("orders/f1/5xx.csv", "0x9", Staging.INTERNAL), csv(O1)))
                .isInstanceOf(WarehouseUnavailable.class);

        fake.clearFaults();
        warehouse.load(orders("orders/f1/5xx.csv", "0x9", Staging.INTERNAL), csv(O1));
        assertThat(orderRows()).isEqualTo(1);
    }

    @Test
    void throttlingIsUnavailable() {
        fake.failWithHttpStatus(429, 5, "BEGIN");

        assertThatThrownBy(() -> warehouse.load(orders("orders/f1/429.csv", "0x9", Staging.INTERNAL), csv(O1)))
                .isInstanceOf(WarehouseUnavailable.class);
        assertThat(fake.stagedFiles()).isEmpty();
    }

    @Test
    void anExpiredSessionIsRenewedAndTheLoadCompletes() {
        fake.expireSession(1, "COPY");

        warehouse.load(orders("orders/f1/expired.csv", "0xA", Staging.INTERNAL), csv(O1, O2));

        assertThat(orderRows()).isEqualTo(2);
        assertThat(fake.statements("COPY")).hasSize(2);
    }

    @Test
    void aCompilationErrorFailsForGood() {
        fake.compilationError("COPY");

        assertThatThrownBy(() -> warehouse.load(orders("orders/f1/compile.csv", "0xB", Staging.INTERNAL), csv(O1)))
                .isInstanceOf(WarehouseFailure.class)
                .isNotInstanceOf(WarehouseUnavailable.class)
                .hasMessageContaining("SQL compilation error");
        assertThat(fake.statements("COPY")).hasSize(1);
    }

    @Test
    void aRefusedLoginFailsForGood() {
        fake.refuseLogins(true);

        try (SnowflakeWarehouse refused =
                new SnowflakeWarehouse(properties(fake, "SKIP_FILE", Map.of(), Duration.ofSeconds(2)), 1)) {
            assertThatThrownBy(() -> refused.load(orders("orders/f1/login.csv", "0xC", Staging.INTERNAL), csv(O1)))
                    .isInstanceOf(WarehouseFailure.class)
                    .hasMessageContaining("authentication refused");
            assertThatThrownBy(refused::check).isInstanceOf(WarehouseFailure.class);
        }
        assertThat(fake.statements()).isEmpty();
    }

    @Test
    void loadsJsonLinesByLowerCaseFieldName() {
        FileLoad file = new FileLoad(
                UUID.randomUUID(),
                "devstoreaccount1",
                "factory-uploads",
                "orders/f1/2026-11-23.json",
                "0xJ",
                0,
                "ORDERS",
                FileFormat.JSON,
                LoadMode.APPEND,
                Staging.INTERNAL);

        LoadResult result = warehouse.load(
                file,
                stream("{\"channel\":\"web\",\"order_id\":\"j1\",\"factory_id\":\"f1\",\"sku\":\"s\",\"quantity\":2,"
                        + "\"unit_price\":1.5,\"currency\":\"EUR\",\"ordered_at\":\"2026-11-23T10:00:00Z\"}\n"));

        assertThat(result.rowsLoaded()).isEqualTo(1);
        assertThat(fake.query("SELECT ORDER_ID, QUANTITY, CHANNEL FROM PUBLIC.ORDERS"))
                .containsExactly(List.of("j1", "2", "web"));
        assertThat(fake.statements("COPY").get(0))
                .contains("SELECT $1:\"order_id\", $1:\"factory_id\", $1:\"sku\", $1:\"quantity\"")
                .contains("FILES = ('data.json.gz') FILE_FORMAT = (FORMAT_NAME = \"DB\".\"PUBLIC\".\"SNOWHOOK_JSON\")");
    }

    @Test
    void answersTooSlowForTheNetworkTimeoutAreUnavailable() {
        fake.slow(Duration.ofMillis(1500));
        try (SnowflakeWarehouse impatient = new SnowflakeWarehouse(
                properties(fake, "SKIP_FILE", Map.of("networkTimeout", "300"), Duration.ofSeconds(3)), 1)) {
            assertThatThrownBy(impatient::check).isInstanceOf(WarehouseUnavailable.class);
        }
    }

    @Test
    void checkRunsSelectOne() {
        warehouse.check();

        assertThat(fake.statements()).containsExactly("SELECT 1");
    }

    @Test
    void leavesNoConnectionStagedFileOrTempFileBehindAfterManyLoads() throws Exception {
        Set<Path> tempBefore = driverTempFiles();
        fake.slow(Duration.ofMillis(10));
        ExecutorService callers = Executors.newFixedThreadPool(6);
        List<Future<LoadResult>> results = new ArrayList<>();
        int good = 0;
        for (int i = 0; i < 36; i++) {
            FileLoad file = orders("orders/many/" + i + ".csv", "0x" + i, Staging.INTERNAL);
            boolean bad = i % 4 == 3;
            good += bad ? 0 : 1;
            results.add(
                    callers.submit(() -> warehouse.load(file, bad ? csv(O1, "o,f,s,NaN?,1,EUR,,web") : csv(O1, O2))));
        }
        callers.shutdown();
        int rejected = 0;
        for (Future<LoadResult> result : results) {
            try {
                assertThat(result.get(60, TimeUnit.SECONDS).rowsLoaded()).isEqualTo(2);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(FileRejected.class);
                rejected++;
            }
        }

        assertThat(rejected).isEqualTo(9);
        assertThat(orderRows()).isEqualTo(2L * good);
        assertThat(warehouse.activeConnections()).isZero();
        assertThat(fake.openSessions()).isLessThanOrEqualTo(4);
        assertThat(fake.stagedFiles()).isEmpty();
        assertThat(driverTempFiles()).isSubsetOf(tempBefore);
    }

    /** The driver spills uploads it compresses into {@code FileBackedOutputStream*} files in java.io.tmpdir. */
    static Set<Path> driverTempFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("FileBackedOutputStream"))
                    .collect(Collectors.toSet());
        }
    }

    static final List<String> HOSTILE = List.of(
            "orders/o'brien's day.csv",
            "orders/with space/and  two.csv",
            "orders/fabrik-\u00fc/\u65e5\u672c-\ud83d\ude00.csv",
            "orders/x'); DROP TABLE ORDERS; --.csv",
            "orders/back\\slash\\'.csv",
            "orders/$$dollar$$.csv",
            "orders/\"double\".csv",
            "orders/%20percent%27 -- comment.csv");

    @Test
    void hostileBlobNamesLoadThroughTheInternalStageAsTheyAre() {
        for (String name : HOSTILE) {
            warehouse.load(orders(name, "0x1", Staging.INTERNAL), csv(O1));
        }
        warehouse.load(orders("orders/new\nline\ttab.csv", "0x1", Staging.INTERNAL), csv(O1));

        List<String> expected = new ArrayList<>(HOSTILE);
        expected.add("orders/new\nline\ttab.csv");
        assertThat(fake.query("SELECT _SOURCE_BLOB FROM PUBLIC.ORDERS").stream()
                        .map(row -> row.get(0).substring("factory-uploads/".length())))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(fake.statements("PUT"))
                .allSatisfy(put -> assertThat(put)
                        .matches("put file:///tmp/placeholder " + Pattern.quote(STAGE)
                                + "/loads/[0-9a-f-]{36}/1 overwrite=true"));
    }

    @Test
    void hostileBlobNamesLoadFromTheExternalStageAsTheyAre() throws IOException {
        for (String name : HOSTILE) {
            Path path = container.resolve(name);
            Files.createDirectories(path.getParent());
            Files.writeString(path, ordersCsv(O1));
            warehouse.load(orders(name, "0x1", Staging.EXTERNAL), null);
        }

        assertThat(fake.query("SELECT _SOURCE_BLOB FROM PUBLIC.ORDERS").stream()
                        .map(row -> row.get(0).substring("factory-uploads/".length())))
                .containsExactlyInAnyOrderElementsOf(HOSTILE);
        assertThat(fake.statements("COPY").get(3)).contains("/1/orders/x''); DROP TABLE ORDERS; --.csv')");
    }

    @Test
    void blobNamesAStagePathCannotAddressAreRejectedSayingWhy() {
        assertThatThrownBy(() -> warehouse.load(orders("orders/new\nline.csv", "0x1", Staging.EXTERNAL), null))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessage("blob name factory-uploads/orders/new\nline.csv cannot be loaded safely: it contains a"
                        + " control character, which a stage path cannot address");
        assertThatThrownBy(() -> warehouse.load(orders("orders/../secrets.csv", "0x1", Staging.EXTERNAL), null))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("has a '.' or '..' segment");
        assertThatThrownBy(() -> warehouse.load(orders("orders/broken-\ud800.csv", "0x1", Staging.INTERNAL), csv(O1)))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("unpaired UTF-16 surrogate");
        assertThat(fake.statements()).isEmpty();
    }

    @Test
    void logsInWithAKeyPairWhenAPrivateKeyIsConfigured() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        SnowflakeProperties p = properties(fake, "SKIP_FILE", Map.of());
        SnowflakeProperties keyPair = new SnowflakeProperties(
                p.url(),
                p.account(),
                p.user(),
                null,
                pem,
                null,
                null,
                p.warehouse(),
                p.database(),
                p.schema(),
                p.role(),
                p.internalStage(),
                p.externalStages(),
                p.fileFormats(),
                p.onError(),
                null,
                p.connectionTimeout(),
                p.jdbcProperties(),
                p.transactions());

        try (SnowflakeWarehouse signed = new SnowflakeWarehouse(keyPair, 1)) {
            signed.check();
        }

        JsonNode login = fake.logins().get(fake.logins().size() - 1);
        assertThat(login.path("AUTHENTICATOR").asString()).isEqualTo("SNOWFLAKE_JWT");
        assertThat(login.has("PASSWORD")).isFalse();
        String[] jwt = login.path("TOKEN").asString().split("\\.");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(keys.getPublic());
        rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))).isTrue();
        assertThat(new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8))
                .contains("\"sub\":\"FAKE.SNOWHOOK\"");
    }

    static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
