package io.snowhook.demo;

import com.azure.storage.blob.BlobContainerClient;
import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import io.snowhook.demo.JavaSipsGenerator.Posted;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.EncodedResource;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Must-show benchmark: one orders CSV larger than snowhook's heap, uploaded to Azurite and loaded through
 * the running service (started by {@code bench/large-file.sh} with a small {@code -Xmx}); records
 * throughput, wall time and peak memory, next to the floor measured in the same run (the download of the blob
 * alone plus DuckDB's own {@code CREATE TABLE … AS SELECT} of the local file), and writes its section of {@code
 * docs/benchmarks.md} (between its markers; the other sections are kept).
 *
 * <p>Arguments: {@code --size 1GiB --snowhook http://127.0.0.1:PORT --pid PID --connection-string S
 * --out DIR --doc docs/benchmarks.md --xmx 256m}; {@code --duckdb-memory-limit} and {@code --duckdb-threads} for the
 * floor default to the service's defaults.
 */
public final class LargeFileBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LargeFileBenchmark() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        String size = arg(args, "--size", "1GiB");
        URI snowhook = URI.create(arg(args, "--snowhook", "http://127.0.0.1:8080"));
        URI management = URI.create(arg(args, "--management", "http://127.0.0.1:8081"));
        long pid = Long.parseLong(arg(args, "--pid", "0"));
        Path out = Path.of(arg(args, "--out", "./data/bench/generated"));
        Path doc = Path.of(arg(args, "--doc", "docs/benchmarks.md"));
        String xmx = arg(args, "--xmx", "256m");
        // the default of snowhook.warehouse.duckdb.memory-limit (DuckDbProperties, pinned by DuckDbWarehouseTest),
        // as the service sets it: a DataSize in MiB (DuckDB reads "MB" as 1000², "MiB" as 1024²)
        String memoryLimit =
                DataSize.parse(arg(args, "--duckdb-memory-limit", "64MB")).toMegabytes() + "MiB";
        // the threads the service gives a CSV insert: its cores, at most one per 24 MiB of the memory limit
        // (DuckDbWarehouse.threadsThatFit)
        long fit = DataSize.parse(arg(args, "--duckdb-memory-limit", "64MB")).toMegabytes() / 24;
        int threads = Integer.parseInt(arg(
                args,
                "--duckdb-threads",
                Long.toString(Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), fit)))));
        String loadAverageBefore = loadAverage();

        JavaSipsGenerator generator = new JavaSipsGenerator(
                JavaSipsGenerator.Options.parse(
                        "--factories",
                        "1",
                        "--only",
                        "orders",
                        "--orders-size",
                        size,
                        "--gzip-share",
                        "0",
                        "--out",
                        out.toString(),
                        "--upload",
                        "--connection-string",
                        arg(args, "--connection-string", JavaSipsGenerator.AZURITE_CONNECTION_STRING),
                        "--post",
                        snowhook.toString(),
                        "--wait",
                        "3600"),
                System.out);

        System.out.println("Generating the file…");
        GeneratedFile file = generator.generate().get(0);
        System.out.printf("  %s: %s, %,d rows%n", file.blobName(), JavaSipsGenerator.human(file.bytes()), file.rows());
        BlobContainerClient container = generator.containerClient();
        long uploadStart = System.nanoTime();
        String etag = generator.upload(container, file);
        double uploadSeconds = seconds(System.nanoTime() - uploadStart);
        System.out.printf("  uploaded to Azurite in %.1f s%n", uploadSeconds);

        MemorySampler sampler = new MemorySampler(pid, management);
        Thread sampling = new Thread(sampler, "memory-sampler");
        sampling.setDaemon(true);
        sampling.start();
        long postedAt = System.nanoTime();
        String loadId = generator.post(container, file, etag);
        if (loadId == null) {
            throw new IllegalStateException("snowhook did not accept the event");
        }
        JsonNode load =
                generator.await(List.of(new Posted(file, loadId, null))).get(0).load();
        double wallSeconds = seconds(System.nanoTime() - postedAt);
        sampler.stop();
        sampling.join();
        if (load == null || !"LOADED".equals(load.path("status").asString())) {
            System.err.println("The load did not end LOADED: " + load);
            System.exit(1);
        }
        Instant started = Instant.parse(load.path("startedAt").asString());
        Instant finished = Instant.parse(load.path("finishedAt").asString());
        double loadSeconds = Duration.between(started, finished).toMillis() / 1000.0;
        long rows = load.path("rowsLoaded").asLong();

        String loadAverageAfterLoad = loadAverage();

        System.out.println("Floor: the download alone, then DuckDB's own CREATE TABLE … AS SELECT of the local file…");
        Path downloaded = out.resolve("downloaded.csv");
        double sdkDownloadSeconds = downloadToFile(container, file.blobName(), downloaded);
        double streamDownloadSeconds = streamToFile(container, file.blobName(), downloaded);
        double downloadSeconds = Math.min(sdkDownloadSeconds, streamDownloadSeconds);
        Files.deleteIfExists(downloaded);
        double ctasSeconds = duckDbCreateTableAs(file.path(), out.resolve("floor.duckdb"), memoryLimit, threads);
        double insertSeconds = Double.NaN;
        if (Boolean.parseBoolean(arg(args, "--insert-alone", "false"))) {
            System.out.println("The service's INSERT alone…");
            insertSeconds = duckDbInsert(file.path(), out.resolve("insert.duckdb"), memoryLimit, threads);
        }
        String loadAverageAfterFloor = loadAverage();

        Figures figures = new Figures(
                file,
                rows,
                xmx,
                memoryLimit,
                threads,
                uploadSeconds,
                wallSeconds,
                loadSeconds,
                load.path("attempts").asString(),
                sampler,
                sdkDownloadSeconds,
                streamDownloadSeconds,
                downloadSeconds,
                ctasSeconds,
                insertSeconds,
                loadAverageBefore,
                loadAverageAfterLoad,
                loadAverageAfterFloor);
        String section = section(figures);
        writeSection(doc, section);
        System.out.println(section);
        System.exit(0);
    }

    /** The download alone, as the Azure SDK does it best: {@code downloadToFile}, its parallel ranges. */
    static double downloadToFile(BlobContainerClient container, String blob, Path target) throws IOException {
        Files.deleteIfExists(target);
        long start = System.nanoTime();
        container.getBlobClient(blob).downloadToFile(target.toString(), true);
        return seconds(System.nanoTime() - start);
    }

    /** The download alone as one stream: the SDK's {@code BlobInputStream} copied to a file. */
    static double streamToFile(BlobContainerClient container, String blob, Path target) throws IOException {
        Files.deleteIfExists(target);
        long start = System.nanoTime();
        try (InputStream in = container.getBlobClient(blob).openInputStream()) {
            Files.copy(in, target);
        }
        return seconds(System.nanoTime() - start);
    }

    /**
     * The floor's DuckDB part: DuckDB's own {@code CREATE TABLE … AS SELECT * FROM read_csv(…)} of the local file
     * into a new database file, with the service's memory limit, threads and CSV buffer, everything else DuckDB's
     * default.
     */
    static double duckDbCreateTableAs(Path csv, Path database, String memoryLimit, int threads)
            throws SQLException, IOException {
        deleteDatabase(database);
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + database);
                Statement statement = conn.createStatement()) {
            statement.execute("SET memory_limit = '" + memoryLimit + "'");
            statement.execute("SET threads = " + threads);
            long start = System.nanoTime();
            statement.execute("CREATE TABLE orders AS SELECT * FROM " + reader(csv));
            return seconds(System.nanoTime() - start);
        } finally {
            deleteDatabase(database);
        }
    }

    /**
     * The service's statement without the service: the table of the init script, the same session settings, the
     * delete and insert in one transaction, into a new file.
     */
    static double duckDbInsert(Path csv, Path database, String memoryLimit, int threads)
            throws SQLException, IOException {
        deleteDatabase(database);
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + database);
                Statement statement = conn.createStatement()) {
            statement.execute("SET memory_limit = '" + memoryLimit + "'");
            statement.execute("SET threads = " + threads);
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute("SET preserve_insertion_order = false");
            ScriptUtils.executeSqlScript(
                    conn,
                    new EncodedResource(
                            new ClassPathResource("warehouse/duckdb/javasips.sql"), StandardCharsets.UTF_8));
            long start = System.nanoTime();
            conn.setAutoCommit(false);
            statement.executeUpdate("DELETE FROM ORDERS WHERE _source_blob = 'floor'");
            statement.executeUpdate("INSERT INTO ORDERS SELECT *, 'floor', 'floor',"
                    + " CAST('00000000-0000-0000-0000-000000000000' AS UUID), current_timestamp FROM " + reader(csv));
            conn.commit();
            return seconds(System.nanoTime() - start);
        } finally {
            deleteDatabase(database);
        }
    }

    private static void deleteDatabase(Path database) throws IOException {
        Files.deleteIfExists(database);
        Files.deleteIfExists(Path.of(database + ".wal"));
    }

    private static String reader(Path csv) {
        return "read_csv('" + csv.toAbsolutePath().toString().replace("'", "''") + "', auto_detect = false,"
                + " header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true, compression = 'none',"
                // the service's CSV buffer (DuckDbSql.CSV_BUFFER_SIZE): DuckDB's default does not fit its memory limit
                + " buffer_size = 8388608,"
                + " columns = {'order_id': 'VARCHAR', 'factory_id': 'VARCHAR', 'sku': 'VARCHAR', 'quantity': 'INTEGER',"
                + " 'unit_price': 'DECIMAL(12,2)', 'currency': 'VARCHAR', 'ordered_at': 'TIMESTAMP WITH TIME ZONE',"
                + " 'channel': 'VARCHAR'})";
    }

    record Figures(
            GeneratedFile file,
            long rows,
            String xmx,
            String memoryLimit,
            int threads,
            double uploadSeconds,
            double wallSeconds,
            double loadSeconds,
            String attempts,
            MemorySampler memory,
            double sdkDownloadSeconds,
            double streamDownloadSeconds,
            double downloadSeconds,
            double ctasSeconds,
            double insertSeconds,
            String loadAverageBefore,
            String loadAverageAfterLoad,
            String loadAverageAfterFloor) {

        double floorSeconds() {
            return downloadSeconds + ctasSeconds;
        }
    }

    static final String START = "<!-- bench:large-file:start -->";
    static final String END = "<!-- bench:large-file:end -->";

    static String section(Figures f) {
        double mib = f.file().bytes() / 1048576.0;
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(Instant.now().atOffset(ZoneOffset.UTC));
        MemorySampler memory = f.memory();
        return String.format(
                Locale.ROOT,
                """
                %s
                ## A CSV larger than the heap (`bench/large-file.sh`)

                One orders file of the JavaSips generator, larger than snowhook's JVM heap, uploaded to Azurite
                and loaded through the running service with its default settings (event → ledger → worker → blob
                read → DuckDB stage → `INSERT … FROM read_csv`). The floor, measured in the same run after the
                load: the download of that blob alone from Azurite to a local file (the faster of the SDK's
                `downloadToFile` and its `BlobInputStream` copied to a file), plus DuckDB's own
                `CREATE TABLE … AS SELECT * FROM read_csv(…)` of the local file into a new database file with the
                service's memory limit, threads and CSV buffer (`buffer_size` 8 MiB).

                Run: %s, %d CPUs, %s RAM, Java %s. Load average (`uptime`: 1, 5, 15 min) before the run %s,
                after the load %s, after the floor %s — the machine was shared with other builds.

                | | |
                |---|---|
                | file | `%s`, %,.1f MiB, %,d rows |
                | snowhook JVM | `-Xmx%s` (heap max reported by the JVM: %s), everything else default: DuckDB `memory_limit` %s, `threads` %d |
                | upload to Azurite (not part of the load) | %.1f s |
                | **load, worker start → `LOADED`** (`startedAt` → `finishedAt`) | **%.1f s** |
                | wall time, `POST /events` → `LOADED` seen by polling | %.1f s |
                | throughput of the load | %.1f MiB/s, %,.0f rows/s |
                | attempts | %s |
                | **peak RSS of the snowhook process** (`VmHWM`, /proc) | **%s** |
                | peak sampled RSS during the load (`VmRSS`, every 250 ms) | %s |
                | peak sampled JVM heap used during the load (`jvm.memory.used`, area heap) | %s |
                | floor: download alone, SDK `downloadToFile` / `BlobInputStream` to a file | %.1f s / %.1f s |
                | floor: DuckDB `CREATE TABLE … AS SELECT * FROM read_csv(…)` into a new file | %.1f s |
                | **floor** (faster download + CTAS) | **%.1f s** |
                | **load ÷ floor** (target ≤ 1.25) | **%.2f** (wall time ÷ floor: %.2f) |
                | for comparison (`INSERT_ALONE=true`): the service's `DELETE` + `INSERT … SELECT … FROM read_csv(…)` alone, into a new file | %s |

                Reproduce: `bench/large-file.sh` (defaults `SIZE=1GiB`, `XMX=256m`); it is not part of
                `./mvnw verify`.
                %s
                """,
                START,
                when,
                Runtime.getRuntime().availableProcessors(),
                memTotal(),
                System.getProperty("java.version"),
                f.loadAverageBefore(),
                f.loadAverageAfterLoad(),
                f.loadAverageAfterFloor(),
                f.file().blobName(),
                mib,
                f.rows(),
                f.xmx(),
                memory.heapMax() > 0 ? mib(memory.heapMax()) : "n/a",
                f.memoryLimit(),
                f.threads(),
                f.uploadSeconds(),
                f.loadSeconds(),
                f.wallSeconds(),
                mib / f.loadSeconds(),
                f.rows() / f.loadSeconds(),
                f.attempts(),
                memory.peakRssKiB() > 0 ? mib(memory.peakRssKiB() * 1024) : "n/a",
                memory.sampledRssKiB() > 0 ? mib(memory.sampledRssKiB() * 1024) : "n/a",
                memory.heapUsed() > 0 ? mib(memory.heapUsed()) : "n/a",
                f.sdkDownloadSeconds(),
                f.streamDownloadSeconds(),
                f.ctasSeconds(),
                f.floorSeconds(),
                f.loadSeconds() / f.floorSeconds(),
                f.wallSeconds() / f.floorSeconds(),
                Double.isNaN(f.insertSeconds()) ? "not run" : String.format(Locale.ROOT, "%.1f s", f.insertSeconds()),
                END);
    }

    /**
     * Replaces this benchmark's section of the document, between its markers, leaving the rest as it is; a
     * document without the markers gets the section appended.
     */
    static String replaceSection(String text, String section) {
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            return text.stripTrailing() + "\n\n" + section.stripTrailing() + "\n";
        }
        return text.substring(0, start) + section.stripTrailing() + text.substring(end + END.length());
    }

    static void writeSection(Path doc, String section) throws IOException {
        String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n";
        Files.writeString(doc, replaceSection(text, section), StandardCharsets.UTF_8);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
    }

    private static String memTotal() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> mib(Long.parseLong(l.replaceAll("\\D", "")) * 1024))
                    .collect(Collectors.joining());
        } catch (IOException e) {
            return "?";
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /**
     * Samples the service's resident memory ({@code /proc/<pid>/status}) and JVM heap (actuator metrics)
     * while the load runs; reads the kernel's own peak ({@code VmHWM}) at the end.
     */
    static final class MemorySampler implements Runnable {
        private final long pid;
        private final URI snowhook;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong rss = new AtomicLong();
        private final AtomicLong heap = new AtomicLong();
        private final AtomicLong heapMax = new AtomicLong();
        private final HttpClient http = HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(2))
                .build();

        MemorySampler(long pid, URI snowhook) {
            this.pid = pid;
            this.snowhook = snowhook;
        }

        @Override
        public void run() {
            while (running.get()) {
                rss.accumulateAndGet(status("VmRSS:"), Math::max);
                heap.accumulateAndGet(metric("jvm.memory.used"), Math::max);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
            heapMax.set(metric("jvm.memory.max"));
        }

        void stop() {
            running.set(false);
        }

        long peakRssKiB() {
            return status("VmHWM:");
        }

        long sampledRssKiB() {
            return rss.get();
        }

        long heapUsed() {
            return heap.get();
        }

        long heapMax() {
            return heapMax.get();
        }

        private long status(String field) {
            if (pid <= 0) {
                return 0;
            }
            try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
                return lines.filter(l -> l.startsWith(field))
                        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                        .findFirst()
                        .orElse(0);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        private long metric(String name) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(snowhook.resolve("/actuator/metrics/" + name + "?tag=area:heap"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return 0;
                }
                JsonNode measurements = JSON.readTree(response.body()).path("measurements");
                return measurements.isEmpty()
                        ? 0
                        : (long) measurements.get(0).path("value").asDouble();
            } catch (IOException | RuntimeException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }
}
