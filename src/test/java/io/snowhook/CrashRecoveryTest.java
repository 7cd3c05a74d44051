package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as its own JVM process on the embedded defaults (H2 ledger file, DuckDB file, Azurite):
 * loads are queued, the process is killed with SIGKILL while some run and others wait, and a new process
 * on the same files finishes every load — each file's rows exactly once. And on either ledger, H2 or
 * PostgreSQL, every event answered with 202 before a SIGKILL that hits the service mid-stream, with
 * requests in flight and workers running, is in the ledger afterwards.
 */
class CrashRecoveryTest {

    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final String HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final int FILES = 8;
    static final int ROWS = 25_000;
    static final Duration PATIENCE = Duration.ofMinutes(3);
    static final int POSTERS = 8;
    static final int ACKNOWLEDGED_BEFORE_KILL = 200;
    /**
     * Rows per file of the mid-batch kill: enough that staging the batch outlasts the few hundred milliseconds
     * between the worker's start (with the context) and the test seeing the service ready (30 files of 10,000
     * rows were staged and loaded in 1 s on an idle machine, before the test looked).
     */
    static final int BATCH_ROWS = 40_000;

    final AzuriteServer azurite = AzuriteServer.shared();
    final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void finishesEveryLoadExactlyOnceAfterTheServiceIsKilled() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Integer> files = new LinkedHashMap<>();
        List<StorageEvent> events = new ArrayList<>();
        for (int i = 1; i <= FILES; i++) {
            String name = "orders/crash-" + run + "/f" + i + ".csv";
            byte[] csv = orders("c" + run + "-" + i, ROWS);
            String etag = azurite.upload(CONTAINER, name, csv);
            files.put(name, ROWS);
            events.add(ArgoEvents.blobCreated(
                    AzuriteServer.ACCOUNT,
                    CONTAINER,
                    name,
                    etag,
                    csv.length,
                    "0000000000000442000000000002896" + i,
                    "PutBlockList",
                    ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT)));
        }

        List<String> ids = new ArrayList<>();
        Map<String, String> atKill;
        try (Service first = Service.start(dir, azurite, "first")) {
            for (StorageEvent event : events) {
                ids.add(post(first, event));
            }
            await().atMost(PATIENCE).until(() -> statuses(first, ids).containsValue("LOADING"));
            atKill = statuses(first, ids);
            first.kill();
        }
        System.out.println("load statuses when snowhook was killed: " + atKill.values());
        assertThat(atKill.values())
                .as("loads in flight or queued when the service was killed")
                .anyMatch(s -> s.equals("LOADING") || s.equals("QUEUED"));

        Map<String, String> finals;
        try (Service second = Service.start(dir, azurite, "second")) {
            finals = await().atMost(PATIENCE)
                    .until(() -> statuses(second, ids), s -> s.values().stream().allMatch(CrashRecoveryTest::isFinal));
            second.stop();
            System.out.println("second run: "
                    + second.tail()
                            .lines()
                            .filter(l -> l.contains("queued again") || l.contains("LOADED"))
                            .count() + " lines about requeued or loaded loads");
        }

        assertThat(finals.values()).as("every load, by id: %s", finals).allMatch("LOADED"::equals);
        for (Map.Entry<String, Integer> file : files.entrySet()) {
            assertThat(rowsOf(file.getKey()))
                    .as("rows of %s: total and distinct orders", file.getKey())
                    .containsExactly((long) file.getValue(), (long) file.getValue());
        }
    }

    @Test
    void finishesEveryLoadOfABatchExactlyOnceAfterTheServiceIsKilledInTheMiddleOfIt() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ledger = "jdbc:h2:file:" + dir.resolve("ledger") + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
        int batch = 30;
        Map<String, Integer> files = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        azurite.createContainer(CONTAINER);
        // queued by an intake-only replica, so that one worker of the next takes them all in one batch
        try (Service intake = Service.start(dir, azurite, "intake", ledger, 0)) {
            for (int i = 1; i <= batch; i++) {
                String name = "orders/batch-" + run + "/f" + i + ".csv";
                byte[] csv = orders("b" + run + "-" + i, BATCH_ROWS);
                String etag = azurite.upload(CONTAINER, name, csv);
                files.put(name, BATCH_ROWS);
                ids.add(post(
                        intake,
                        ArgoEvents.blobCreated(
                                AzuriteServer.ACCOUNT,
                                CONTAINER,
                                name,
                                etag,
                                csv.length,
                                "0000000000000442000000000002896" + i,
                                "PutBlockList",
                                ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT))));
            }
            intake.stop();
        }

        Path batches = dir.resolve("stage").resolve("batches");
        try (Service first = Service.start(dir, azurite, "first", ledger, 1)) {
            // in the middle of the batch: its files are being staged, nothing of it committed yet
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> stagedFiles(batches) >= 3);
            Map<String, String> atKill = statuses(first, ids);
            first.kill();
            System.out.println("load statuses when snowhook was killed mid-batch: " + atKill.values());
            assertThat(atKill.values())
                    .as("the batch's loads were all claimed together")
                    .allMatch("LOADING"::equals);
        }
        assertThat(files.keySet().stream()
                        .mapToLong(name -> {
                            try {
                                return rowsOf(name).get(0);
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        })
                        .sum())
                .as("no row of the batch was committed before the kill")
                .isZero();

        Map<String, String> finals;
        try (Service second = Service.start(dir, azurite, "second", ledger, 2)) {
            finals = await().atMost(PATIENCE)
                    .until(() -> statuses(second, ids), s -> s.values().stream().allMatch(CrashRecoveryTest::isFinal));
            second.stop();
        }
        assertThat(finals.values()).as("every load, by id: %s", finals).allMatch("LOADED"::equals);
        for (Map.Entry<String, Integer> file : files.entrySet()) {
            assertThat(rowsOf(file.getKey()))
                    .as("rows of %s: total and distinct orders", file.getKey())
                    .containsExactly((long) file.getValue(), (long) file.getValue());
        }
    }

    static long stagedFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void keepsEveryAcknowledgedEventOnALedgerUrlWithoutWriteDelayWhenKilled() throws Exception {
        // the URL a user writes for a ledger file of their own: no WRITE_DELAY, so H2 would wait 500 ms
        String url = "jdbc:h2:file:" + dir.resolve("own-ledger");
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        azurite.createContainer(CONTAINER); // healthy storage, so the service reports up
        try (Service service = Service.start(dir, azurite, "own-ledger", url, 0)) {
            for (int i = 1; i <= 40; i++) {
                ids.add(post(
                        service,
                        ArgoEvents.blobCreated(
                                        AzuriteServer.ACCOUNT, CONTAINER, "orders/own-" + run + "/f" + i + ".csv")
                                .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT))
                                .withETag("0x8DCB" + i)));
            }
            service.kill(); // right after the last 202
        }

        try (Connection c = DriverManager.getConnection(url, "sa", "");
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM loads")) {
            rs.next();
            assertThat(rs.getLong(1))
                    .as("acknowledged loads still in the ledger")
                    .isEqualTo(ids.size());
        }
    }

    @Test
    void keepsEveryAcknowledgedEventOnTheShippedH2LedgerWhenKilledMidStream() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("ledger") + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
        Set<String> acknowledged;
        azurite.createContainer(CONTAINER); // healthy storage, so the service reports up
        try (Service service = Service.start(dir, azurite, "h2-stream", url, 4, Map.of())) {
            acknowledged = killWhilePosting(service);
        }
        assertThat(ledgerIds(url, "sa"))
                .as("loads acknowledged with 202 before the SIGKILL")
                .containsAll(acknowledged);
    }

    @Test
    void keepsEveryAcknowledgedEventOnPostgresWhenKilledMidStream() throws Exception {
        PostgresSchema postgres = new PostgresSchema("crash");
        postgres.require("crash recovery");
        try {
            Map<String, Object> ledger = new LinkedHashMap<>();
            postgres.register((name, value) -> ledger.put(name, value.get()));
            String url = (String) ledger.remove("spring.datasource.url");
            Set<String> acknowledged;
            azurite.createContainer(CONTAINER); // healthy storage, so the service reports up
            try (Service service = Service.start(dir, azurite, "postgres-stream", url, 4, ledger)) {
                acknowledged = killWhilePosting(service);
            }
            assertThat(ledgerIds(url, PostgresSchema.USER))
                    .as("loads acknowledged with 202 before the SIGKILL")
                    .containsAll(acknowledged);
        } finally {
            postgres.drop();
        }
    }

    /**
     * Posts new blobs' events from {@value #POSTERS} clients at once, as Argo does, and SIGKILLs the service
     * once {@value #ACKNOWLEDGED_BEFORE_KILL} were acknowledged, while the others still post.
     *
     * @return the ids of the loads answered with 202 (those whose answer was read whole before the kill)
     */
    Set<String> killWhilePosting(Service service) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean posting = new AtomicBoolean(true);
        ExecutorService posters = Executors.newFixedThreadPool(POSTERS);
        for (int p = 0; p < POSTERS; p++) {
            int poster = p;
            posters.execute(() -> {
                for (int i = 0; posting.get(); i++) {
                    StorageEvent event = ArgoEvents.blobCreated(
                                    AzuriteServer.ACCOUNT,
                                    CONTAINER,
                                    "orders/kill-" + run + "/p" + poster + "-" + i + ".csv")
                            .withUrlBase(ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT))
                            .withETag("0x8DCC" + poster + "0" + i);
                    try {
                        HttpResponse<String> response = http.send(
                                HttpRequest.newBuilder(service.uri("/events"))
                                        .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 202) {
                            acknowledged.add(json.readTree(response.body())
                                    .get("loads")
                                    .get(0)
                                    .get("id")
                                    .asString());
                        }
                    } catch (IOException killed) {
                        return;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
        }
        await().atMost(PATIENCE).until(() -> acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL);
        service.kill();
        posting.set(false);
        posters.shutdown();
        assertThat(posters.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        System.out.println(acknowledged.size() + " events acknowledged before the SIGKILL");
        return Set.copyOf(acknowledged);
    }

    static Set<String> ledgerIds(String url, String user) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                ResultSet rs = c.createStatement().executeQuery("SELECT id FROM loads")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Posts the event as an Argo Sensor does: the whole Argo event, base64 twice, no Content-Type. */
    String post(Service service, StorageEvent event) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(service.uri("/events"))
                        .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode load = json.readTree(response.body()).get("loads").get(0);
        assertThat(load.get("status").asString()).isEqualTo("QUEUED");
        return load.get("id").asString();
    }

    Map<String, String> statuses(Service service, List<String> ids) throws IOException, InterruptedException {
        Map<String, String> statuses = new LinkedHashMap<>();
        for (String id : ids) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(service.uri("/loads/" + id)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode load = json.readTree(response.body());
            statuses.put(id, load.get("status").asString());
        }
        return statuses;
    }

    static boolean isFinal(String status) {
        return !status.equals("QUEUED") && !status.equals("LOADING");
    }

    List<Long> rowsOf(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*), count(DISTINCT order_id) FROM ORDERS WHERE _source_blob = ?")) {
            s.setString(1, CONTAINER + "/" + name);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return List.of(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    static byte[] orders(String prefix, int rows) {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 1; i <= rows; i++) {
            csv.append(prefix)
                    .append('-')
                    .append(i)
                    .append(",f01,JS-")
                    .append(100 + i % 50)
                    .append(',')
                    .append(1 + i % 9)
                    .append(",19.90,EUR,2026-11-23T08:15:00Z,web\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** snowhook as a child JVM on the embedded defaults under one folder, on a free loopback port. */
    static final class Service implements AutoCloseable {

        private final Process process;
        private final int port;
        private final int managementPort;
        private final Path log;

        private Service(Process process, int port, int managementPort, Path log) {
            this.process = process;
            this.port = port;
            this.managementPort = managementPort;
            this.log = log;
        }

        static Service start(Path dir, AzuriteServer azurite, String name) throws IOException {
            // the shipped H2 settings (application.yml), on a file of this test
            return start(
                    dir,
                    azurite,
                    name,
                    "jdbc:h2:file:" + dir.resolve("ledger") + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0",
                    2);
        }

        static Service start(Path dir, AzuriteServer azurite, String name, String ledgerUrl, int workers)
                throws IOException {
            return start(dir, azurite, name, ledgerUrl, workers, Map.of());
        }

        /** With more properties, e.g. a PostgreSQL ledger's user and schema. */
        static Service start(
                Path dir,
                AzuriteServer azurite,
                String name,
                String ledgerUrl,
                int workers,
                Map<String, Object> properties)
                throws IOException {
            int port = freePort();
            int managementPort = freePort();
            Path log = dir.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    mainClassPath(),
                    SnowhookApplication.class.getName(),
                    "--server.address=127.0.0.1",
                    "--server.port=" + port,
                    "--management.server.port=" + managementPort,
                    "--spring.datasource.url=" + ledgerUrl,
                    "--snowhook.warehouse.duckdb.path=" + dir.resolve("warehouse.duckdb"),
                    "--snowhook.warehouse.duckdb.stage=" + dir.resolve("stage"),
                    "--snowhook.loads.workers=" + workers,
                    "--spring.main.banner-mode=off"));
            azurite.properties(List.of(CONTAINER)).forEach((key, value) -> command.add("--" + key + "=" + value));
            properties.forEach((key, value) -> command.add("--" + key + "=" + value));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Service service = new Service(process, port, managementPort, log);
            service.awaitReady();
            return service;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        /** SIGKILL: no shutdown hook, no graceful anything. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGTERM, then waits for the graceful shutdown to end. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
        }

        private void awaitReady() {
            HttpClient client = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            try {
                awaitHealth(client);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("snowhook was not ready within " + PATIENCE + ": " + tail(), e);
            }
        }

        private void awaitHealth(HttpClient client) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("snowhook exited: " + tail());
                }
                try {
                    return client.send(
                                            HttpRequest.newBuilder(URI.create(
                                                            "http://127.0.0.1:" + managementPort + "/actuator/health"))
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
