package io.snowhook.demo;

import io.snowhook.SnowhookApplication;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.TestFiles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Must-show benchmark of sweeps: a container of {@code --blobs} (default 20,000) routed blobs, swept once to
 * record them all (every version missing), then again with nothing missing. snowhook runs in this JVM on the
 * embedded defaults (H2 file ledger, or PostgreSQL with {@code --postgres URL}), no workers, its DataSource
 * wrapped to count the JDBC statements the sweeper thread executes. Writes its section of {@code --doc}
 * ({@code docs/benchmarks.md}), leaving the other sections as they are. Run by {@code bench/sweep.sh}.
 */
public final class SweepBenchmark {

    static final String CONTAINER = "bench-sweep";
    static final String SECTION = "## Sweeping a 20,000-blob container (`bench/sweep.sh`)";
    static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");

    /** Statements executed on the sweeper's thread. */
    static final AtomicLong statements = new AtomicLong();

    private SweepBenchmark() {}

    public static void main(String[] args) throws Exception {
        int blobs = Integer.parseInt(arg(args, "--blobs", "20000"));
        int pageSize = Integer.parseInt(arg(args, "--page-size", "1000"));
        Path doc = Path.of(arg(args, "--doc", "docs/benchmarks.md"));
        String postgres = arg(args, "--postgres", "");
        Path dir = TestFiles.tempDir("snowhook-sweep-bench");
        AzuriteServer azurite = AzuriteServer.shared();

        System.out.printf("Uploading %,d blobs to Azurite…%n", blobs);
        long uploadStart = System.nanoTime();
        upload(azurite, blobs);
        double uploadSeconds = seconds(System.nanoTime() - uploadStart);
        System.out.printf("  %.1f s%n", uploadSeconds);

        List<String> properties = new ArrayList<>(List.of(
                "server.address=127.0.0.1",
                "server.port=0",
                "spring.main.banner-mode=off",
                "snowhook.loads.workers=0",
                "snowhook.sweep.interval=0",
                "snowhook.sweep.page-size=" + pageSize,
                "snowhook.warehouse.duckdb.path=" + dir.resolve("warehouse.duckdb"),
                "snowhook.warehouse.duckdb.stage=" + dir.resolve("stage"),
                "logging.level.io.snowhook.sweep=WARN"));
        String ledger;
        String schema = "sweep_bench_" + Long.toHexString(System.nanoTime());
        if (postgres.isBlank()) {
            properties.add("spring.datasource.url=jdbc:h2:file:" + dir.resolve("ledger") + ";WRITE_DELAY=0");
            ledger = "H2 file (embedded default)";
        } else {
            properties.addAll(List.of(
                    "spring.datasource.url=" + postgres + "?currentSchema=" + schema,
                    "spring.datasource.username=postgres",
                    "spring.datasource.password=",
                    "spring.flyway.schemas=" + schema,
                    "spring.flyway.create-schemas=true"));
            ledger = "PostgreSQL (" + postgres + ")";
        }
        azurite.properties(List.of(CONTAINER)).forEach((k, v) -> properties.add(k + "=" + v));

        try (ConfigurableApplicationContext snowhook = new SpringApplicationBuilder(SnowhookApplication.class)
                .initializers(context -> context.getBeanFactory().addBeanPostProcessor(new CountingDataSource()))
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new))) {
            int port = Integer.parseInt(snowhook.getEnvironment().getProperty("local.server.port", "0"));
            Http http = new Http(port);

            System.out.println("First sweep: every version missing…");
            Result first = sweep(http);
            System.out.println("  " + first);
            System.out.println("Second sweep: nothing missing…");
            Result second = sweep(http);
            System.out.println("  " + second);
            Result third = sweep(http);
            System.out.println("  " + third);

            String section = section(blobs, pageSize, ledger, uploadSeconds, first, second, third);
            writeSection(doc, section);
            System.out.println(section);
        }
        if (!postgres.isBlank()) {
            try (Connection c = java.sql.DriverManager.getConnection(postgres, "postgres", "");
                    Statement drop = c.createStatement()) {
                drop.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        System.exit(0);
    }

    record Result(long listed, long queued, double seconds, double wallSeconds, long statements) {
        @Override
        public String toString() {
            return "listed %,d, queued %,d, %.2f s (wall %.2f s), %,d statements"
                    .formatted(listed, queued, seconds, wallSeconds, statements);
        }
    }

    static Result sweep(Http http) throws Exception {
        long before = statements.get();
        long start = System.nanoTime();
        JsonNode sweep = http.post("/sweeps", "{\"container\": \"" + CONTAINER + "\"}");
        String id = sweep.get("id").asString();
        while (sweep.get("status").asString().equals("RUNNING")) {
            Thread.sleep(50);
            sweep = http.get("/sweeps/" + id);
        }
        double wall = seconds(System.nanoTime() - start);
        if (!sweep.get("status").asString().equals("FINISHED")) {
            throw new IllegalStateException("sweep did not finish: " + sweep);
        }
        double took = Duration.between(
                                Instant.parse(sweep.get("startedAt").asString()),
                                Instant.parse(sweep.get("finishedAt").asString()))
                        .toMillis()
                / 1000.0;
        return new Result(
                sweep.get("listed").asLong(), sweep.get("queued").asLong(), took, wall, statements.get() - before);
    }

    static String section(
            int blobs, int pageSize, String ledger, double uploadSeconds, Result first, Result second, Result third) {
        int pages = (blobs + pageSize - 1) / pageSize;
        return SECTION + "\n\n"
                + "One container of " + String.format(Locale.ROOT, "%,d", blobs) + " routed blobs in Azurite"
                + " (`orders/bench/…`), swept with `POST /sweeps`: first with every version missing from the ledger"
                + " (so each gets a load), then twice with nothing missing. snowhook ran in the benchmark's JVM, no"
                + " workers, its DataSource wrapped to count the JDBC statements executed on the sweeper's thread."
                + " Run: "
                + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                        .format(Instant.now().atOffset(ZoneOffset.UTC))
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.version")
                + "; the machine was shared with other builds.\n\n"
                + "| | |\n|---|---|\n"
                + "| ledger | " + ledger + " |\n"
                + "| page size (`snowhook.sweep.page-size`) | " + pageSize + " (" + pages
                + " listing requests per sweep) |\n"
                + "| upload of the blobs (not part of a sweep) | " + fmt(uploadSeconds) + " s |\n"
                + "| first sweep, every version missing: listed / queued | " + row(first) + " |\n"
                + "| **sweep with nothing missing**: listed / queued | " + row(second) + " |\n"
                + "| again, nothing missing | " + row(third) + " |\n\n"
                + "With nothing missing a sweep issues two statements per page — the comparison of the page's names"
                + " and eTags with the ledger (`SELECT … WHERE blob_name IN (…)` on the (account, container,"
                + " blob_name) index) and the saved place — plus a handful to take and end the sweep: "
                + String.format(Locale.ROOT, "%,d", second.statements()) + " statements for "
                + String.format(Locale.ROOT, "%,d", blobs) + " blobs, not one per blob. Its time includes"
                + " the listing of every page by Azurite. A missing version costs the statements of recording a load as an event does"
                + " (dedupe look-ups and the insert).\n\n"
                + "Reproduce: `bench/sweep.sh` (`BLOBS=20000`, `PAGE_SIZE=1000`; `POSTGRES=jdbc:postgresql://…`"
                + " for the PostgreSQL ledger); it is not part of `./mvnw verify`.\n";
    }

    static String row(Result r) {
        return String.format(
                Locale.ROOT,
                "%,d / %,d in **%s s** (wall, request to FINISHED seen: %s s), **%,d statements**",
                r.listed(),
                r.queued(),
                fmt(r.seconds()),
                fmt(r.wallSeconds()),
                r.statements());
    }

    /** Replaces this benchmark's section of the document (or appends it), leaving the others alone. */
    static void writeSection(Path doc, String section) throws Exception {
        String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n";
        int start = text.indexOf(SECTION);
        if (start < 0) {
            text = text.stripTrailing() + "\n\n" + section;
        } else {
            int end = text.indexOf("\n## ", start + SECTION.length());
            text = text.substring(0, start) + section + (end < 0 ? "" : "\n" + text.substring(end + 1));
        }
        Files.writeString(doc, text, StandardCharsets.UTF_8);
    }

    static void upload(AzuriteServer azurite, int blobs) throws Exception {
        azurite.createContainer(CONTAINER);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> uploads = new ArrayList<>();
            for (int i = 0; i < blobs; i++) {
                String name = "orders/bench/f%06d.csv".formatted(i);
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

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.2f", seconds);
    }

    /** Wraps the service's DataSource: statements executed on the sweeper thread are counted. */
    static final class CountingDataSource implements BeanPostProcessor {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
            if (bean instanceof DataSource dataSource) {
                return proxy(DataSource.class, dataSource);
            }
            return bean;
        }

        static <T> T proxy(Class<T> type, T target) {
            InvocationHandler handler = (p, method, methodArgs) -> {
                Object result = invoke(method, target, methodArgs);
                if (result instanceof Connection c && method.getReturnType() == Connection.class) {
                    return proxy(Connection.class, c);
                }
                if (result instanceof Statement s && Statement.class.isAssignableFrom(method.getReturnType())) {
                    return statement(s, method.getReturnType());
                }
                return result;
            };
            return type.cast(
                    Proxy.newProxyInstance(SweepBenchmark.class.getClassLoader(), new Class<?>[] {type}, handler));
        }

        static Object statement(Statement target, Class<?> type) {
            InvocationHandler handler = (p, method, methodArgs) -> {
                if ((EXECUTES.contains(method.getName()) || method.getName().equals("executeBatch"))
                        && Thread.currentThread().getName().equals("snowhook-sweeper")) {
                    statements.incrementAndGet();
                }
                return invoke(method, target, methodArgs);
            };
            return Proxy.newProxyInstance(SweepBenchmark.class.getClassLoader(), new Class<?>[] {type}, handler);
        }

        static Object invoke(Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** A small JSON client for the benchmark's own snowhook. */
    static final class Http {
        final HttpClient client =
                HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        final JsonMapper json = JsonMapper.shared();
        final int port;

        Http(int port) {
            this.port = port;
        }

        JsonNode post(String path, String body) throws Exception {
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 201) {
                throw new IllegalStateException("POST " + path + ": " + answer.statusCode() + " " + answer.body());
            }
            return json.readTree(answer.body());
        }

        JsonNode get(String path) throws Exception {
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return json.readTree(answer.body());
        }
    }
}
