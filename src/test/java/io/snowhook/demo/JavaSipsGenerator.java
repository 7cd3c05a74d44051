package io.snowhook.demo;

import com.azure.core.http.rest.Response;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import io.snowhook.demo.JavaSipsFiles.Factory;
import io.snowhook.demo.JavaSipsFiles.GeneratedFile;
import io.snowhook.support.ArgoEvents;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JavaSips generator: writes a few days of factory files (inventory and orders, some gzipped), and
 * optionally uploads each to blob storage (Azurite) and posts its {@code BlobCreated} event to snowhook
 * exactly as an Argo Events Sensor does — the whole Argo event, storage event base64-encoded twice, no
 * {@code Content-Type} — then waits until every load is final and prints statuses and row counts.
 *
 * <pre>
 * ./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.snowhook.demo.JavaSipsGenerator \
 *     -Dexec.args="--factories 4 --days 1 --rows 500 --gzip-share 0.5 --upload --post http://127.0.0.1:8080 --wait 120"
 * </pre>
 *
 * <p>It lives in {@code src/test} because it drives snowhook from outside, as Azure and Argo would, with
 * the test support that builds Argo's envelopes; it is never part of the service.
 */
public final class JavaSipsGenerator {

    static final String USAGE = """
            JavaSips generator: factory files → blob storage → Argo-shaped events → snowhook.
              --factories N        factories (default 4)
              --days N             days, from --start-date (default 1)
              --start-date DAY     first day, yyyy-mm-dd (default 2026-11-23)
              --rows N             rows per file (default 200)
              --gzip-share F       share of files gzipped, 0..1 (default 0.5)
              --only TABLE         inventory or orders (default both)
              --orders-size BYTES  write each orders file up to at least this size instead of --rows (e.g. 1GiB)
              --seed N             random seed (default 42)
              --out DIR            where files are written (default ./data/generated)
              --upload             upload each file to blob storage
              --connection-string S  storage connection string (default: Azurite's development account on 127.0.0.1:10000)
              --container NAME     container (default factory-uploads)
              --post URL           snowhook's base URL; posts each file's event to URL/events
              --token TOKEN        bearer token for POST /events
              --wait SECONDS       wait until every load is final, print the outcome; exit 1 unless all LOADED
              --results FILE       write one tab-separated line per load (id, blob, table, status, attempts, rows,
                                   bytes, receivedAt, startedAt, finishedAt, error)
            """;

    static final String AZURITE_CONNECTION_STRING = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            // Azurite's published development key, not a secret.
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** The command line. */
    record Options(
            int factories,
            int days,
            LocalDate startDate,
            int rows,
            double gzipShare,
            @Nullable String only,
            long ordersSize,
            long seed,
            Path out,
            boolean upload,
            String connectionString,
            String container,
            @Nullable URI post,
            @Nullable String token,
            int waitSeconds,
            @Nullable Path results) {

        static Options parse(String... args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (!name.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument " + name);
                }
                if (name.equals("--upload") || name.equals("--help")) {
                    values.put(name, "true");
                } else if (i + 1 < args.length) {
                    values.put(name, args[++i]);
                } else {
                    throw new IllegalArgumentException(name + " needs a value");
                }
            }
            Options options = new Options(
                    Integer.parseInt(values.getOrDefault("--factories", "4")),
                    Integer.parseInt(values.getOrDefault("--days", "1")),
                    LocalDate.parse(values.getOrDefault("--start-date", "2026-11-23")),
                    Integer.parseInt(values.getOrDefault("--rows", "200")),
                    Double.parseDouble(values.getOrDefault("--gzip-share", "0.5")),
                    values.get("--only"),
                    parseSize(values.getOrDefault("--orders-size", "0")),
                    Long.parseLong(values.getOrDefault("--seed", "42")),
                    Path.of(values.getOrDefault("--out", "./data/generated")),
                    values.containsKey("--upload"),
                    values.getOrDefault("--connection-string", AZURITE_CONNECTION_STRING),
                    values.getOrDefault("--container", "factory-uploads"),
                    values.containsKey("--post") ? URI.create(values.get("--post")) : null,
                    values.get("--token"),
                    Integer.parseInt(values.getOrDefault("--wait", "0")),
                    values.containsKey("--results") ? Path.of(values.get("--results")) : null);
            values.keySet().stream()
                    .filter(k -> !USAGE.contains(k + " ") && !k.equals("--help"))
                    .findFirst()
                    .ifPresent(k -> {
                        throw new IllegalArgumentException("unknown option " + k);
                    });
            if (options.post() != null && !options.upload()) {
                throw new IllegalArgumentException("--post needs --upload: events name uploaded blobs");
            }
            if (options.only() != null && !List.of("inventory", "orders").contains(options.only())) {
                throw new IllegalArgumentException("--only is inventory or orders");
            }
            return options;
        }

