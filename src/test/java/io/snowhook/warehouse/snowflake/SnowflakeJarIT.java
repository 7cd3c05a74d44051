package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.warehouse.snowflake.fake.SnowflakeFake;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged jar, started as the README starts it — {@code java -jar target/snowhook.jar} and no JVM flags —
 * loads a file through the Snowflake wire fake answering in Arrow, as Snowflake does. The driver's Arrow reader
 * needs {@code java.nio} opened on JDK 17; the jar's manifest must say so. Runs after {@code package} (failsafe).
 */
class SnowflakeJarIT {

    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path work;

    @Test
    void plainJavaDashJarLoadsAFileThroughAnArrowAnsweringSnowflake() throws Exception {
        AzuriteServer azurite = AzuriteServer.shared();
        azurite.createContainer(CONTAINER);
        try (SnowflakeFake fake = new SnowflakeFake(Files.createDirectories(work.resolve("snowflake")), "DB")) {
            fake.execute("CREATE SCHEMA PUBLIC");
            fake.execute("CREATE TABLE PUBLIC.ORDERS (ORDER_ID VARCHAR, FACTORY_ID VARCHAR, SKU VARCHAR,"
                    + " QUANTITY INTEGER, UNIT_PRICE DECIMAL(12,2), CURRENCY VARCHAR, ORDERED_AT TIMESTAMPTZ,"
                    + " CHANNEL VARCHAR, _SOURCE_BLOB VARCHAR, _ETAG VARCHAR, _LOAD_ID VARCHAR,"
                    + " _LOADED_AT TIMESTAMPTZ)");
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(
                    javaExecutable(),
                    "-jar",
                    PROJECT.resolve("target/snowhook.jar").toString()));
            Map<String, Object> settings = new java.util.LinkedHashMap<>(azurite.properties(List.of(CONTAINER)));
            settings.put("server.address", "127.0.0.1");
            settings.put("server.port", port);
            settings.put("management.server.port", freePort());
            settings.put("management.server.address", "127.0.0.1");
            settings.put("spring.datasource.url", "jdbc:h2:file:" + work.resolve("ledger") + ";AUTO_SERVER=FALSE");
            settings.put("snowhook.loads.poll-interval", "100ms");
            settings.put("snowhook.routes[0].prefix", "orders/");
            settings.put("snowhook.routes[0].table", "ORDERS");
            settings.put("snowhook.warehouse.type", "snowflake");
            settings.put("snowhook.warehouse.snowflake.url", fake.jdbcUrl());
            settings.put("snowhook.warehouse.snowflake.account", "fake");
            settings.put("snowhook.warehouse.snowflake.user", "SNOWHOOK");
            settings.put("snowhook.warehouse.snowflake.password", "not-a-secret");
            settings.put("snowhook.warehouse.snowflake.warehouse", "WH");
            settings.put("snowhook.warehouse.snowflake.database", "DB");
            settings.put("snowhook.warehouse.snowflake.jdbc-properties.disablePlatformDetection", "true");
            settings.forEach((key, value) -> command.add("--" + key + "=" + value));
            ProcessBuilder start = new ProcessBuilder(command).directory(work.toFile());
            // nothing from the build's JVM options may help: the jar alone must carry what it needs
            start.environment().remove("JAVA_TOOL_OPTIONS");
            start.environment().remove("JDK_JAVA_OPTIONS");
            Process service = start.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            PROJECT.resolve("target/snowflake-jar-it.log").toFile()))
                    .start();
            try {
                String csv = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n"
                        + "o1,f1,JS-100,2,4.50,EUR,2026-11-23T08:00:00Z,web\n"
                        + "o2,f1,JS-200,1,9.00,EUR,2026-11-23T09:00:00Z,shop\n";
                String blob = "orders/jar/2026-11-23.csv";
                String etag = azurite.upload(CONTAINER, blob, csv.getBytes(StandardCharsets.UTF_8));
                String event = ArgoEvents.argoWholeEvent(ArgoEvents.blobCreated(AzuriteServer.ACCOUNT, CONTAINER, blob)
                        .withETag(etag)
                        .withContentLength(csv.length())
                        .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT)));
                HttpClient http = HttpClient.newHttpClient();
                URI events = URI.create("http://127.0.0.1:" + port + "/events");
                HttpResponse<String> accepted = Awaitility.await()
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions()
                        .failFast("snowhook exited", () -> !service.isAlive())
                        .until(
                                () -> http.send(
                                        HttpRequest.newBuilder(events)
                                                .POST(HttpRequest.BodyPublishers.ofString(event))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString()),
                                response -> response.statusCode() == 202);
                String id = JSON.readTree(accepted.body()).at("/loads/0/id").asString();
                URI status = URI.create("http://127.0.0.1:" + port + "/loads/" + id);
                JsonNode load = Awaitility.await()
                        .atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(200))
                        .failFast("snowhook exited", () -> !service.isAlive())
                        .until(
                                () -> JSON.readTree(http.send(
                                                HttpRequest.newBuilder(status).build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .body()),
                                body -> List.of("LOADED", "FAILED")
                                        .contains(body.path("status").asString()));

                assertThat(load.path("status").asString()).as(load.toString()).isEqualTo("LOADED");
                assertThat(fake.count("SELECT count(*) FROM PUBLIC.ORDERS WHERE _LOAD_ID = '" + id + "'"))
                        .isEqualTo(2);
                assertThat(fake.resultFormats()).contains("arrow").doesNotContain("json");
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
