package io.snowhook.demo;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Must-show benchmark of batching: the end-of-day burst (200 factories × an inventory and an orders file, 300 rows
 * each: 400 files, 120,000 rows, half of them gzipped) on the embedded defaults, run with batching as shipped and
 * with {@code snowhook.loads.batch.max-files=1} (one file per warehouse statement) side by side, in rounds A B A B
 * on the same uploaded blobs. Started by {@code bench/burst.sh}, which starts Azurite; this class starts the jar
 * itself, twice per round, each round on a fresh ledger and warehouse:
 *
 * <ol>
 *   <li>intake only ({@code --snowhook.loads.workers=0}): all 400 events posted as the Argo Sensor posts them,
 *       then the service stops — so every event is queued before any worker starts;
 *   <li>with workers: the burst drains (first {@code startedAt} → last {@code finishedAt}, the server's own
 *       timestamps), then 50 small files go one at a time for single-file event → LOADED latency; the warehouse
 *       statements it cost come from the service's {@code snowhook.warehouse.statements} counter;
 *   <li>after it stops, every file's rows are counted in the DuckDB file against what the generator wrote: each
 *       blob's rows exactly once, under one load id.
 * </ol>
 *
 * Writes its section of {@code --doc} ({@code docs/benchmarks.md}) between its markers.
 *
 * <p>Arguments: {@code --jar target/snowhook.jar --connection-string S --azurite-endpoint URL --data DIR --doc
 * docs/benchmarks.md --rounds 4 --factories 200 --rows 300 --singles 50 --warmup 200 --label TEXT --uptime-before
 * TEXT}.
 */
public final class BurstBenchmark {

    static final String START = "<!-- bench:burst:start -->";
    static final String END = "<!-- bench:burst:end -->";
    private static final JsonMapper JSON = LatencyBenchmark.JSON;
    private static final HttpClient HTTP = LatencyBenchmark.HTTP;
    private static final String CONTAINER = "factory-uploads";
    private static final int DOWNLOADERS = 8;
    private static final List<String> FINAL = List.of("LOADED", "FAILED", "SKIPPED", "SUPERSEDED");

    private BurstBenchmark() {}

    /** One setting of the comparison. */
    enum Setting {
        BATCHES("batching as shipped (`max-files` 50)", List.of()),
        ONE_FILE("one file per statement (`max-files=1`)", List.of("--snowhook.loads.batch.max-files=1"));

        final String title;
        final List<String> options;

        Setting(String title, List<String> options) {
            this.title = title;
            this.options = options;
        }
    }

