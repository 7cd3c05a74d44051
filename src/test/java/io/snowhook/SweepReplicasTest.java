package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.AzuriteServer;
import io.snowhook.support.PostgresSchema;
import java.io.File;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two replicas of the service, each its own JVM, on one PostgreSQL ledger with scheduled sweeps on: each
 * scheduled sweep runs once, on one replica; blobs older than the ledger's first start are left alone; a
 * backfill whose replica is killed with SIGKILL mid-sweep is resumed by the other and completes, each blob
 * getting exactly one load.
 */
class SweepReplicasTest {

    static final PostgresSchema POSTGRES = new PostgresSchema("replicas");
    static final String CONTAINER = "sweep-replicas";
    static final int BACKLOG = 3000;
    static final int LIVE = 40;
    static final Duration PATIENCE = Duration.ofMinutes(5);

    final AzuriteServer azurite = AzuriteServer.shared();
    final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final JsonMapper json = JsonMapper.shared();
    final Map<String, Object> ledger = new LinkedHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require("sweep replicas");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        POSTGRES.drop();
    }

    @Test
    void eachSweepRunsOnceAndAKilledSweepersSweepCompletesOnTheOtherReplica() throws Exception {
        POSTGRES.register((name, value) -> ledger.put(name, value.get()));
        upload("orders/backlog/", BACKLOG); // before the ledger's first start: scheduled sweeps leave it alone

        try (Replica a = Replica.start(dir, azurite, ledger, "a");
                Replica b = Replica.start(dir, azurite, ledger, "b")) {
            upload("orders/live/", LIVE);
            await().atMost(PATIENCE)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> loadsPerBlob("orders/live/").size() == LIVE);
            Instant loadedAt = Instant.now();
            await().atMost(PATIENCE)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> scheduled(a).stream()
                                    .filter(s -> s.get("status").asString().equals("FINISHED"))
                                    .filter(s -> Instant.parse(
                                                    s.get("createdAt").asString())
                                            .isAfter(loadedAt))
                                    .count()
                            >= 2);

            List<JsonNode> scheduled = scheduled(a);
            Map<String, Long> perInterval = scheduled.stream()
                    .collect(Collectors.groupingBy(s -> s.get("scheduledFor").asString(), Collectors.counting()));
            assertThat(perInterval)
                    .as("scheduled sweeps per interval")
                    .allSatisfy((slot, n) -> assertThat(n).isEqualTo(1));
            assertThat(scheduled)
                    .allSatisfy(s -> assertThat(s.get("attempts").asInt()).isEqualTo(1));
            assertThat(scheduled.stream().map(s -> s.get("sweeper").asString()).collect(Collectors.toSet()))
                    .as("sweepers")
                    .allMatch(s -> s.startsWith(a.pid() + "@") || s.startsWith(b.pid() + "@"));
            assertThat(loadsPerBlob("orders/live/"))
                    .as("loads per live blob")
                    .allSatisfy((blob, n) -> assertThat(n).isEqualTo(1));
            assertThat(loadsPerBlob("orders/backlog/"))
                    .as("no surprise backfill")
                    .isEmpty();
            System.out.println("scheduled sweeps: " + scheduled.size() + " in " + perInterval.size()
                    + " intervals, by "
                    + scheduled.stream()
                            .collect(Collectors.groupingBy(s -> s.get("sweeper").asString(), Collectors.counting())));

            // the backfill, on demand; the schedule may hold the container for a moment (409)
            String body = "{\"prefix\": \"orders/backlog/\", \"modifiedSince\": \""
                    + Instant.now().minus(Duration.ofDays(1)) + "\"}";
            JsonNode backfill = await().atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> postSweep(a, body), r -> r != null);
            String id = backfill.get("id").asString();
            JsonNode midway = await().atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> get(a, "/sweeps/" + id),
                            s -> s.get("listed").asLong() >= 200
                                    || !s.get("status").asString().equals("RUNNING"));
            assertThat(midway.get("status").asString())
                    .as("still running when killed")
                    .isEqualTo("RUNNING");
            String sweeper = midway.get("sweeper").asString();
            Replica victim = sweeper.startsWith(a.pid() + "@") ? a : b;
            Replica survivor = victim == a ? b : a;
            victim.kill();
            System.out.println("killed replica " + victim.name + " at " + midway.get("listed") + " blobs listed, "
                    + midway.get("queued") + " queued");

            JsonNode done = await().atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> get(survivor, "/sweeps/" + id),
                            s -> !s.get("status").asString().equals("RUNNING"));
            assertThat(done.get("status").asString()).isEqualTo("FINISHED");
            assertThat(done.get("attempts").asInt()).isEqualTo(2);
            assertThat(done.get("sweeper").asString()).startsWith(survivor.pid() + "@");
            assertThat(done.get("listed").asLong()).isEqualTo(BACKLOG);
            assertThat(done.get("queued").asLong()).isEqualTo(BACKLOG);
            Map<String, Long> backlog = loadsPerBlob("orders/backlog/");
            assertThat(backlog)
                    .hasSize(BACKLOG)
                    .allSatisfy((blob, n) -> assertThat(n).isEqualTo(1));
            System.out.println("backfill of " + BACKLOG + " blobs finished on replica " + survivor.name + ": " + done);
        }
    }

    List<JsonNode> scheduled(Replica replica) throws IOException, InterruptedException {
        List<JsonNode> sweeps = new ArrayList<>();
        get(replica, "/sweeps?size=500").get("sweeps").forEach(s -> {
            if (s.get("requestedBy").asString().equals("SCHEDULE")) {
                sweeps.add(s);
            }
        });
        return sweeps;
    }

    JsonNode postSweep(Replica replica, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(replica.uri("/sweeps"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 409) {
            return null;
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        return json.readTree(answer.body());
    }

    JsonNode get(Replica replica, String path) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(replica.uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json.readTree(answer.body());
    }

    void upload(String prefix, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> uploads = new ArrayList<>();
            for (int i : IntStream.range(0, count).toArray()) {
                String name = prefix + "f%05d.csv".formatted(i);
                uploads.add(pool.submit(() -> azurite.upload(
                        CONTAINER, name, ("order_id\n" + name + "\n").getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<String> upload : uploads) {
                upload.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Loads per blob under the prefix, read from the ledger itself. */
    Map<String, Long> loadsPerBlob(String prefix) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(
                        (String) ledger.get("spring.datasource.url"), PostgresSchema.USER, "");
                PreparedStatement s = c.prepareStatement("SELECT blob_name, COUNT(*) FROM loads"
                        + " WHERE container = ? AND blob_name LIKE ? GROUP BY blob_name")) {
            s.setString(1, CONTAINER);
            s.setString(2, prefix + "%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    /** One replica: snowhook as a child JVM on the shared ledger, on a free loopback port, without workers. */
    static final class Replica implements AutoCloseable {

        final String name;
        private final Process process;
        private final int port;
        private final Path log;

        private Replica(String name, Process process, int port, Path log) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.log = log;
        }

        static Replica start(Path dir, AzuriteServer azurite, Map<String, Object> ledger, String name)
                throws IOException {
            int port = freePort();
            Path log = dir.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    mainClassPath(),
                    SnowhookApplication.class.getName(),
                    "--server.address=127.0.0.1",
                    "--server.port=" + port,
                    "--management.server.port=" + freePort(),
                    "--snowhook.warehouse.duckdb.path=" + dir.resolve(name + "-warehouse.duckdb"),
                    "--snowhook.warehouse.duckdb.stage=" + dir.resolve(name + "-stage"),
                    "--snowhook.loads.workers=0",
                    "--snowhook.sweep.interval=10s",
                    "--snowhook.sweep.lease=4s",
                    "--snowhook.sweep.poll-interval=500ms",
                    "--snowhook.sweep.page-size=20",
                    "--spring.main.banner-mode=off"));
            ledger.forEach((key, value) -> command.add("--" + key + "=" + value));
            azurite.properties(List.of(CONTAINER)).forEach((key, value) -> command.add("--" + key + "=" + value));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Replica replica = new Replica(name, process, port, log);
            replica.awaitReady();
            return replica;
        }

        long pid() {
            return process.pid();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        /** SIGKILL: no shutdown hook, no lease given back. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }

        /** Ready when it answers the sweeps API. */
        private void awaitReady() {
            HttpClient client = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("snowhook replica " + name + " exited: " + tail());
                }
                try {
                    return client.send(
                                            HttpRequest.newBuilder(uri("/sweeps"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        }

        String tail() {
            try {
                String text = Files.readString(log);
                return text.substring(Math.max(0, text.length() - 20_000));
            } catch (IOException e) {
                return "(no log)";
            }
        }

        /** The application's own classes and dependencies — not the test classes, which would be scanned. */
        private static String mainClassPath() {
            String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            return Arrays.stream(path.split(File.pathSeparator))
                    .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
                    .collect(Collectors.joining(File.pathSeparator));
        }

        private static int freePort() {
            try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
