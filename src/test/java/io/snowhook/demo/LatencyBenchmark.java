package io.snowhook.demo;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.EncodedResource;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Must-show benchmark of single-file latency: small JavaSips files loaded one at a time through the running
 * service (started by {@code bench/latency.sh} on the embedded defaults). Each file is uploaded to Azurite,
 * then its event is posted exactly as an Argo Sensor posts it, and the next file only after the previous
 * load is {@code LOADED}. Latency is the server's own: {@code receivedAt} → {@code finishedAt} of each load.
 * Where the time goes comes from the service's {@code snowhook.load.phase} timers (actuator metrics), read
 * before and after the measured files. Writes its section of {@code --doc} ({@code docs/benchmarks.md}),
 * between its markers, leaving the other sections as they are.
 *
 * <p>Arguments: {@code --files 100 --warmup 10 --rows 100 --snowhook URL --management URL --connection-string S
 * --out DIR --doc docs/benchmarks.md --label TEXT --uptime-before TEXT}.
 */
public final class LatencyBenchmark {

    static final String START = "<!-- bench:latency:start -->";
    static final String END = "<!-- bench:latency:end -->";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private LatencyBenchmark() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int files = Integer.parseInt(arg(args, "--files", "100"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "200"));
        int rows = Integer.parseInt(arg(args, "--rows", "100"));
        URI snowhook = URI.create(arg(args, "--snowhook", "http://127.0.0.1:8080"));
        URI management = URI.create(arg(args, "--management", "http://127.0.0.1:8081"));
        Path out = Path.of(arg(args, "--out", "./data/bench-latency/generated"));
        Path doc = Path.of(arg(args, "--doc", "docs/benchmarks.md"));
        String label = arg(args, "--label", "main");
        String uptimeBefore = arg(args, "--uptime-before", uptime());

        // factories × 2 tables, one day: warm-up files on an earlier day, so no blob repeats
        List<GeneratedFile> warm = generate(out.resolve("warmup"), Math.max(1, (warmup + 1) / 2), "2026-11-01", rows)
                .subList(0, warmup);
        List<GeneratedFile> measured = generate(out.resolve("measured"), (files + 1) / 2, "2026-11-23", rows)
                .subList(0, files);
        JavaSipsGenerator generator = generator(out, snowhook, arg(args, "--connection-string", ""));
        BlobContainerClient container = generator.containerClient();

        Floor floor = new Floor(out.resolve("floor"));
        System.out.printf("Warm-up: %d files…%n", warm.size());
        List<Measured> warmed = oneAtATime(generator, container, warm, snowhook, floor, new ArrayList<>());
        Map<String, Phase> before = phases(management);
        System.out.printf(
                "Measured: %d files, one at a time, each followed by the floor on the same file…%n", measured.size());
        long start = System.nanoTime();
        List<double[]> floors = new ArrayList<>();
        List<Measured> results = oneAtATime(generator, container, measured, snowhook, floor, floors);
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, Phase> after = phases(management);
        String uptimeAfter = uptime();