    /** What one round measured. */
    record Round(
            Setting setting,
            double drainSeconds,
            double wallSeconds,
            int batches,
            int largestBatch,
            double statements,
            double[] singleMs,
            long rowsChecked,
            double downloadSeconds,
            double duckDbSeconds) {

        double filesPerSecond(int files) {
            return files / drainSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        // the SDK warns on every upload that the JDK client sets Content-Length itself
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.azure.core.http.jdk.httpclient"))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
        Path jar = Path.of(LatencyBenchmark.arg(args, "--jar", "target/snowhook.jar"));
        String connectionString = LatencyBenchmark.arg(args, "--connection-string", "");
        String endpoint = LatencyBenchmark.arg(args, "--azurite-endpoint", "");
        Path data = Path.of(LatencyBenchmark.arg(args, "--data", "./data/bench-burst"));
        Path doc = Path.of(LatencyBenchmark.arg(args, "--doc", "docs/benchmarks.md"));
        int rounds = Integer.parseInt(LatencyBenchmark.arg(args, "--rounds", "4"));
        int factories = Integer.parseInt(LatencyBenchmark.arg(args, "--factories", "200"));
        int rows = Integer.parseInt(LatencyBenchmark.arg(args, "--rows", "300"));
        int singles = Integer.parseInt(LatencyBenchmark.arg(args, "--singles", "50"));
        // single files run first and not counted: after a burst of batches the one-file path is as cold as the
        // batch path is after a burst of single files
        int warmup = Integer.parseInt(LatencyBenchmark.arg(args, "--warmup", "200"));
        String label = LatencyBenchmark.arg(args, "--label", "main");
        String uptimeBefore = LatencyBenchmark.arg(args, "--uptime-before", LatencyBenchmark.uptime());

        Path generated = data.resolve("generated");
        List<GeneratedFile> burst =
                LatencyBenchmark.generate(generated.resolve("burst"), factories, "2026-11-23", rows);
        // the generator posts to whichever service runs; the URL is set per start
        JavaSipsGenerator uploader =
                LatencyBenchmark.generator(generated, URI.create("http://127.0.0.1:9"), connectionString);
        BlobContainerClient container = uploader.containerClient();
        System.out.printf("Uploading the burst: %d files…%n", burst.size());
        Map<String, String> etags = new LinkedHashMap<>();
        for (GeneratedFile file : burst) {
            etags.put(file.blobName(), uploader.upload(container, file));
        }
        Service.Launcher launcher = new Service.Launcher(jar, endpoint, connectionString);

        List<Round> results = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Setting setting = i % 2 == 0 ? Setting.BATCHES : Setting.ONE_FILE;
            // single files on a day of their own per round, so no blob repeats across rounds
            List<GeneratedFile> single = LatencyBenchmark.generate(
                            generated.resolve("single-" + i), (singles + warmup + 1) / 2, "2026-10-" + (10 + i), 100)
                    .subList(0, singles + warmup);
            System.out.printf("Round %d of %d: %s…%n", i + 1, rounds, setting.title);
            Round round = round(
                    launcher,
                    data.resolve("round-" + (i + 1)),
                    setting,
                    burst,
                    etags,
                    single,
                    warmup,
                    connectionString);
            System.out.printf(
                    Locale.ROOT,
                    "  drained %d files in %.2f s (%.1f files/s), %d batches, %.0f statements; single p50 %.1f ms%n",
                    burst.size(),
                    round.drainSeconds(),
                    round.filesPerSecond(burst.size()),
                    round.batches(),
                    round.statements(),
                    LatencyBenchmark.percentile(round.singleMs(), 50));
            results.add(round);
        }
        String section = section(label, burst, singles, warmup, results, uptimeBefore, LatencyBenchmark.uptime());
        LatencyBenchmark.writeSection(doc, START, END, section);
        System.out.println(section);
        System.exit(0);
    }

    private static Round round(
            Service.Launcher launcher,
            Path dir,
            Setting setting,
            List<GeneratedFile> burst,
            Map<String, String> etags,
            List<GeneratedFile> singles,
            int warmup,
            String connectionString)
            throws Exception {
        Map<String, GeneratedFile> byBlob = new HashMap<>();
        burst.forEach(f -> byBlob.put(f.blobName(), f));
        singles.forEach(f -> byBlob.put(f.blobName(), f));

        try (Service intake = launcher.start(dir, List.of("--snowhook.loads.workers=0"))) {
            JavaSipsGenerator poster = LatencyBenchmark.generator(dir.resolve("posted"), intake.url, connectionString);
            BlobContainerClient container = poster.containerClient();
            for (GeneratedFile file : burst) {
                if (poster.post(container, file, etags.get(file.blobName())) == null) {
                    throw new IllegalStateException("snowhook did not accept the event of " + file.blobName());
                }
            }
        }

        // the floor of this round, on the same machine state: the burst's downloads alone, then DuckDB alone
        double downloadSeconds = downloads(burst, etags, connectionString);
        double duckDbSeconds;
        try (LatencyBenchmark.Floor floor = new LatencyBenchmark.Floor(dir.resolve("floor"))) {
            duckDbSeconds = floor.insertAll(burst) / 1000;
        }

        List<String> options = new ArrayList<>(setting.options);
        long wallStart;
        double wallSeconds;
        List<JsonNode> loads;
        double statements;
        double[] singleMs;
        try (Service service = launcher.start(dir, options)) {
            wallStart = System.nanoTime();
            awaitDrained(service.url, burst.size());
            wallSeconds = (System.nanoTime() - wallStart) / 1e9;
            loads = loads(service.url);
            statements = statements(service.management);
            singleMs = singles(service.url, dir, singles, warmup, connectionString);
        }
        if (loads.size() != burst.size()) {
            throw new IllegalStateException(loads.size() + " loads listed, " + burst.size() + " posted");
        }
        Instant first = Instant.MAX;
        Instant last = Instant.MIN;
        Map<String, Integer> batchSizes = new HashMap<>();
        for (JsonNode load : loads) {
            String blob = load.path("blob").asString();
            GeneratedFile file = byBlob.get(blob);
            if (!"LOADED".equals(load.path("status").asString())
                    || file == null
                    || load.path("rowsLoaded").asLong() != file.rows()) {
                throw new IllegalStateException(blob + " ended " + load);
            }
            Instant started = Instant.parse(load.path("startedAt").asString());
            Instant finished = Instant.parse(load.path("finishedAt").asString());
            first = started.isBefore(first) ? started : first;
            last = finished.isAfter(last) ? finished : last;
            String batch = load.path("batchId").isString()
                    ? load.path("batchId").asString()
                    : load.path("id").asString();
            batchSizes.merge(batch, 1, Integer::sum);
        }
        long rows = checkRows(dir.resolve("warehouse.duckdb"), byBlob);
        return new Round(
                setting,
                LatencyBenchmark.ms(first, last) / 1000,
                wallSeconds,
                batchSizes.size(),
                batchSizes.values().stream().mapToInt(Integer::intValue).max().orElse(0),
                statements,
                singleMs,
                rows,
                downloadSeconds,
                duckDbSeconds);
    }

