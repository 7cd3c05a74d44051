package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.SnowhookTest;
import io.snowhook.support.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole service as it runs: events posted over HTTP exactly as an Argo Sensor posts them (the whole
 * Argo event, base64 twice, no Content-Type), blobs in a real Azurite, the pool of workers, the DuckDB
 * warehouse and the H2 ledger — one test per file format and per load mode, and batches: files queued while the
 * workers are stopped are claimed together, up to {@code snowhook.loads.batch.max-files} (50), and a bad file among
 * them fails only its own load.
 */
@SnowhookTest
class LoadingEndToEndTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final Path DIR = TestFiles.tempDir("snowhook-loading-e2e");
    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final String INVENTORY_HEADER = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n";

    @LocalServerPort
    int port;

    @Value("${snowhook.warehouse.duckdb.path}")
    Path warehouseFile;

    @Autowired
    ApplicationContext context;

    final HttpClient http =
            HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    final JsonMapper json = JsonMapper.shared();
    final String factory = "f" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void loadsCsvGzippedCsvJsonLinesAndParquetWithTheirRows() {
        String csv = "orders/" + factory + "/2026-11-23.csv";
        String gz = "orders/" + factory + "/2026-11-24.csv.gz";
        String jsonLines = "orders-json/" + factory + "/2026-11-23.json";
        String parquet = "orders-parquet/" + factory + "/2026-11-23.parquet";

        List<String> ids = new ArrayList<>();
        ids.add(postCreated(csv, ordersCsv(3).getBytes(StandardCharsets.UTF_8), "1"));
        ids.add(postCreated(gz, TestFiles.gzip(ordersCsv(4).getBytes(StandardCharsets.UTF_8)), "1"));
        ids.add(postCreated(jsonLines, ordersJsonLines(5).getBytes(StandardCharsets.UTF_8), "1"));
        ids.add(postCreated(parquet, ordersParquet(6), "1"));

        List<JsonNode> loads = ids.stream().map(this::awaitFinal).toList();
        assertThat(loads).allSatisfy(load -> {
            assertThat(load.get("status").asString()).isEqualTo("LOADED");
            assertThat(load.get("table").asString()).isEqualTo("ORDERS");
            assertThat(load.get("attempts").asInt()).isEqualTo(1);
        });
        assertThat(loads.stream().map(l -> l.get("rowsLoaded").asLong())).containsExactly(3L, 4L, 5L, 6L);
        assertThat(rows("ORDERS", csv)).isEqualTo(3);
        assertThat(rows("ORDERS", gz)).isEqualTo(4);
        assertThat(rows("ORDERS", jsonLines)).isEqualTo(5);
        assertThat(rows("ORDERS", parquet)).isEqualTo(6);
    }

    @Test
    void replacesADaysInventoryWhenACorrectedFileIsUploaded() {
        String blob = "inventory/" + factory + "/2026-11-23.csv";
        String first = postCreated(blob, inventoryCsv(5).getBytes(StandardCharsets.UTF_8), "1");
        assertThat(awaitFinal(first).get("status").asString()).isEqualTo("LOADED");
        assertThat(rows("INVENTORY", blob)).isEqualTo(5);

        String corrected = postCreated(blob, inventoryCsv(2).getBytes(StandardCharsets.UTF_8), "2");

        JsonNode load = awaitFinal(corrected);
        assertThat(load.get("status").asString()).isEqualTo("LOADED");
        assertThat(rows("INVENTORY", blob)).isEqualTo(2);
        assertThat(etagsOf("INVENTORY", blob)).containsExactly(load.get("etag").asString());
    }

    @Test
    void reingestingABlobLoadsItAgainWithoutDuplicatingRows() throws Exception {
        String blob = "orders/" + factory + "/2026-11-25.csv";
        String original = postCreated(blob, ordersCsv(7).getBytes(StandardCharsets.UTF_8), "1");
        assertThat(awaitFinal(original).get("status").asString()).isEqualTo("LOADED");

        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri("/loads/" + original + "/reingest"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(202);
        String again = json.readTree(answer.body()).get("id").asString();

        JsonNode load = awaitFinal(again);
        assertThat(load.get("status").asString()).isEqualTo("LOADED");
        assertThat(load.get("reingestOf").asString()).isEqualTo(original);
        assertThat(load.get("rowsLoaded").asLong()).isEqualTo(7);
        assertThat(rows("ORDERS", blob)).isEqualTo(7);
    }

    SmartLifecycle workers() {
        return context.getBean("loadWorkers", SmartLifecycle.class);
    }

    @AfterEach
    void workersRunAgain() {
        workers().start();
    }

    @Test
    void aBurstQueuedBeforeTheWorkersStartIsLoadedInBatchesOfAtMostFiftyEachFileOnce() {
        workers().stop();
        Map<String, Integer> rowsByLoad = new HashMap<>();
        Map<String, String> blobByLoad = new HashMap<>();
        for (int i = 0; i < 120; i++) {
            String blob = "orders/" + factory + "/burst-" + i + ".csv";
            int rows = 1 + i % 7;
            String id = postCreated(blob, ordersCsv(rows).getBytes(StandardCharsets.UTF_8), "1");
            rowsByLoad.put(id, rows);
            blobByLoad.put(id, blob);
        }

        workers().start();

        Map<String, List<String>> byBatch = new HashMap<>();
        for (Map.Entry<String, Integer> e : rowsByLoad.entrySet()) {
            JsonNode load = awaitFinal(e.getKey());
            assertThat(load.get("status").asString()).as(load.toString()).isEqualTo("LOADED");
            assertThat(load.get("rowsLoaded").asLong()).isEqualTo(e.getValue().longValue());
            assertThat(load.get("attempts").asInt()).isEqualTo(1);
            assertThat(rows("ORDERS", blobByLoad.get(e.getKey())))
                    .as("rows of %s, exactly once", blobByLoad.get(e.getKey()))
                    .isEqualTo(e.getValue().longValue());
            byBatch.computeIfAbsent(load.get("batchId").asString(), b -> new ArrayList<>())
                    .add(e.getKey());
        }
        assertThat(byBatch.values()).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(50));
        assertThat(byBatch)
                .as("120 files queued at once take 3 claims of at most 50, not one per file")
                .hasSize(3);
    }

    @Test
    void oneBadFileAmongFiftyFailsAloneWithItsFirstErrorAndItsBlobKeepsItsPreviousRows() {
        String bad = "inventory/" + factory + "/bad.csv";
        String previous = postCreated(bad, inventoryCsv(3).getBytes(StandardCharsets.UTF_8), "1");
        assertThat(awaitFinal(previous).get("status").asString()).isEqualTo("LOADED");
        List<String> previousEtags = etagsOf("INVENTORY", bad);

        workers().stop();
        List<String> good = new ArrayList<>();
        String failing = null;
        for (int i = 0; i < 50; i++) {
            if (i == 25) {
                // the newer version of a loaded blob, its third line bad
                failing = postCreated(bad, inventoryCsvWithABadQuantity(4).getBytes(StandardCharsets.UTF_8), "2");
            } else {
                String blob = "inventory/" + factory + "/good-" + i + ".csv";
                good.add(postCreated(blob, inventoryCsv(2).getBytes(StandardCharsets.UTF_8), "1"));
            }
        }
        workers().start();

        JsonNode failed = awaitFinal(failing);
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("error").asString()).isNotBlank();
        assertThat(failed.get("errorLine").asLong()).isEqualTo(3L);
        assertThat(failed.get("errorColumn").asString()).isEqualTo("quantity_on_hand");
        assertThat(rows("INVENTORY", bad))
                .as("the previous version keeps its rows")
                .isEqualTo(3L);
        assertThat(etagsOf("INVENTORY", bad)).isEqualTo(previousEtags);

        Set<String> batches = good.stream()
                .map(this::awaitFinal)
                .peek(load -> {
                    assertThat(load.get("status").asString())
                            .as(load.toString())
                            .isEqualTo("LOADED");
                    assertThat(load.get("rowsLoaded").asLong()).isEqualTo(2);
                    assertThat(rows("INVENTORY", load.get("blob").asString())).isEqualTo(2L);
                })
                .map(load -> load.get("batchId").asString())
                .collect(Collectors.toSet());
        assertThat(batches).as("the 50 files were claimed together").hasSize(1);
        assertThat(failed.get("batchId").asString())
                .isEqualTo(batches.iterator().next());
    }

    /** Uploads the blob and posts its BlobCreated event as an Argo Sensor does; returns the load id. */
    String postCreated(String blob, byte[] content, String sequence) {
        String etag = azurite.upload(CONTAINER, blob, content);
        StorageEvent event = ArgoEvents.blobCreated(
                AzuriteServer.ACCOUNT,
                CONTAINER,
                blob,
                etag,
                content.length,
                "0000000000000442000000000000000" + sequence,
                "PutBlockList",
                ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT));
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(uri("/events"))
                            .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            return json.readTree(answer.body()).get("loads").get(0).get("id").asString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode awaitFinal(String id) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> load(id),
                        l -> List.of("LOADED", "FAILED", "SKIPPED", "SUPERSEDED")
                                .contains(l.get("status").asString()));
    }

    JsonNode load(String id) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri("/loads/" + id)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return json.readTree(answer.body());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String ordersCsv(int rows) {
        StringBuilder csv = new StringBuilder(ORDERS_HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("o-%d,%s,JS-10%d,%d,4.50,EUR,2026-11-23T08:%02d:00Z,web\n".formatted(i, factory, i, i, i));
        }
        return csv.toString();
    }

    String ordersJsonLines(int rows) {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            lines.append(("{\"order_id\":\"o-%d\",\"factory_id\":\"%s\",\"sku\":\"JS-10%d\",\"quantity\":%d,"
                            + "\"unit_price\":4.5,\"currency\":\"EUR\",\"ordered_at\":\"2026-11-23T08:%02d:00Z\","
                            + "\"channel\":\"shop\"}\n")
                    .formatted(i, factory, i, i, i));
        }
        return lines.toString();
    }

    /** Parquet written by DuckDB itself, the way an upstream job would produce it. */
    byte[] ordersParquet(int rows) {
        Path file = DIR.resolve(factory + ".parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            s.execute(("COPY (SELECT 'o-' || i AS order_id, '%s' AS factory_id, 'JS-10' || i AS sku,"
                            + " i::INTEGER AS quantity, 4.50::DECIMAL(12,2) AS unit_price, 'EUR' AS currency,"
                            + " TIMESTAMPTZ '2026-11-23 08:00:00+00' AS ordered_at, 'partner' AS channel"
                            + " FROM range(1, %d) t(i)) TO '%s' (FORMAT PARQUET)")
                    .formatted(factory, rows + 1, file));
            return Files.readAllBytes(file);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String inventoryCsv(int rows) {
        StringBuilder csv = new StringBuilder(INVENTORY_HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("%s,JS-10%d,Espresso beans %d,%d,kg,2026-11-23T20:00:00Z\n".formatted(factory, i, i, i * 10));
        }
        return csv.toString();
    }

    /** Inventory rows, the second (line 3 of the file) with a quantity that is no number. */
    String inventoryCsvWithABadQuantity(int rows) {
        return inventoryCsv(rows).replaceFirst("(?m)^(([^,]*,){3})20,", "$1lots,");
    }

    long rows(String table, String blob) {
        return column("SELECT count(*) FROM " + table + " WHERE _source_blob = ?", blob).stream()
                .mapToLong(Long::parseLong)
                .sum();
    }

    List<String> etagsOf(String table, String blob) {
        return column("SELECT DISTINCT _etag FROM " + table + " WHERE _source_blob = ?", blob);
    }

    /** The first column of a query on the service's DuckDB file, for the rows of one blob. */
    List<String> column(String sql, String blob) {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile);
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, CONTAINER + "/" + blob);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return values;
    }
}
