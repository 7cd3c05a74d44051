package io.snowhook.demo;

import com.azure.storage.blob.BlobContainerClient;
import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private LatencyBenchmark() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int files = Integer.parseInt(arg(args, "--files", "100"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "10"));
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

        System.out.printf("Warm-up: %d files…%n", warm.size());
        List<Measured> warmed = oneAtATime(generator, container, warm, snowhook);
        Map<String, Phase> before = phases(management);
        System.out.printf("Measured: %d files, one at a time…%n", measured.size());
        long start = System.nanoTime();
        List<Measured> results = oneAtATime(generator, container, measured, snowhook);
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, Phase> after = phases(management);
        String uptimeAfter = uptime();

        String section = section(label, measured, results, warmed, before, after, wallSeconds, uptimeBefore, uptimeAfter);
        writeSection(doc, section);
        System.out.println(section);
        System.exit(0);
    }

    private static List<GeneratedFile> generate(Path dir, int factories, String day, int rows) throws IOException {
        return JavaSipsGenerator.generateFiles(
                "--factories", Integer.toString(factories),
                "--days", "1",
                "--start-date", day,
                "--rows", Integer.toString(rows),
                "--gzip-share", "0.5",
                "--out", dir.toString());
    }

    private static JavaSipsGenerator generator(Path out, URI snowhook, String connectionString) {
        List<String> options = new ArrayList<>(List.of("--out", out.toString(), "--upload", "--post", snowhook.toString()));
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
            JavaSipsGenerator generator, BlobContainerClient container, List<GeneratedFile> files, URI snowhook)
            throws IOException, InterruptedException {
        List<Measured> measured = new ArrayList<>();
        for (GeneratedFile file : files) {
            String etag = generator.upload(container, file);
            String id = generator.post(container, file, etag);
            if (id == null) {
                throw new IllegalStateException("snowhook did not accept the event of " + file.blobName());
            }
            JsonNode load = awaitFinal(snowhook, id);
            if (!"LOADED".equals(load.path("status").asString())) {
                throw new IllegalStateException(file.blobName() + " ended " + load);
            }
            if (load.path("rowsLoaded").asLong() != file.rows()) {
                throw new IllegalStateException(file.blobName() + ": " + load.path("rowsLoaded").asLong()
                        + " rows loaded, " + file.rows() + " generated");
            }
            Instant received = Instant.parse(load.path("receivedAt").asString());
            Instant started = Instant.parse(load.path("startedAt").asString());
            Instant finished = Instant.parse(load.path("finishedAt").asString());
            measured.add(new Measured(
                    file.blobName(), file.rows(), ms(received, finished), ms(received, started), ms(started, finished)));
        }
        return measured;
    }

    /**
     * Polls the load every 20 ms until it is final. The latency itself comes from the server's timestamps;
     * polling more often only competes with the load for the machine's cores.
     */
    private static JsonNode awaitFinal(URI snowhook, String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpRequest request = HttpRequest.newBuilder(snowhook.resolve("/loads/" + id))
                .timeout(Duration.ofSeconds(10))
                .build();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                JsonNode load = JSON.readTree(response.body());
                if (List.of("LOADED", "FAILED", "SKIPPED", "SUPERSEDED").contains(load.path("status").asString())) {
                    return load;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("load " + id + " not final within 60 s");
    }

    /** One phase timer's totals: count and total seconds. */
    record Phase(long count, double totalSeconds, double maxSeconds) {}

    /** The {@code snowhook.load.phase} timers by phase, as the actuator reports them (empty when absent). */
    static Map<String, Phase> phases(URI management) throws IOException, InterruptedException {
        Map<String, Phase> phases = new java.util.TreeMap<>();
        JsonNode meter = metric(management, "snowhook.load.phase", null);
        if (meter == null) {
            return phases;
        }
        for (JsonNode tag : meter.path("availableTags")) {
            if (!tag.path("tag").asString().equals("phase")) {
                continue;
            }
            for (JsonNode value : tag.path("values")) {
                String phase = value.asString();
                JsonNode m = metric(management, "snowhook.load.phase", "phase:" + phase);
                if (m == null) {
                    continue;
                }
                Map<String, Double> stats = new LinkedHashMap<>();
                for (JsonNode s : m.path("measurements")) {
                    stats.put(s.path("statistic").asString(), s.path("value").asDouble());
                }
                phases.put(
                        phase,
                        new Phase(
                                stats.getOrDefault("COUNT", 0.0).longValue(),
                                stats.getOrDefault("TOTAL_TIME", 0.0),
                                stats.getOrDefault("MAX", 0.0)));
            }
        }
        return phases;
    }

    private static JsonNode metric(URI management, String name, String tag) throws IOException, InterruptedException {
        String query = tag == null
                ? ""
                : "?tag=" + java.net.URLEncoder.encode(tag, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(management.resolve("/actuator/metrics/" + name + query))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    static String section(
            String label,
            List<GeneratedFile> files,
            List<Measured> results,
            List<Measured> warmed,
            Map<String, Phase> before,
            Map<String, Phase> after,
            double wallSeconds,
            String uptimeBefore,
            String uptimeAfter) {
        double[] latency = results.stream().mapToDouble(Measured::eventToLoadedMs).sorted().toArray();
        double[] queued = results.stream().mapToDouble(Measured::queuedMs).sorted().toArray();
        double[] run = results.stream().mapToDouble(Measured::runMs).sorted().toArray();
        double[] warm = warmed.stream().mapToDouble(Measured::eventToLoadedMs).sorted().toArray();
        long bytes = files.stream().mapToLong(GeneratedFile::bytes).sum();
        long gzipped = files.stream().filter(GeneratedFile::gzipped).count();
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(Instant.now().atOffset(ZoneOffset.UTC));
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
        s.append(String.format(
                Locale.ROOT,
                "%nTarget: p50 ≤ 15 ms, p99 ≤ 50 ms. %d files in %.1f s of wall time (upload, post and polling"
                        + " included).%n",
                results.size(),
                wallSeconds));
        if (!after.isEmpty()) {
            s.append("\nWhere the milliseconds go, from the service's `snowhook.load.phase` timers over the measured"
                    + " files (mean per load; the phases run one after another on the worker's thread):\n\n");
            s.append("| phase | times | mean per time | per load | max (whole run) |\n|---|---|---|---|---|\n");
            double sum = 0;
            for (Map.Entry<String, Phase> e : after.entrySet()) {
                Phase b = before.getOrDefault(e.getKey(), new Phase(0, 0, 0));
                long count = e.getValue().count() - b.count();
                double total = e.getValue().totalSeconds() - b.totalSeconds();
                double perLoad = total * 1000 / results.size();
                sum += perLoad;
                s.append(String.format(
                        Locale.ROOT,
                        "| %s | %d | %.2f ms | %.2f ms | %.1f ms |%n",
                        e.getKey(),
                        count,
                        count == 0 ? 0 : total * 1000 / count,
                        perLoad,
                        e.getValue().maxSeconds() * 1000));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "| sum of the phases | | | %.2f ms | |%n| mean event → LOADED | | | %.2f ms | |%n",
                    sum,
                    Arrays.stream(latency).average().orElse(0)));
        }
        s.append("\nReproduce: `bench/latency.sh` (`FILES=100`, `WARMUP=10`, `ROWS=100`); it is not part of"
                + " `./mvnw verify`.\n");
        s.append(END).append('\n');
        return s.toString();
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
        String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "# Benchmarks\n";
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        String updated;
        if (start >= 0 && end > start) {
            updated = text.substring(0, start) + section + text.substring(end + END.length()).replaceFirst("^\\R", "");
        } else {
            updated = text + (text.endsWith("\n") ? "\n" : "\n\n") + section;
        }
        Files.writeString(doc, updated, StandardCharsets.UTF_8);
    }

    private static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
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

    private static String memTotal() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format(Locale.ROOT, "%,.0f MiB", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0))
                    .collect(Collectors.joining());
        } catch (IOException e) {
            return "?";
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
