package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import io.snowhook.blob.BlobChanged;
import io.snowhook.blob.BlobNotFound;
import io.snowhook.blob.TestBlobSources;
import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.LoadResult;
import io.snowhook.warehouse.Staging;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fake's scenarios against a real Snowflake account prepared with {@code sql/snowflake/setup.sql}. Excluded
 * from the default build (tag {@code snowflake-live}); runs when {@code SNOWFLAKE_ACCOUNT} and credentials are
 * set, and is skipped saying so otherwise. It writes only rows whose {@code _SOURCE_BLOB} starts with a fresh
 * {@code snowhook-live/<uuid>/} prefix into {@code ORDERS}, and deletes them afterwards.
 *
 * <pre>
 * SNOWFLAKE_ACCOUNT=myorg-myaccount SNOWFLAKE_USER=SNOWHOOK SNOWFLAKE_PRIVATE_KEY_FILE=rsa_key.p8 \
 * SNOWFLAKE_PRIVATE_KEY_PASSPHRASE=… ./mvnw -B test -Dexcluded.test.groups= -Dgroups=snowflake-live
 * </pre>
 */
@Tag("snowflake-live")
class SnowflakeLiveTest {

    static final String HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final String ROW = "o1,f1,sku-1,3,2.50,EUR,2026-11-23T10:00:00Z,web\n";
    static final String PREFIX = "snowhook-live/" + UUID.randomUUID() + "/";

    static SnowflakeProperties properties;
    static SnowflakeWarehouse warehouse;

    @BeforeAll
    static void connect() {
        Map<String, String> env = System.getenv();
        String account = env.get("SNOWFLAKE_ACCOUNT");
        boolean credentials = env.get("SNOWFLAKE_PASSWORD") != null || env.get("SNOWFLAKE_PRIVATE_KEY_FILE") != null;
        if (account == null || !credentials) {
            return;
        }
        String keyFile = env.get("SNOWFLAKE_PRIVATE_KEY_FILE");
        properties = new SnowflakeProperties(
                null,
                account,
                env.getOrDefault("SNOWFLAKE_USER", "SNOWHOOK"),
                keyFile == null ? env.get("SNOWFLAKE_PASSWORD") : null,
                null,
                keyFile == null ? null : Path.of(keyFile),
                env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"),
                env.getOrDefault("SNOWFLAKE_WAREHOUSE", "SNOWHOOK_WH"),
                env.getOrDefault("SNOWFLAKE_DATABASE", "JAVASIPS"),
                env.getOrDefault("SNOWFLAKE_SCHEMA", "RAW"),
                env.getOrDefault("SNOWFLAKE_ROLE", "SNOWHOOK_LOADER"),
                env.getOrDefault("SNOWFLAKE_STAGE", "SNOWHOOK_STAGE"),
                env.get("SNOWFLAKE_EXTERNAL_STAGE") == null
                        ? Map.of()
                        : Map.of(
                                env.getOrDefault("SNOWFLAKE_EXTERNAL_CONTAINER", "factory-uploads"),
                                env.get("SNOWFLAKE_EXTERNAL_STAGE")),
                new SnowflakeProperties.FileFormats("SNOWHOOK_CSV", "SNOWHOOK_JSON", "SNOWHOOK_PARQUET"),
                "SKIP_FILE",
                2,
                Duration.ofSeconds(60),
                // even against a real account, tests never let the driver probe cloud metadata addresses
                Map.of("disablePlatformDetection", "true"),
                SnowflakeProperties.Transactions.defaults());
        String blobs = env.get("SNOWFLAKE_EXTERNAL_CONNECTION_STRING");
        warehouse = new SnowflakeWarehouse(
                properties,
                2,
                blobs == null || properties.externalStages().isEmpty()
                        ? null
                        : TestBlobSources.azure(
                                "live",
                                properties.externalStages().keySet().iterator().next(),
                                blobs));
    }

