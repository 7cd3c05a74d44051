package io.snowhook.demo;

import com.azure.storage.blob.BlobContainerClient;
import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import io.snowhook.demo.JavaSipsGenerator.Posted;
import java.io.IOException;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Must-show benchmark: one orders CSV larger than snowhook's heap, uploaded to Azurite and loaded through
 * the running service (started by {@code bench/large-file.sh} with a small {@code -Xmx}); records
 * throughput, wall time and peak memory, next to the time DuckDB itself takes to read the same local file
 * — the floor — and writes {@code docs/benchmarks.md}.
 *
 * <p>Arguments: {@code --size 1GiB --snowhook http://127.0.0.1:PORT --pid PID --connection-string S
 * --out DIR --doc docs/benchmarks.md --xmx 256m}.
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

        System.out.println("DuckDB floor on the same local file…");
        double readSeconds = duckDbRead(file.path());
        double insertSeconds = duckDbInsert(file.path(), out.resolve("floor.duckdb"));

        String markdown = report(
                file, rows, xmx, uploadSeconds, wallSeconds, loadSeconds, load, sampler, readSeconds, insertSeconds);
        Files.createDirectories(doc.toAbsolutePath().getParent());
        Files.writeString(doc, markdown, StandardCharsets.UTF_8);
        System.out.println(markdown);
        System.exit(0);
    }

    /** What DuckDB needs just to parse the file with the service's CSV options. */
    static double duckDbRead(Path csv) throws SQLException {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = conn.createStatement()) {
            long start = System.nanoTime();
            // Every column is used, so DuckDB parses and converts every value as the insert does.
            try (ResultSet rs = statement.executeQuery("SELECT count(*), max(order_id), max(factory_id), max(sku),"
                    + " sum(quantity), sum(unit_price), max(currency), max(ordered_at), max(channel) FROM "
                    + reader(csv))) {
                rs.next();
            }
            return seconds(System.nanoTime() - start);
        }
    }

    /** The service's statement without the service: the same insert, lineage included, into a fresh file. */
    static double duckDbInsert(Path csv, Path database) throws SQLException, IOException {
        Files.deleteIfExists(database);
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + database);
                Statement statement = conn.createStatement()) {
            ScriptUtils.executeSqlScript(
                    conn,
                    new EncodedResource(
                            new ClassPathResource("warehouse/duckdb/javasips.sql"), StandardCharsets.UTF_8));
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute("SET preserve_insertion_order = false");
            long start = System.nanoTime();
            conn.setAutoCommit(false);
            statement.executeUpdate("DELETE FROM ORDERS WHERE _source_blob = 'floor'");
            statement.executeUpdate("INSERT INTO ORDERS SELECT *, 'floor', 'floor',"
                    + " CAST('00000000-0000-0000-0000-000000000000' AS UUID), current_timestamp FROM " + reader(csv));
            conn.commit();
            return seconds(System.nanoTime() - start);
        } finally {
            Files.deleteIfExists(database);
            Files.deleteIfExists(Path.of(database + ".wal"));
        }
    }

    private static String reader(Path csv) {
        return "read_csv('" + csv.toAbsolutePath().toString().replace("'", "''") + "', auto_detect = false,"
                + " header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true, compression = 'none',"
                + " columns = {'order_id': 'VARCHAR', 'factory_id': 'VARCHAR', 'sku': 'VARCHAR', 'quantity': 'INTEGER',"
                + " 'unit_price': 'DECIMAL(12,2)', 'currency': 'VARCHAR', 'ordered_at': 'TIMESTAMP WITH TIME ZONE',"
                + " 'channel': 'VARCHAR'})";
    }

    private static String report(
            GeneratedFile file,
            long rows,
            String xmx,
            double uploadSeconds,
            double wallSeconds,
            double loadSeconds,
            JsonNode load,
            MemorySampler memory,
            double readSeconds,
            double insertSeconds) {
        double mib = file.bytes() / 1048576.0;
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(Instant.now().atOffset(ZoneOffset.UTC));
        String cpus = Integer.toString(Runtime.getRuntime().availableProcessors());
        String ram = memTotal();
        return String.format(
                Locale.ROOT,
                """
                # Benchmarks

                ## A CSV larger than the heap (`bench/large-file.sh`)

                One orders file of the JavaSips generator, larger than snowhook's JVM heap, uploaded to Azurite
                and loaded through the running service (event → ledger → worker → blob stream → DuckDB stage →
                `INSERT … FROM read_csv`). The floor is DuckDB alone running the same `read_csv` on the same
                local file, in the same JDBC driver. Run: %s, %s CPUs, %s RAM, Java %s, DuckDB JDBC; the machine
                was shared with other builds, so read the figures as an order of magnitude, not a contest.

                | | |
                |---|---|
                | file | `%s`, %,.1f MiB, %,d rows |
                | snowhook JVM | `-Xmx%s` (heap max reported by the JVM: %s) |
                | upload to Azurite (not part of the load) | %.1f s |
                | load, worker start → `LOADED` (`startedAt` → `finishedAt`) | **%.1f s** |
                | wall time, `POST /events` → `LOADED` seen by polling | %.1f s |
                | throughput of the load | **%.1f MiB/s, %,.0f rows/s** |
                | attempts | %s |
                | peak RSS of the snowhook process (`VmHWM`, /proc) | **%s** |
                | peak sampled RSS during the load (`VmRSS`, every 250 ms) | %s |
                | peak sampled JVM heap used during the load (`jvm.memory.used`, area heap) | **%s** |
                | DuckDB floor: read and convert every value, `SELECT count(*), max(…), sum(…) FROM read_csv(…)` | %.1f s (%.1f MiB/s) |
                | DuckDB floor: the service's `INSERT … SELECT … FROM read_csv(…)` into a fresh file | %.1f s (%.1f MiB/s) |

                The heap stays far below the file's size: the blob is streamed from Azurite into the stage
                folder with a fixed-size buffer and DuckDB reads the staged file itself, outside the Java heap
                (its native memory is part of the RSS above). The load time over the floor is mostly the
                stream from Azurite to the stage on the same disk.

                Reproduce: `bench/large-file.sh` (defaults `SIZE=1GiB`, `XMX=256m`); it is not part of
                `./mvnw verify`.
                """,
                when,
                cpus,
                ram,
                System.getProperty("java.version"),
                file.blobName(),
                mib,
                rows,
                xmx,
                memory.heapMax() > 0 ? mib(memory.heapMax()) : "n/a",
                uploadSeconds,
                loadSeconds,
                wallSeconds,
                mib / loadSeconds,
                rows / loadSeconds,
                load.path("attempts").asString(),
                memory.peakRssKiB() > 0 ? mib(memory.peakRssKiB() * 1024) : "n/a",
                memory.sampledRssKiB() > 0 ? mib(memory.sampledRssKiB() * 1024) : "n/a",
                memory.heapUsed() > 0 ? mib(memory.heapUsed()) : "n/a",
                readSeconds,
                mib / readSeconds,
                insertSeconds,
                mib / insertSeconds);
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