        floor.close();
        String section = section(
                label, measured, results, warmed, floors, before, after, wallSeconds, uptimeBefore, uptimeAfter);
        writeSection(doc, section);
        System.out.println(section);
        System.exit(0);
    }

    static List<GeneratedFile> generate(Path dir, int factories, String day, int rows) throws IOException {
        return JavaSipsGenerator.generateFiles(
                "--factories",
                Integer.toString(factories),
                "--days",
                "1",
                "--start-date",
                day,
                "--rows",
                Integer.toString(rows),
                "--gzip-share",
                "0.5",
                "--out",
                dir.toString());
    }

    static JavaSipsGenerator generator(Path out, URI snowhook, String connectionString) {
        List<String> options =
                new ArrayList<>(List.of("--out", out.toString(), "--upload", "--post", snowhook.toString()));
        if (!connectionString.isBlank()) {
            options.addAll(List.of("--connection-string", connectionString));
        }
        // the generator's per-file console lines would only slow the loop down
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        return new JavaSipsGenerator(JavaSipsGenerator.Options.parse(options.toArray(String[]::new)), quiet);
    }

    /** A load as the server recorded it. */
    record Measured(String blob, long rows, double eventToLoadedMs, double queuedMs, double runMs) {}

    private static List<Measured> oneAtATime(
            JavaSipsGenerator generator,
            BlobContainerClient container,
            List<GeneratedFile> files,
            URI snowhook,
            Floor floor,
            List<double[]> floors)
            throws Exception {
        List<Measured> measured = new ArrayList<>();
        for (GeneratedFile file : files) {
            String etag = generator.upload(container, file);
            // the floor goes first for every other file: whichever reads a blob second finds Azurite warm
            boolean floorFirst = measured.size() % 2 == 1;
            if (floorFirst) {
                floors.add(floor.load(container, file, etag));
            }
            String id = generator.post(container, file, etag);
            if (id == null) {
                throw new IllegalStateException("snowhook did not accept the event of " + file.blobName());
            }
            JsonNode load = awaitFinal(snowhook, id);
            if (!"LOADED".equals(load.path("status").asString())) {
                throw new IllegalStateException(file.blobName() + " ended " + load);
            }
            if (load.path("rowsLoaded").asLong() != file.rows()) {
                throw new IllegalStateException(file.blobName() + ": "
                        + load.path("rowsLoaded").asLong() + " rows loaded, " + file.rows() + " generated");
            }
            Instant received = Instant.parse(load.path("receivedAt").asString());
            Instant started = Instant.parse(load.path("startedAt").asString());
            Instant finished = Instant.parse(load.path("finishedAt").asString());
            measured.add(new Measured(
                    file.blobName(),
                    file.rows(),
                    ms(received, finished),
                    ms(received, started),
                    ms(started, finished)));
            if (!floorFirst) {
                floors.add(floor.load(container, file, etag));
            }
        }
        return measured;
    }

    /**
     * Polls the load every 20 ms until it is final. The latency itself comes from the server's timestamps;
     * polling more often only competes with the load for the machine's cores.
     */
    static JsonNode awaitFinal(URI snowhook, String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpRequest request = HttpRequest.newBuilder(snowhook.resolve("/loads/" + id))
                .timeout(Duration.ofSeconds(10))
                .build();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                JsonNode load = JSON.readTree(response.body());
                if (List.of("LOADED", "FAILED", "SKIPPED", "SUPERSEDED")
                        .contains(load.path("status").asString())) {
                    return load;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("load " + id + " not final within 60 s");
    }

    /**
     * The floor: the same components doing the least a load needs, from this JVM, without snowhook — one
     * ledger insert committed (the event recorded), the blob read from Azurite with the SDK as the service
     * reads it (If-Match on the eTag) into a stage file, DuckDB's {@code DELETE} + {@code INSERT … FROM
     * read_csv} + {@code COMMIT} of that file into the same tables, the staged file removed, one ledger update
     * committed (the outcome). Run next to each service load, on the same file (before it for every other
     * file, after it for the rest), so both meet the same machine load.
     */
    static final class Floor implements AutoCloseable {
        private final Connection ledger;
        private final Connection warehouse;
        private final Path stage;
        private final Map<String, String> columnTypes = new LinkedHashMap<>();

        Floor(Path dir) throws IOException, SQLException {
            Files.createDirectories(dir.resolve("stage"));
            this.stage = dir.resolve("stage");
            // the service's ledger URL settings (scripts/lib.sh)
            this.ledger = DriverManager.getConnection(
                    "jdbc:h2:file:" + dir.toAbsolutePath().resolve("floor-ledger")
                            + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0",
                    "sa",
                    "");
            try (Statement st = ledger.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS floor_loads (id UUID PRIMARY KEY, blob_name VARCHAR(1024),"
                        + " etag VARCHAR(256), status VARCHAR(16), rows_loaded BIGINT, received_at TIMESTAMP WITH"
                        + " TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE)");
            }
            this.warehouse = DriverManager.getConnection(
                    "jdbc:duckdb:" + dir.toAbsolutePath().resolve("floor.duckdb"));
            ScriptUtils.executeSqlScript(
                    warehouse,
                    new EncodedResource(
                            new ClassPathResource("warehouse/duckdb/javasips.sql"), StandardCharsets.UTF_8));
            try (Statement st = warehouse.createStatement()) {
                st.execute("SET TimeZone = 'UTC'");
                st.execute("SET preserve_insertion_order = false");
            }
        }

        /** The floor's parts for one file, in milliseconds: record, read blob to stage, DuckDB, unstage, outcome. */
        double[] load(BlobContainerClient container, GeneratedFile file, String etag) throws Exception {
            double[] parts = new double[5];
            UUID id = UUID.randomUUID();
            long t = System.nanoTime();
            try (PreparedStatement ps = ledger.prepareStatement("INSERT INTO floor_loads (id, blob_name, etag,"
                    + " status, received_at) VALUES (?, ?, ?, 'QUEUED', CURRENT_TIMESTAMP)")) {
                ps.setObject(1, id);
                ps.setString(2, file.blobName());
                ps.setString(3, etag);
                ps.executeUpdate();
            }
            parts[0] = since(t);
            t = System.nanoTime();
            Path staged = stage.resolve(id.toString());
            BlobInputStreamOptions options = new BlobInputStreamOptions()
                    .setRequestConditions(new BlobRequestConditions().setIfMatch("\"" + etag + "\""));
            try (InputStream in = container.getBlobClient(file.blobName()).openInputStream(options)) {
                Files.copy(in, staged);
            }
            parts[1] = since(t);
            t = System.nanoTime();
            String table = file.table().toUpperCase(Locale.ROOT);
            warehouse.setAutoCommit(false);
            try (PreparedStatement delete =
                            warehouse.prepareStatement("DELETE FROM " + table + " WHERE _source_blob = ?");
                    PreparedStatement insert = warehouse.prepareStatement("INSERT INTO " + table + " SELECT *, ?, ?,"
                            + " CAST(? AS UUID), current_timestamp FROM " + reader(table, file.gzipped()))) {
                delete.setString(1, file.blobName());
                delete.executeUpdate();
                insert.setString(1, file.blobName());
                insert.setString(2, etag);
                insert.setString(3, id.toString());
                insert.setString(4, staged.toString());
                long rows = insert.executeLargeUpdate();
                if (rows != file.rows()) {
                    throw new IllegalStateException("floor: " + rows + " rows of " + file.blobName());
                }
                warehouse.commit();
            } finally {
                warehouse.setAutoCommit(true);
            }
            parts[2] = since(t);
            t = System.nanoTime();
            Files.delete(staged);
            parts[3] = since(t);
            t = System.nanoTime();
            try (PreparedStatement ps = ledger.prepareStatement("UPDATE floor_loads SET status = 'LOADED',"
                    + " rows_loaded = ?, finished_at = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setLong(1, file.rows());
                ps.setObject(2, id);
                ps.executeUpdate();
            }
            parts[4] = since(t);
            return parts;
        }

        /**
         * DuckDB alone on many local files: one {@code INSERT … FROM read_csv([…])} per table and compression, all in
         * one transaction, as a batch would. Returns the milliseconds it took.
         */
        double insertAll(List<GeneratedFile> files) throws SQLException {
            long t = System.nanoTime();
            warehouse.setAutoCommit(false);
            try (Statement st = warehouse.createStatement()) {
                for (String table : List.of("INVENTORY", "ORDERS")) {
                    for (boolean gzipped : new boolean[] {false, true}) {
                        String list = files.stream()
                                .filter(f -> f.table().equalsIgnoreCase(table) && f.gzipped() == gzipped)
                                .map(f -> "'"
                                        + f.path().toAbsolutePath().toString().replace("'", "''") + "'")
                                .collect(Collectors.joining(", "));
                        if (!list.isEmpty()) {
                            st.executeUpdate("INSERT INTO " + table + " SELECT *, 'b', 'e', uuid(), current_timestamp"
                                    + " FROM " + reader(table, gzipped, "[" + list + "]"));
                        }
                    }
                }
                warehouse.commit();
            } finally {
                warehouse.setAutoCommit(true);
            }
            return since(t);
        }

        private String reader(String table, boolean gzipped) throws SQLException {
            return reader(table, gzipped, "?");
        }

        private String reader(String table, boolean gzipped, String source) throws SQLException {
            String types = columnTypes.get(table);
            if (types == null) {
                StringBuilder t = new StringBuilder();
                try (PreparedStatement ps = warehouse.prepareStatement("SELECT column_name, data_type FROM"
                        + " information_schema.columns WHERE table_name = ? AND column_name NOT LIKE '\\_%' ESCAPE"
                        + " '\\' ORDER BY ordinal_position")) {
                    ps.setString(1, table);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            t.append(t.length() == 0 ? "" : ", ")
                                    .append('\'')
                                    .append(rs.getString(1))
                                    .append("': '")
                                    .append(rs.getString(2))
                                    .append('\'');
                        }
                    }
                }
                types = "{" + t + "}";
                columnTypes.put(table, types);
            }
            return "read_csv(" + source
                    + ", auto_detect = false, header = true, delim = ',', quote = '\"', escape = '\"',"
                    + " strict_mode = true, compression = " + (gzipped ? "'gzip'" : "'none'") + ", columns = "
                    + types + ")";
        }

        private static double since(long start) {
            return (System.nanoTime() - start) / 1e6;
        }

        @Override
        public void close() throws SQLException {
            ledger.close();
            warehouse.close();
        }
    }

    /**
     * One phase timer as Prometheus exposes it: count, total seconds and the cumulative histogram buckets (upper
     * bound in seconds → count).
     */
    record Phase(long count, double totalSeconds, NavigableMap<Double, Long> buckets) {

        static final Phase NONE = new Phase(0, 0, new TreeMap<>());

        /** This and another table's timer of the same phase, as one. */
        Phase plus(Phase other) {
            NavigableMap<Double, Long> sum = new TreeMap<>(buckets);
            other.buckets().forEach((le, n) -> sum.merge(le, n, Long::sum));
            return new Phase(count + other.count(), totalSeconds + other.totalSeconds(), sum);
        }

        /** This minus an earlier reading of the same timer: what happened in between. */
        Phase minus(Phase earlier) {
            NavigableMap<Double, Long> delta = new TreeMap<>();
            buckets.forEach((le, n) -> delta.put(le, n - earlier.buckets().getOrDefault(le, 0L)));
            return new Phase(count - earlier.count(), totalSeconds - earlier.totalSeconds(), delta);
        }

        /** The mean in milliseconds. */
        double meanMs() {
            return count == 0 ? 0 : totalSeconds * 1000 / count;
        }

        /**
         * The largest time in milliseconds as the histogram bounds it: the upper bound of the highest bucket holding a
         * time (the timer's own max is a decaying window that would also cover the warm-up files).
         */
        double maxMs() {
            double max = 0;
            long below = 0;
            for (Map.Entry<Double, Long> bucket : buckets.entrySet()) {
                if (bucket.getValue() > below && !bucket.getKey().isInfinite()) {
                    max = bucket.getKey();
                }
                below = bucket.getValue();
            }
            return max * 1000;
        }

        /** The p-th percentile in milliseconds, interpolated linearly inside its histogram bucket. */
        double percentileMs(double p) {
            if (count == 0) {
                return 0;
            }
            double rank = p / 100 * count;
            double lower = 0;
            long below = 0;
            for (Map.Entry<Double, Long> bucket : buckets.entrySet()) {
                if (bucket.getValue() >= rank) {
                    double upper = bucket.getKey().isInfinite() ? lower : bucket.getKey();
                    long in = bucket.getValue() - below;
                    double share = in == 0 ? 1 : (rank - below) / in;
                    return (lower + (upper - lower) * share) * 1000;
                }
                lower = bucket.getKey();
                below = bucket.getValue();
            }
            return lower * 1000;
        }
    }

    private static final Pattern SAMPLE =
            Pattern.compile("^snowhook_load_phase_seconds_(bucket|count|sum)\\{([^}]*)\\} (\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** The phases in the order they run on the worker; a phase the service does not report is left out. */
    static final List<String> PHASES = List.of("wake-up", "claim", "download", "insert", "batch", "record", "other");

    /**
     * The {@code snowhook.load.phase} timers by phase, every table's together, from the Prometheus endpoint (empty
     * when absent).
     */
    static Map<String, Phase> phases(URI management) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(management.resolve("/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return Map.of();
        }
        // by phase and table: each table has a timer of its own
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Double> sums = new TreeMap<>();
        Map<String, NavigableMap<Double, Long>> buckets = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            String phase = labels.get("phase") + "\u0000" + labels.get("table");
            double value = Double.parseDouble(m.group(3));
            switch (m.group(1)) {
                case "count" -> counts.put(phase, (long) value);
                case "sum" -> sums.put(phase, value);
                default -> {
                    String le = labels.get("le");
                    buckets.computeIfAbsent(phase, k -> new TreeMap<>())
                            .put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), (long) value);
                }
            }
        }
        Map<String, Phase> phases = new TreeMap<>();
        counts.forEach((key, n) -> phases.merge(
                key.substring(0, key.indexOf('\u0000')),
                new Phase(n, sums.getOrDefault(key, 0.0), buckets.getOrDefault(key, new TreeMap<>())),
                Phase::plus));
        return phases;
    }

    static String section(
            String label,
            List<GeneratedFile> files,
            List<Measured> results,
            List<Measured> warmed,
            List<double[]> floors,
            Map<String, Phase> before,
            Map<String, Phase> after,
            double wallSeconds,
            String uptimeBefore,
            String uptimeAfter) {
        double[] latency =
                results.stream().mapToDouble(Measured::eventToLoadedMs).sorted().toArray();
        double[] queued =
                results.stream().mapToDouble(Measured::queuedMs).sorted().toArray();
        double[] run = results.stream().mapToDouble(Measured::runMs).sorted().toArray();
        double[] warm =
                warmed.stream().mapToDouble(Measured::eventToLoadedMs).sorted().toArray();
        double[] floorTotal = floors.stream()
                .mapToDouble(f -> Arrays.stream(f).sum())
                .sorted()
                .toArray();
        long bytes = files.stream().mapToLong(GeneratedFile::bytes).sum();
        long gzipped = files.stream().filter(GeneratedFile::gzipped).count();
        String when = LatencyBenchmark.now();
        StringBuilder s = new StringBuilder();
        s.append(START).append('\n');
        s.append("## Single-file latency, event → LOADED (`bench/latency.sh`)\n\n");
        s.append(String.format(
                Locale.ROOT,
                "%d small JavaSips files (%d rows each, %s in all, %d gzipped), one at a time through the jar on"
                        + " the embedded defaults (H2 file ledger, DuckDB, Azurite; free loopback ports): each file"
                        + " uploaded to Azurite, then its event posted as the Argo Sensor posts it (whole event, no"
                        + " Content-Type), the next only after the previous load is `LOADED`. Latency is the"
                        + " server's own, `receivedAt` → `finishedAt` of each load; %d warm-up files ran first (not"
                        + " counted). Build: %s. Run: %s, %d CPUs, %s RAM, Java %s. Load average (`uptime`) before:"
                        + " %s; after: %s.%n%n",
                files.size(),
                files.isEmpty() ? 0 : files.get(0).rows(),
                JavaSipsGenerator.human(bytes),
                gzipped,
                warmed.size(),
                label,
                when,
                Runtime.getRuntime().availableProcessors(),
                memTotal(),
                System.getProperty("java.version"),
                uptimeBefore,
                uptimeAfter));
        s.append("| | p50 | p90 | p99 | max |\n|---|---|---|---|---|\n");
        s.append(row("**event → LOADED** (`receivedAt` → `finishedAt`)", latency, true));
        s.append(row("event → claimed (`receivedAt` → `startedAt`)", queued, false));
        s.append(row("claimed → LOADED (`startedAt` → `finishedAt`)", run, false));
        s.append(row("warm-up files, event → LOADED", warm, false));
        s.append(row(
                "**floor**: the same work without snowhook (below), on the same file, before or after it in turn",
                floorTotal,
                true));
        s.append(String.format(
                Locale.ROOT,
                "%nTarget: p50 ≤ 15 ms, p99 ≤ 50 ms. %d files in %.1f s of wall time (upload, post and polling"
                        + " included).%n",
                results.size(),
                wallSeconds));
        if (!after.isEmpty()) {
            s.append("\nWhere the milliseconds go, from the service's `snowhook.load.phase` timers (all tables), read"
                    + " from `/actuator/prometheus` before and after the measured files. The phases run one after"
                    + " another on the worker's thread: `wake-up` (the idle worker woken by the queued load, until it"
                    + " claims), `claim` (the ledger transaction taking the load), `download` (blob opened and read"
                    + " into the stage, until the warehouse read its end), `insert` (DuckDB's statements after that),"
                    + " `record` (the outcome committed to the ledger), `other` (the worker's own steps between claim"
                    + " and record). p50 and p99 are interpolated in the timer's histogram buckets, max is the upper"
                    + " bound of the highest bucket used.\n\n");
            s.append("| phase | times | mean | p50 | p99 | max | per load |\n" + "|---|---|---|---|---|---|---|\n");
            double sum = 0;
            for (String phase : PHASES) {
                if (!after.containsKey(phase)) {
                    continue;
                }
                Phase p = after.get(phase).minus(before.getOrDefault(phase, Phase.NONE));
                double perLoad = p.totalSeconds() * 1000 / results.size();
                if (!phase.equals("wake-up")) {
                    sum += perLoad;
                }
                s.append(String.format(
                        Locale.ROOT,
                        "| %s | %d | %.2f ms | %.2f ms | %.2f ms | ≤ %.2f ms | %.2f ms |%n",
                        phase,
                        p.count(),
                        p.meanMs(),
                        p.percentileMs(50),
                        p.percentileMs(99),
                        p.maxMs(),
                        perLoad));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "| claim to outcome recorded (the phases without `wake-up`) | | | | | | %.2f ms |%n"
                            + "| mean claimed → LOADED (`startedAt` → `finishedAt`) | | | | | | %.2f ms |%n"
                            + "| mean event → LOADED | | | | | | %.2f ms |%n",
                    sum,
                    Arrays.stream(run).average().orElse(0),
                    Arrays.stream(latency).average().orElse(0)));
        }
        String[] parts = {
            "ledger insert, committed (the event recorded)",
            "blob read from Azurite into a stage file (SDK, If-Match)",
            "DuckDB `DELETE` + `INSERT … FROM read_csv` + `COMMIT`",
            "staged file removed",
            "ledger update, committed (the outcome)"
        };
        s.append("\nThe floor's parts, measured in the benchmark's JVM (same Azurite, H2 with the service's URL"
                + " settings, DuckDB file with the same tables):\n\n| floor part | p50 | p90 | p99 | max |\n"
                + "|---|---|---|---|---|\n");
        for (int i = 0; i < parts.length; i++) {
            int part = i;
            s.append(row(
                    parts[i], floors.stream().mapToDouble(f -> f[part]).sorted().toArray(), false));
        }
        // the floor reads every other blob before the service does (just uploaded), the rest after the service
        // (Azurite has answered for it once already): both halves, to tell the blob's freshness from snowhook
        s.append(row("blob read, half of it: the floor first, the blob just uploaded", blobReads(floors, 1), false));
        s.append(row("blob read, other half: the floor after the service's load", blobReads(floors, 0), false));
        s.append("\nReproduce: `bench/latency.sh` (`FILES=100`, `WARMUP=200`, `ROWS=100`); it is not part of"
                + " `./mvnw verify`.\n");
        s.append(END).append('\n');
        return s.toString();
    }

    /** The floor's blob reads (part 1) of every other file, from {@code first} on, sorted. */
    private static double[] blobReads(List<double[]> floors, int first) {
        return java.util.stream.IntStream.range(0, floors.size())
                .filter(i -> i % 2 == first)
                .mapToDouble(i -> floors.get(i)[1])
                .sorted()
                .toArray();
    }

    private static String row(String what, double[] sorted, boolean bold) {
        String f = bold ? "**%.1f ms**" : "%.1f ms";
        return String.format(
                Locale.ROOT,
                "| %s | " + f + " | %.1f ms | " + f + " | %.1f ms |%n",
                what,
                percentile(sorted, 50),
                percentile(sorted, 90),
                percentile(sorted, 99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** Replaces the text between this benchmark's markers, or appends the section when the markers are absent. */
    static void writeSection(Path doc, String section) throws IOException {
        writeSection(doc, START, END, section);
    }

    /** Replaces the text between the given markers, or appends the section when the markers are absent. */
    static void writeSection(Path doc, String start, String end, String section) throws IOException {
        String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "# Benchmarks\n";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        String updated;
        if (from >= 0 && to > from) {
            updated = text.substring(0, from)
                    + section
                    + text.substring(to + end.length()).replaceFirst("^\\R", "");
        } else {
            updated = text + (text.endsWith("\n") ? "\n" : "\n\n") + section;
        }
        Files.writeString(doc, updated, StandardCharsets.UTF_8);
    }

    static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    /** This minute in UTC, as the figures' run line gives it. */
    static String now() {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(Instant.now().atOffset(ZoneOffset.UTC));
    }

    /** The load averages over 1, 5 and 15 minutes, as {@code uptime} prints them. */
    static String uptime() {
        try {
            String[] avg = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return avg[0] + ", " + avg[1] + ", " + avg[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static String memTotal() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format(Locale.ROOT, "%,.0f MiB", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0))
                    .collect(Collectors.joining());
        } catch (IOException e) {
            return "?";
        }
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