    /**
     * The burst's blobs read from Azurite by this JVM with the SDK as the service reads them (If-Match on the eTag),
     * {@value #DOWNLOADERS} at a time as the DuckDB adapter stages them; seconds for all of them.
     */
    private static double downloads(List<GeneratedFile> files, Map<String, String> etags, String connectionString)
            throws Exception {
        BlobContainerClient container = LatencyBenchmark.generator(
                        Path.of("."), URI.create("http://127.0.0.1:9"), connectionString)
                .containerClient();
        ExecutorService pool = Executors.newFixedThreadPool(DOWNLOADERS);
        try {
            long start = System.nanoTime();
            List<Future<Integer>> reads = new ArrayList<>();
            for (GeneratedFile file : files) {
                reads.add(pool.submit(() -> {
                    BlobInputStreamOptions options = new BlobInputStreamOptions()
                            .setRequestConditions(
                                    new BlobRequestConditions().setIfMatch("\"" + etags.get(file.blobName()) + "\""));
                    try (InputStream in =
                            container.getBlobClient(file.blobName()).openInputStream(options)) {
                        return in.readAllBytes().length;
                    }
                }));
            }
            for (Future<Integer> read : reads) {
                read.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdown();
        }
    }

    /** Polls the summary every 50 ms until every load is final. */
    private static void awaitDrained(URI snowhook, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode summary = JSON.readTree(get(snowhook.resolve("/loads/summary")));
            long finals = 0;
            for (String status : FINAL) {
                finals += summary.path("byStatus").path(status).asLong(0);
            }
            if (summary.path("total").asLong() >= expected
                    && finals == summary.path("total").asLong()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the burst did not drain within 10 minutes");
    }

    private static List<JsonNode> loads(URI snowhook) throws Exception {
        List<JsonNode> loads = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode body = JSON.readTree(get(snowhook.resolve("/loads?size=500&page=" + page)));
            body.path("loads").forEach(loads::add);
            if (body.path("loads").size() < 500) {
                return loads;
            }
        }
    }

    /**
     * Small files one at a time, each after the previous is final: the server's receivedAt → finishedAt of each
     * after the first {@code warmup}.
     */
    private static double[] singles(
            URI snowhook, Path dir, List<GeneratedFile> files, int warmup, String connectionString) throws Exception {
        JavaSipsGenerator generator = LatencyBenchmark.generator(dir.resolve("singles"), snowhook, connectionString);
        BlobContainerClient container = generator.containerClient();
        double[] ms = new double[files.size() - warmup];
        for (int i = 0; i < files.size(); i++) {
            GeneratedFile file = files.get(i);
            String id = generator.post(container, file, generator.upload(container, file));
            if (id == null) {
                throw new IllegalStateException("snowhook did not accept the event of " + file.blobName());
            }
            JsonNode load = LatencyBenchmark.awaitFinal(snowhook, id);
            if (!"LOADED".equals(load.path("status").asString())) {
                throw new IllegalStateException(file.blobName() + " ended " + load);
            }
            if (i < warmup) {
                continue;
            }
            ms[i - warmup] = LatencyBenchmark.ms(
                    Instant.parse(load.path("receivedAt").asString()),
                    Instant.parse(load.path("finishedAt").asString()));
        }
        java.util.Arrays.sort(ms);
        return ms;
    }

    /** The sum of the service's {@code snowhook.warehouse.statements} counters, all tables. */
    private static double statements(URI management) throws Exception {
        double sum = 0;
        for (String line : get(management.resolve("/actuator/prometheus")).split("\n")) {
            if (line.startsWith("snowhook_warehouse_statements_total")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /**
     * Every blob's rows in the warehouse, after the service stopped: as many as the generator wrote, under one load
     * id, and no blob the benchmark did not send. Returns the rows checked.
     */
    static long checkRows(Path warehouse, Map<String, GeneratedFile> expected) throws SQLException {
        Map<String, Long> seen = new HashMap<>();
        Set<String> problems = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse.toAbsolutePath());
                Statement st = c.createStatement()) {
            for (String table : List.of("INVENTORY", "ORDERS")) {
                try (ResultSet rs = st.executeQuery("SELECT _source_blob, count(*), count(DISTINCT _load_id) FROM "
                        + table + " GROUP BY _source_blob")) {
                    while (rs.next()) {
                        String blob = rs.getString(1);
                        seen.put(blob, rs.getLong(2));
                        if (rs.getLong(3) != 1) {
                            problems.add(blob + " has rows of " + rs.getLong(3) + " loads");
                        }
                    }
                }
            }
        }
        // the lineage column names the blob with its container, as Event Grid's subject does
        seen.keySet().removeIf(blob -> {
            boolean ours =
                    blob.startsWith(CONTAINER + "/") && expected.containsKey(blob.substring(CONTAINER.length() + 1));
            if (!ours) {
                problems.add(blob + " was never sent");
            }
            return !ours;
        });
        Map<String, Long> byBlob = new HashMap<>();
        seen.forEach((blob, n) -> byBlob.put(blob.substring(CONTAINER.length() + 1), n));
        long rows = 0;
        for (GeneratedFile file : expected.values()) {
            long n = byBlob.getOrDefault(file.blobName(), 0L);
            if (n != file.rows()) {
                problems.add(file.blobName() + ": " + n + " rows in the warehouse, " + file.rows() + " generated");
            }
            rows += n;
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("warehouse rows do not match the generator: " + problems);
        }
        return rows;
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " → " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** The jar started on the embedded defaults under a directory, on free loopback ports. */
    static final class Service implements AutoCloseable {
        final Process process;
        final URI url;
        final URI management;

        private Service(Process process, URI url, URI management) {
            this.process = process;
            this.url = url;
            this.management = management;
        }

        /** Starts the jar with the application arguments {@code scripts/lib.sh} gives the demo and benchmarks. */
        record Launcher(Path jar, String azuriteEndpoint, String connectionString) {

            Service start(Path dir, List<String> options) throws Exception {
                Files.createDirectories(dir.resolve("logs"));
                int port = freePort();
                int managementPort = freePort();
                List<String> command = new ArrayList<>(List.of("java"));
                // JAVA_OPTS of bench/burst.sh: JVM options for every start (e.g. a flight recording)
                String javaOptions =
                        System.getenv().getOrDefault("JAVA_OPTS", "").trim();
                if (!javaOptions.isEmpty()) {
                    command.addAll(List.of(javaOptions
                            .replace("{dir}", dir.toAbsolutePath().toString())
                            .split("\\s+")));
                }
                command.addAll(List.of("-jar", jar.toString()));
                command.addAll(libArguments(dir, port, managementPort));
                // SNOWHOOK_ARGS, as scripts/lib.sh's start_snowhook takes them: any extra option for every start
                String extra = System.getenv().getOrDefault("SNOWHOOK_ARGS", "").trim();
                if (!extra.isEmpty()) {
                    command.addAll(List.of(extra.split("\\s+")));
                }
                command.addAll(options);
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("logs/snowhook.console.log").toFile())
                        .start();
                Service service = new Service(
                        process,
                        URI.create("http://127.0.0.1:" + port),
                        URI.create("http://127.0.0.1:" + managementPort));
                service.awaitLive(dir);
                return service;
            }

            /** {@code snowhook_args} of {@code scripts/lib.sh}, so the benchmark runs the jar as the demo does. */
            private List<String> libArguments(Path dir, int port, int managementPort) throws Exception {
                ProcessBuilder bash = new ProcessBuilder(
                        "bash",
                        "-c",
                        "source scripts/lib.sh && snowhook_args \"$1\" \"$2\" \"$3\""
                                + " && printf '%s\\0' \"${SNOWHOOK_ARGV[@]}\"",
                        "bash",
                        dir.toAbsolutePath().toString(),
                        Integer.toString(port),
                        Integer.toString(managementPort));
                bash.environment().put("AZURITE_ENDPOINT", azuriteEndpoint);
                bash.environment().put("AZURITE_CONNECTION_STRING", connectionString);
                bash.redirectError(ProcessBuilder.Redirect.INHERIT);
                Process p = bash.start();
                String out;
                try (InputStream in = p.getInputStream()) {
                    out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (p.waitFor() != 0 || out.isEmpty()) {
                    throw new IllegalStateException("scripts/lib.sh snowhook_args failed");
                }
                return List.of(out.substring(0, out.length() - 1).split("\0"));
            }
        }

        private void awaitLive(Path dir) throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            HttpRequest probe = HttpRequest.newBuilder(management.resolve("/actuator/health/liveness"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("snowhook exited; see " + dir.resolve("logs"));
                }
                try {
                    if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("snowhook not live within 2 minutes; see " + dir.resolve("logs"));
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        /** Stops the service as Kubernetes does (SIGTERM) and waits for it to finish. */
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("snowhook did not stop within 60 s of SIGTERM");
            }
        }
    }

    static String section(
            String label,
            List<GeneratedFile> burst,
            int singles,
            int warmup,
            List<Round> rounds,
            String uptimeBefore,
            String uptimeAfter) {
        long rows = burst.stream().mapToLong(GeneratedFile::rows).sum();
        long bytes = burst.stream().mapToLong(GeneratedFile::bytes).sum();
        long gzipped = burst.stream().filter(GeneratedFile::gzipped).count();
        int files = burst.size();
        String when = LatencyBenchmark.now();
        StringBuilder s = new StringBuilder();
        s.append(START).append('\n');
        s.append("## End-of-day burst, batches against one file per statement (`bench/burst.sh`)\n\n");
        s.append(String.format(
                Locale.ROOT,
                "%d JavaSips files (%d factories × an inventory and an orders file; %,d rows, %s, %d gzipped) on the"
                        + " embedded defaults (H2 file ledger, DuckDB, Azurite; free loopback ports), rounds A B A B on"
                        + " the same blobs, each on a fresh ledger and warehouse. Per round: the jar runs intake only"
                        + " (`--snowhook.loads.workers=0`) while all %d events are posted as the Argo Sensor posts"
                        + " them, and stops; then it starts with workers and the queue drains. **Drain** is the"
                        + " server's first `startedAt` → last `finishedAt`; wall is from the service answering"
                        + " liveness to every load final (50 ms polling). Then small files (100 rows) go one at a"
                        + " time, %d not counted and %d measured: event → LOADED is `receivedAt` → `finishedAt`. After the service stops, every"
                        + " blob's rows are counted in the DuckDB file against the generator: each exactly once, under"
                        + " one load id. Warehouse statements are the service's `snowhook.warehouse.statements`"
                        + " counter over the burst (read before the single files). Build: %s. Run: %s, %d CPUs, %s RAM, Java %s. Load average"
                        + " (`uptime`) before: %s; after: %s.%n%n",
                files,
                files / 2,
                rows,
                JavaSipsGenerator.human(bytes),
                gzipped,
                files,
                warmup,
                singles,
                label,
                when,
                Runtime.getRuntime().availableProcessors(),
                LatencyBenchmark.memTotal(),
                System.getProperty("java.version"),
                uptimeBefore,
                uptimeAfter));
        s.append("| round | setting | drain | files/s | wall | batches (largest) | warehouse statements |"
                + " single file p50 | p99 | rows checked | floor: downloads alone | floor: DuckDB alone |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            s.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %.2f s | %.1f | %.2f s | %d (%d) | %.0f | %.1f ms | %.1f ms | %,d | %.2f s | %.2f s |%n",
                    i + 1,
                    r.setting().title,
                    r.drainSeconds(),
                    r.filesPerSecond(files),
                    r.wallSeconds(),
                    r.batches(),
                    r.largestBatch(),
                    r.statements(),
                    LatencyBenchmark.percentile(r.singleMs(), 50),
                    LatencyBenchmark.percentile(r.singleMs(), 99),
                    r.rowsChecked(),
                    r.downloadSeconds(),
                    r.duckDbSeconds()));
        }
        Map<Setting, double[]> drains = new LinkedHashMap<>();
        Map<Setting, double[]> latencies = new LinkedHashMap<>();
        for (Setting setting : Setting.values()) {
            drains.put(
                    setting,
                    rounds.stream()
                            .filter(r -> r.setting() == setting)
                            .mapToDouble(Round::drainSeconds)
                            .sorted()
                            .toArray());
            latencies.put(
                    setting,
                    rounds.stream()
                            .filter(r -> r.setting() == setting)
                            .flatMapToDouble(r -> java.util.Arrays.stream(r.singleMs()))
                            .sorted()
                            .toArray());
        }
        double batched = median(drains.get(Setting.BATCHES));
        double oneFile = median(drains.get(Setting.ONE_FILE));
        s.append(String.format(
                Locale.ROOT,
                "%nMedian drain: %.2f s with batches (%.1f files/s), %.2f s one file per statement (%.1f files/s):"
                        + " **batching drains %.1f× faster** (target ≥ 6×). Single files over all rounds of a"
                        + " setting: **p50 %.1f / p99 %.1f ms with batches, %.1f / %.1f ms with `max-files=1`**"
                        + " (target: no worse).%n",
                batched,
                files / batched,
                oneFile,
                files / oneFile,
                oneFile / batched,
                LatencyBenchmark.percentile(latencies.get(Setting.BATCHES), 50),
                LatencyBenchmark.percentile(latencies.get(Setting.BATCHES), 99),
                LatencyBenchmark.percentile(latencies.get(Setting.ONE_FILE), 50),
                LatencyBenchmark.percentile(latencies.get(Setting.ONE_FILE), 99)));
        double download = median(
                rounds.stream().mapToDouble(Round::downloadSeconds).sorted().toArray());
        double duckDb = median(
                rounds.stream().mapToDouble(Round::duckDbSeconds).sorted().toArray());
        s.append(String.format(
                Locale.ROOT,
                "%nThe floor, measured in every round before the workers start (median): the %d blobs read from"
                        + " Azurite alone, %d at a time with the SDK and If-Match as the service stages them, %.2f s;"
                        + " DuckDB alone inserting the same %d local files (one `INSERT … FROM read_csv([…])` per table"
                        + " and compression, one transaction) %.2f s. No drain can be shorter than the downloads:"
                        + " one file per statement takes %.1f× the floor's sum, batches %.1f×.%n",
                files,
                DOWNLOADERS,
                download,
                files,
                duckDb,
                oneFile / (download + duckDb),
                batched / (download + duckDb)));
        s.append(
                "\nReproduce: `bench/burst.sh` (`ROUNDS=4`, `FACTORIES=200`, `ROWS=300`, `SINGLES=50`, `WARMUP=200`); it is not"
                        + " part of `./mvnw verify`.\n");
        s.append(END).append('\n');
        return s.toString();
    }

    private static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