        /** {@code 1073741824}, {@code 1GiB}, {@code 512MiB}, {@code 64KiB}. */
        static long parseSize(String text) {
            String t = text.trim().toUpperCase(Locale.ROOT);
            long unit = 1;
            for (String[] suffix : new String[][] {{"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"}}) {
                if (t.endsWith(suffix[0])) {
                    unit = Long.parseLong(suffix[1]);
                    t = t.substring(0, t.length() - suffix[0].length()).trim();
                }
            }
            return (long) (Double.parseDouble(t) * unit);
        }
    }

    /** A file and, once posted, the load snowhook answered with and its final state. */
    record Posted(
            GeneratedFile file,
            @Nullable String loadId,
            @Nullable JsonNode load) {}

    private final Options options;
    private final PrintStream console;
    private final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    JavaSipsGenerator(Options options, PrintStream console) {
        this.options = options;
        this.console = console;
    }

    /** Writes the files the options describe (uploading nothing); for tests that load generated files. */
    public static List<GeneratedFile> generateFiles(String... args) throws IOException {
        return new JavaSipsGenerator(Options.parse(args), System.out).generate();
    }

    public static void main(String[] args) throws Exception {
        // The console is the generator's output; library chatter (the Azure SDK's) goes only when it matters.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        if (List.of(args).contains("--help")) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        boolean allLoaded = new JavaSipsGenerator(options, System.out).run();
        // The Azure SDK leaves non-daemon threads behind; the outcome is the exit status.
        System.exit(allLoaded ? 0 : 1);
    }

    /** Generates, uploads, posts and waits as the options say; true when nothing failed. */
    boolean run() throws IOException, InterruptedException {
        List<GeneratedFile> files = generate();
        long totalBytes = files.stream().mapToLong(GeneratedFile::bytes).sum();
        console.printf(
                "Generated %d files (%s, %d gzipped) in %s%n",
                files.size(),
                human(totalBytes),
                files.stream().filter(GeneratedFile::gzipped).count(),
                options.out());
        if (!options.upload()) {
            return true;
        }
        BlobContainerClient container = containerClient();
        List<Posted> posted = new ArrayList<>();
        for (GeneratedFile file : files) {
            String etag = upload(container, file);
            String loadId = options.post() == null ? null : post(container, file, etag);
            posted.add(new Posted(file, loadId, null));
        }
        if (options.post() == null) {
            console.printf("Uploaded %d files to %s%n", files.size(), container.getBlobContainerUrl());
            return true;
        }
        if (options.waitSeconds() <= 0) {
            return posted.stream().allMatch(p -> p.loadId() != null);
        }
        List<Posted> outcome = await(posted);
        if (options.results() != null) {
            writeResults(outcome);
        }
        return report(outcome);
    }

    List<GeneratedFile> generate() throws IOException {
        List<GeneratedFile> files = new ArrayList<>();
        int index = 0;
        for (int d = 0; d < options.days(); d++) {
            LocalDate day = options.startDate().plusDays(d);
            List<Factory> factories = JavaSipsFiles.factories(options.factories());
            for (int f = 0; f < factories.size(); f++) {
                Factory factory = factories.get(f);
                // Alternating which of a factory's two files comes first mixes gzip over both tables.
                List<String> tables = f % 2 == 0 ? List.of("inventory", "orders") : List.of("orders", "inventory");
                for (String table : tables) {
                    if (options.only() != null && !options.only().equals(table)) {
                        continue;
                    }
                    files.add(
                            table.equals("inventory")
                                    ? JavaSipsFiles.inventory(
                                            options.out(), factory, day, options.rows(), gzip(index++), options.seed())
                                    : JavaSipsFiles.orders(
                                            options.out(),
                                            factory,
                                            day,
                                            options.rows(),
                                            options.ordersSize(),
                                            gzip(index++),
                                            options.seed()));
                }
            }
        }
        return files;
    }

    /** Spreads gzip evenly: file i is gzipped when the running share crosses a whole file. */
    private boolean gzip(int index) {
        double share = Math.max(0, Math.min(1, options.gzipShare()));
        return Math.floor((index + 1) * share) > Math.floor(index * share);
    }

    BlobContainerClient containerClient() {
        BlobServiceClient service = new BlobServiceClientBuilder()
                .connectionString(options.connectionString())
                .buildClient();
        BlobContainerClient container = service.getBlobContainerClient(options.container());
        container.createIfNotExists();
        return container;
    }

    String upload(BlobContainerClient container, GeneratedFile file) {
        BlobClient blob = container.getBlobClient(file.blobName());
        Response<BlockBlobItem> response = blob.uploadFromFileWithResponse(
                new BlobUploadFromFileOptions(file.path().toString())
                        .setHeaders(
                                new BlobHttpHeaders().setContentType(file.gzipped() ? "application/gzip" : "text/csv"))
                        .setParallelTransferOptions(new ParallelTransferOptions()
                                .setBlockSizeLong(8L * 1024 * 1024)
                                .setMaxConcurrency(4)),
                null,
                null);
        String etag = response.getValue().getETag();
        return etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    /** Posts the file's event as an Argo Sensor does; returns the load id snowhook answered with. */
    @Nullable
    String post(BlobContainerClient container, GeneratedFile file, String etag)
            throws IOException, InterruptedException {
        String account = container.getAccountName();
        String endpoint = container
                .getBlobContainerUrl()
                .substring(
                        0,
                        container.getBlobContainerUrl().length()
                                - options.container().length()
                                - 1);
        ArgoEvents.StorageEvent event = ArgoEvents.blobCreated(
                        account,
                        options.container(),
                        file.blobName(),
                        etag,
                        file.bytes(),
                        sequencer(),
                        file.bytes() > 4L * 1024 * 1024 ? "PutBlockList" : "PutBlob",
                        endpoint)
                .withContentType(file.gzipped() ? "application/gzip" : "text/csv")
                .withEventTime(java.time.Instant.now());
        // No Content-Type header: Argo's HTTP trigger sends none.
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve("/events"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event), StandardCharsets.UTF_8));
        if (options.token() != null) {
            request.header("Authorization", "Bearer " + options.token());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            console.printf("  %-45s POST /events → %d %s%n", file.blobName(), response.statusCode(), response.body());
            return null;
        }
        JsonNode load = JSON.readTree(response.body()).path("loads").path(0);
        console.printf(
                "  %-45s %9s  %7d rows  → load %s %s%n",
                file.blobName(),
                human(file.bytes()),
                file.rows(),
                load.path("id").asString(),
                load.path("status").asString());
        return load.path("id").asString();
    }

    /** Event Grid sequencers order versions of one blob by string comparison: fixed width, rising. */
    private static String sequencer() {
        return String.format("%016d%016d", System.currentTimeMillis(), SEQUENCE.incrementAndGet());
    }

    List<Posted> await(List<Posted> posted) throws IOException, InterruptedException {
        long deadline =
                System.nanoTime() + Duration.ofSeconds(options.waitSeconds()).toNanos();
        List<Posted> outcome = new ArrayList<>(posted);
        console.printf("Waiting up to %d s for %d loads to finish…%n", options.waitSeconds(), posted.size());
        while (true) {
            boolean allFinal = true;
            for (int i = 0; i < outcome.size(); i++) {
                Posted p = outcome.get(i);
                if (p.loadId() == null || (p.load() != null && isFinal(p.load()))) {
                    continue;
                }
                JsonNode load = fetch(p.loadId());
                outcome.set(i, new Posted(p.file(), p.loadId(), load));
                allFinal &= load != null && isFinal(load);
            }
            if (allFinal || System.nanoTime() > deadline) {
                return outcome;
            }
            Thread.sleep(500);
        }
    }

    private @Nullable JsonNode fetch(String loadId) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(resolve("/loads/" + loadId)).timeout(Duration.ofSeconds(10));
        if (options.token() != null) {
            request.header("Authorization", "Bearer " + options.token());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    private static boolean isFinal(JsonNode load) {
        return List.of("LOADED", "FAILED", "SKIPPED", "SUPERSEDED")
                .contains(load.path("status").asString());
    }

    /** Prints each load and the rows per table; true when every load is LOADED with the generated rows. */
    private boolean report(List<Posted> outcome) {
        console.println();
        console.printf("%-45s %-10s %-9s %8s %8s%n", "blob", "status", "table", "rows", "attempts");
        Map<String, long[]> tables = new LinkedHashMap<>();
        boolean ok = true;
        for (Posted p : outcome) {
            JsonNode load = p.load();
            String status = load == null ? (p.loadId() == null ? "NOT POSTED" : "UNKNOWN") : text(load, "status");
            long rows = load == null ? 0 : load.path("rowsLoaded").asLong(0);
            console.printf(
                    "%-45s %-10s %-9s %8d %8s%n",
                    p.file().blobName(), status, p.file().table(), rows, load == null ? "" : text(load, "attempts"));
            if (load != null
                    && !load.path("error").isNull()
                    && !text(load, "error").isEmpty()) {
                console.printf("    error: %s%n", text(load, "error"));
            }
            long[] totals = tables.computeIfAbsent(p.file().table(), t -> new long[3]);
            totals[0] += rows;
            totals[1] += p.file().rows();
            totals[2] += status.equals("LOADED") ? 1 : 0;
            ok &= status.equals("LOADED") && rows == p.file().rows();
        }
        console.println();
        console.println("Rows per table (from the loads' rowsLoaded):");
        tables.forEach((table, t) ->
                console.printf("  %-10s %10d rows loaded  (%d generated, %d files LOADED)%n", table, t[0], t[1], t[2]));
        console.println(ok ? "All loads LOADED." : "NOT all loads LOADED with their rows.");
        return ok;
    }

    private void writeResults(List<Posted> outcome) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Posted p : outcome) {
            JsonNode l = p.load();
            lines.add(String.join(
                    "\t",
                    String.valueOf(p.loadId()),
                    p.file().blobName(),
                    p.file().table(),
                    l == null ? "UNKNOWN" : text(l, "status"),
                    l == null ? "" : text(l, "attempts"),
                    l == null ? "" : text(l, "rowsLoaded"),
                    Long.toString(p.file().bytes()),
                    l == null ? "" : text(l, "receivedAt"),
                    l == null ? "" : text(l, "startedAt"),
                    l == null ? "" : text(l, "finishedAt"),
                    l == null ? "" : text(l, "error").replaceAll("\\s+", " ")));
        }
        Path results = options.results();
        if (results.getParent() != null) {
            Files.createDirectories(results.getParent());
        }
        Files.write(results, lines, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? "" : value.asString();
    }

    private URI resolve(String path) {
        String base = options.post().toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path);
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