    @BeforeEach
    void needsAnAccount() {
        Assumptions.assumeTrue(
                warehouse != null,
                "no Snowflake account: set SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER and SNOWFLAKE_PASSWORD or"
                        + " SNOWFLAKE_PRIVATE_KEY_FILE to run the live scenarios");
    }

    @AfterAll
    static void cleanUp() throws SQLException {
        if (warehouse == null) {
            return;
        }
        warehouse.close();
        try (Connection c = direct();
                Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM ORDERS WHERE _SOURCE_BLOB LIKE "
                    + SnowflakeSql.literal(PREFIX.replace("-", "_") + "%") + " OR STARTSWITH(_SOURCE_BLOB, "
                    + SnowflakeSql.literal("factory-uploads/" + PREFIX) + ")");
        }
    }

    static Connection direct() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:snowflake://" + properties.account() + ".snowflakecomputing.com/",
                SnowflakeWarehouse.driverProperties(properties));
    }

    static FileLoad load(String name, String etag, LoadMode mode, Staging staging) {
        return new FileLoad(
                UUID.randomUUID(),
                "live",
                "factory-uploads",
                PREFIX + name,
                etag,
                0,
                "ORDERS",
                FileFormat.CSV,
                mode,
                staging);
    }

    static InputStream csv(String rows) {
        return new ByteArrayInputStream((HEADER + rows).getBytes(StandardCharsets.UTF_8));
    }

    static List<String> rows(String sourceBlob) throws SQLException {
        try (Connection c = direct();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ORDER_ID FROM ORDERS WHERE _SOURCE_BLOB = "
                        + SnowflakeSql.literal(sourceBlob) + " ORDER BY 1")) {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    @Test
    void answersTheReadinessCheck() {
        warehouse.check();
    }

    @Test
    void loadsThroughTheInternalStageOnceEvenWhenRunTwice() throws SQLException {
        FileLoad file = load("twice.csv", "0x1", LoadMode.APPEND, Staging.INTERNAL);

        assertThat(warehouse.load(file, csv(ROW + ROW.replace("o1", "o2")))).isEqualTo(new LoadResult(2, 2));
        assertThat(warehouse.load(file, csv(ROW + ROW.replace("o1", "o2")))).isEqualTo(new LoadResult(2, 2));

        assertThat(rows(file.sourceBlob())).containsExactly("o1", "o2");
        try (Connection c = direct();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("LIST @" + properties.internalStage() + "/loads/" + file.loadId())) {
            assertThat(rs.next()).as("staged files removed").isFalse();
        }
    }

    @Test
    void replacesTheRowsOfAnEarlierVersion() throws SQLException {
        warehouse.load(load("replace.csv", "0x1", LoadMode.REPLACE, Staging.INTERNAL), csv(ROW));
        FileLoad second = load("replace.csv", "0x2", LoadMode.REPLACE, Staging.INTERNAL);
        warehouse.load(second, csv(ROW.replace("o1", "o9")));

        assertThat(rows(second.sourceBlob())).containsExactly("o9");
    }

    @Test
    void rejectsABadValueWithTheFirstErrorAndKeepsNoRows() throws SQLException {
        FileLoad file = load("bad.csv", "0x1", LoadMode.APPEND, Staging.INTERNAL);

        assertThatThrownBy(() -> warehouse.load(file, csv(ROW + ROW.replace(",3,", ",lots,"))))
                .isInstanceOfSatisfying(FileRejected.class, e -> {
                    assertThat(e.getMessage()).startsWith("LOAD_FAILED: ").contains("lots");
                    assertThat(e.line()).isEqualTo(3L);
                    assertThat(e.column()).contains("QUANTITY");
                });
        assertThat(rows(file.sourceBlob())).isEmpty();
    }

    @Test
    void loadsHostileBlobNamesAsTheyAre() throws SQLException {
        for (String name : List.of(
                "o'brien's day.csv",
                "x'); DROP TABLE ORDERS; --.csv",
                "back\\slash.csv",
                "fabrik-\u00fc/\u65e5\u672c.csv",
                "new\nline.csv")) {
            FileLoad file = load(name, "0x1", LoadMode.APPEND, Staging.INTERNAL);
            warehouse.load(file, csv(ROW));
            assertThat(rows(file.sourceBlob())).as(name).containsExactly("o1");
        }
    }

    @Test
    void aMissingExternalBlobIsBlobNotFound() {
        BlobContainerClient container = externalContainer();
        FileLoad missing = new FileLoad(
                UUID.randomUUID(),
                "live",
                container.getBlobContainerName(),
                PREFIX + "not-there.csv",
                "0x1",
                0,
                "ORDERS",
                FileFormat.CSV,
                LoadMode.APPEND,
                Staging.EXTERNAL);

        // pinning the version finds no blob to copy
        assertThatThrownBy(() -> warehouse.load(missing, null)).isInstanceOf(BlobNotFound.class);
    }

    @Test
    void anExternalBlobOverwrittenSinceTheEventIsSupersededAndItsNewVersionLoadsOnce() throws SQLException {
        BlobContainerClient container = externalContainer();
        FileLoad first = external(container, "overwritten.csv", HEADER + ROW);
        FileLoad second = external(container, "overwritten.csv", HEADER + ROW.replace("o1", "o2"));

        assertThatThrownBy(() -> warehouse.load(first, null)).isInstanceOf(BlobChanged.class);
        warehouse.load(second, null);

        assertThat(rows(second.sourceBlob())).containsExactly("o2");
    }

    /**
     * The external stage's container, written through its connection string ({@code
     * SNOWFLAKE_EXTERNAL_CONNECTION_STRING}), so a test can put blobs where the external stage reads them.
     */
    static BlobContainerClient externalContainer() {
        String connection = System.getenv("SNOWFLAKE_EXTERNAL_CONNECTION_STRING");
        Assumptions.assumeTrue(
                !properties.externalStages().isEmpty() && connection != null,
                "no writable external container: set SNOWFLAKE_EXTERNAL_STAGE, SNOWFLAKE_EXTERNAL_CONTAINER and"
                        + " SNOWFLAKE_EXTERNAL_CONNECTION_STRING to run it");
        return new BlobServiceClientBuilder()
                .connectionString(connection)
                .buildClient()
                .getBlobContainerClient(
                        properties.externalStages().keySet().iterator().next());
    }

    static FileLoad external(BlobContainerClient container, String name, String content) {
        String etag = container
                .getBlobClient(PREFIX + name)
                .uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromString(content)), null, null)
                .getValue()
                .getETag()
                .replace("\"", "");
        return new FileLoad(
                UUID.randomUUID(),
                "live",
                container.getBlobContainerName(),
                PREFIX + name,
                etag,
                content.length(),
                "ORDERS",
                FileFormat.CSV,
                LoadMode.APPEND,
                Staging.EXTERNAL);
    }

    @Test
    void loadsStraightFromTheExternalStage() throws SQLException {
        BlobContainerClient container = externalContainer();
        FileLoad file = external(container, "external.csv", HEADER + ROW + ROW.replace("o1", "o2"));
        try {
            assertThat(warehouse.load(file, null)).isEqualTo(new LoadResult(2, 2));
            assertThat(rows(file.sourceBlob())).containsExactly("o1", "o2");
        } finally {
            container.getBlobClient(file.blobName()).deleteIfExists();
        }
    }

    @Test
    void loadsHostileBlobNamesThroughTheExternalStageAsTheyAre() throws SQLException {
        BlobContainerClient container = externalContainer();
        for (String name : List.of("o'brien's day.csv", "x'); DROP TABLE ORDERS; --.csv", "fabrik-\u00fc/\u65e5.csv")) {
            FileLoad file = external(container, name, HEADER + ROW);
            try {
                warehouse.load(file, null);
                assertThat(rows(file.sourceBlob())).as(name).containsExactly("o1");
            } finally {
                container.getBlobClient(file.blobName()).deleteIfExists();
            }
        }
    }
}
