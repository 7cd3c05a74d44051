package io.snowhook.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.AzuriteServer;
import io.snowhook.support.SnowhookTest;
import java.io.IOException;
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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole service as it runs (HTTP, H2 ledger, workers, DuckDB, a real Azurite): blobs uploaded without
 * any event are found by a sweep requested over HTTP and loaded with their rows; a second sweep finds nothing.
 */
@SnowhookTest
class SweepEndToEndTest {

    static final String CONTAINER = "sweep-e2e";
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final String HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final Duration PATIENCE = Duration.ofMinutes(3);

    @LocalServerPort
    int port;

    @Value("${snowhook.warehouse.duckdb.path}")
    Path warehouseFile;

    final HttpClient http =
            HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    final JsonMapper json = JsonMapper.shared();

    @Test
    void aSweepQueuesEveryBlobWithoutAnEventAndTheyLoadWithTheirRows() throws Exception {
        String run = "orders/missed-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            String name = run + "f" + i + ".csv";
            azurite.upload(CONTAINER, name, orders(name, i).getBytes(StandardCharsets.UTF_8));
            names.add(name);
        }

        JsonNode first = awaitEnd(post("{\"container\": \"" + CONTAINER + "\"}"));

        assertThat(first.get("status").asString()).isEqualTo("FINISHED");
        assertThat(first.get("listed").asLong()).isEqualTo(30);
        assertThat(first.get("queued").asLong()).isEqualTo(30);
        String id = first.get("id").asString();
        JsonNode loaded = await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> get("/sweeps/" + id), s -> s.get("finished").asLong() == 30);
        assertThat(loaded.get("loaded").asLong()).isEqualTo(30);
        assertThat(loaded.get("failed").asLong()).isZero();
        for (int i = 1; i <= 30; i++) {
            assertThat(rows(names.get(i - 1))).as(names.get(i - 1)).isEqualTo(i);
        }
        JsonNode swept = get("/loads?blob=" + run + "&size=100");
        assertThat(swept.get("loads")).hasSize(30).allSatisfy(l -> {
            assertThat(l.get("origin").asString()).isEqualTo("SWEEP");
            assertThat(l.get("status").asString()).isEqualTo("LOADED");
        });

        JsonNode second = awaitEnd(post("{\"container\": \"" + CONTAINER + "\"}"));
        assertThat(second.get("listed").asLong()).isEqualTo(30);
        assertThat(second.get("queued").asLong()).isZero();

        JsonNode list = get("/sweeps");
        assertThat(list.get("sweeps").get(0).get("id").asString())
                .isEqualTo(second.get("id").asString());
    }

    JsonNode post(String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri("/sweeps"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        JsonNode sweep = json.readTree(answer.body());
        assertThat(answer.headers().firstValue("Location"))
                .hasValue("/sweeps/" + sweep.get("id").asString());
        return sweep;
    }

    JsonNode awaitEnd(JsonNode sweep) {
        String id = sweep.get("id").asString();
        return await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> get("/sweeps/" + id),
                        s -> !s.get("status").asString().equals("RUNNING"));
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> answer =
                http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json.readTree(answer.body());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static String orders(String name, int rows) {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append("%s-%d,f01,JS-10%d,%d,4.50,EUR,2026-11-23T08:15:00Z,web\n".formatted(name, i, i % 10, i));
        }
        return csv.toString();
    }

    long rows(String blob) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM ORDERS WHERE _source_blob = ?")) {
            s.setString(1, CONTAINER + "/" + blob);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
