package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.SnowhookTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * Batches through the whole service on its embedded defaults (DuckDB): files queued while the workers are stopped
 * are claimed together, up to {@code snowhook.loads.batch.max-files} (50) per claim, and loaded in one statement
 * each — and a bad file among them fails only its own load.
 */
@SnowhookTest
class BatchLoadingTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final AzuriteServer azurite = AzuriteServer.shared();
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
            String id = postCreated(blob, ordersCsv(rows, "b" + i).getBytes(StandardCharsets.UTF_8), "1");
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
        String previous = postCreated(bad, inventoryCsv(3, null).getBytes(StandardCharsets.UTF_8), "1");
        assertThat(awaitFinal(previous).get("status").asString()).isEqualTo("LOADED");
        List<String> previousEtags = etagsOf("INVENTORY", bad);

        workers().stop();
        List<String> good = new ArrayList<>();
        String failing = null;
        for (int i = 0; i < 50; i++) {
            if (i == 25) {
                // the newer version of a loaded blob, its third line bad
                failing = postCreated(bad, inventoryCsv(4, "lots").getBytes(StandardCharsets.UTF_8), "2");
            } else {
                String blob = "inventory/" + factory + "/good-" + i + ".csv";
                good.add(postCreated(blob, inventoryCsv(2, null).getBytes(StandardCharsets.UTF_8), "1"));
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
        var event = ArgoEvents.blobCreated(
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
        return await().atMost(Duration.ofSeconds(90))
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

    String ordersCsv(int rows, String prefix) {
        StringBuilder csv = new StringBuilder(ORDERS_HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append(
                    "%s-%d,%s,JS-10%d,%d,4.50,EUR,2026-11-23T08:%02d:00Z,web\n".formatted(prefix, i, factory, i, i, i));
        }
        return csv.toString();
    }

    /** Inventory rows; with {@code badQuantity}, the second row (line 3 of the file) has that as its quantity. */
    String inventoryCsv(int rows, String badQuantity) {
        StringBuilder csv = new StringBuilder(INVENTORY_HEADER);
        for (int i = 1; i <= rows; i++) {
            String quantity = badQuantity != null && i == 2 ? badQuantity : Integer.toString(i * 10);
            csv.append("%s,JS-10%d,Espresso beans %d,%s,kg,2026-11-23T20:00:00Z\n".formatted(factory, i, i, quantity));
        }
        return csv.toString();
    }

    long rows(String table, String blob) {
        return column("SELECT count(*) FROM " + table + " WHERE _source_blob = ?", blob).stream()
                .mapToLong(Long::parseLong)
                .sum();
    }

    List<String> etagsOf(String table, String blob) {
        return column("SELECT DISTINCT _etag FROM " + table + " WHERE _source_blob = ? ORDER BY 1", blob);
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
