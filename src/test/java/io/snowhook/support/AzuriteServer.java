package io.snowhook.support;

import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlockBlobItem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Azurite, the Azure Storage emulator (npm {@code azurite}, pinned in {@code package.json} and installed
 * by the Maven build), as a child process on a free loopback port. Tests get real blob storage spoken to
 * by the real Azure SDK.
 *
 * <p>{@link #shared()} is one instance per test JVM, killed on JVM exit. Data lives in a temporary folder,
 * so it survives {@link #stop()} / {@link #start()} (same port) — tests that take storage away and bring it
 * back see the same blobs. Azurite's telemetry is disabled: tests send nothing off loopback.
 *
 * <p>Spring tests point snowhook at it with {@link #register(DynamicPropertyRegistry, String...)} from a
 * {@code @DynamicPropertySource} method, or with {@code @ContextConfiguration(initializers =
 * AzuriteServer.Initializer.class)}.
 */
public final class AzuriteServer {

    /** Azurite's well-known development account. */
    public static final String ACCOUNT = "devstoreaccount1";

    /** Azurite's published development key: not a secret. */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /** The container snowhook's shipped configuration loads from. */
    public static final String DEFAULT_CONTAINER = "factory-uploads";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static AzuriteServer shared;

    private final Path location;
    private final Path log;
    private int port;
    private Process process;
    private BlobServiceClient client;

    private AzuriteServer() {
        try {
            this.location = Files.createTempDirectory("snowhook-azurite");
            this.log = location.resolve("azurite.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one Azurite of this test JVM, started on first use. */
    public static synchronized AzuriteServer shared() {
        if (shared == null) {
            AzuriteServer server = new AzuriteServer();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "azurite-shutdown"));
            shared = server;
        }
        return shared;
    }

    /**
     * Starts Azurite: on a new free port the first time, on the same port after {@link #stop()}. Returns
     * once it answers HTTP.
     */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        boolean firstStart = port == 0;
        int tries = firstStart ? 3 : 1;
        IllegalStateException failure = null;
        for (int i = 0; i < tries; i++) {
            if (firstStart) {
                port = freeLoopbackPort();
            }
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                failure = e;
                if (process != null) { // null when Azurite could not even be launched (not installed)
                    process.destroyForcibly();
                }
            }
        }
        throw failure;
    }

    /** Stops Azurite (its data and port are kept for {@link #start()}). Requests fail until then. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    /** The account's blob endpoint, path style: {@code http://127.0.0.1:<port>/devstoreaccount1}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY + ";BlobEndpoint="
                + endpoint() + ";";
    }

    /** A client for test set-up (uploads, deletes); it retries little so a stopped Azurite fails fast. */
    public synchronized BlobServiceClient blobServiceClient() {
        if (client == null) {
            client = new BlobServiceClientBuilder()
                    .connectionString(connectionString())
                    .retryOptions(new RetryOptions(new ExponentialBackoffOptions()
                            .setMaxRetries(1)
                            .setBaseDelay(Duration.ofMillis(50))
                            .setMaxDelay(Duration.ofMillis(200))))
                    .buildClient();
        }
        return client;
    }

    /** Creates the container if it does not exist yet; returns its client. */
    public BlobContainerClient createContainer(String name) {
        BlobContainerClient container = blobServiceClient().getBlobContainerClient(name);
        container.createIfNotExists();
        return container;
    }

    /** Uploads (or overwrites) a blob, creating its container if needed; returns the new eTag, unquoted. */
    public String upload(String container, String name, byte[] bytes) {
        BlockBlobItem item = createContainer(container)
                .getBlobClient(name)
                .getBlockBlobClient()
                .upload(new ByteArrayInputStream(bytes), bytes.length, true);
        return unquote(item.getETag());
    }

    /** Uploads (or overwrites) a blob from a file, streamed; returns the new eTag, unquoted. */
    public String upload(String container, String name, Path file) {
        createContainer(container).getBlobClient(name).uploadFromFile(file.toString(), true);
        return unquote(
                createContainer(container).getBlobClient(name).getProperties().getETag());
    }

    /** Deletes a blob if it exists. */
    public void delete(String container, String name) {
        blobServiceClient()
                .getBlobContainerClient(container)
                .getBlobClient(name)
                .deleteIfExists();
    }

    /**
     * Points snowhook's storage configuration ({@code snowhook.storage.accounts[0].*}) at this Azurite,
     * allowing the given containers (default {@value #DEFAULT_CONTAINER}), and creates them.
     */
    public static void register(DynamicPropertyRegistry registry, String... containers) {
        AzuriteServer azurite = shared();
        List<String> names = containers.length == 0 ? List.of(DEFAULT_CONTAINER) : Arrays.asList(containers);
        names.forEach(azurite::createContainer);
        azurite.properties(names).forEach((key, value) -> registry.add(key, () -> value));
    }

    /** The {@code snowhook.storage.accounts[0].*} properties that point at this Azurite. */
    public Map<String, Object> properties(List<String> containers) {
        Map<String, Object> properties = new LinkedHashMap<>();
        String prefix = "snowhook.storage.accounts[0].";
        properties.put(prefix + "name", ACCOUNT);
        properties.put(prefix + "endpoint", endpoint());
        properties.put(prefix + "connection-string", connectionString());
        for (int i = 0; i < containers.size(); i++) {
            properties.put(prefix + "containers[" + i + "]", containers.get(i));
        }
        return properties;
    }

    /** Registers the shared Azurite with a Spring test context, allowing {@value #DEFAULT_CONTAINER}. */
    public static class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            AzuriteServer azurite = shared();
            azurite.createContainer(DEFAULT_CONTAINER);
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource("azurite", azurite.properties(List.of(DEFAULT_CONTAINER))));
        }
    }

    private void launch() {
        Path main = findAzuriteMain();
        List<String> command = new ArrayList<>(List.of(
                "node",
                main.toString(),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                Integer.toString(port),
                "--location",
                location.toString(),
                "--skipApiVersionCheck",
                "--loose",
                "--silent",
                "--disableTelemetry",
                "--disableProductStyleUrl"));
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Azurite (is Node.js on the PATH?): " + command, e);
        }
        awaitAnswer();
    }

    private void awaitAnswer() {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(1))
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(endpoint() + "?comp=list"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                http.send(probe, HttpResponse.BodyHandlers.discarding());
                return; // any HTTP answer (even 403 for the unsigned probe) means it is serving
            } catch (IOException e) {
                sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Azurite", e);
            }
        }
        throw new IllegalStateException(
                "Azurite did not answer on port " + port + " within " + STARTUP_TIMEOUT + ": " + logTail());
    }

    private void destroy() {
        stop();
        try (Stream<Path> files = Files.walk(location)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    private String logTail() {
        try {
            String text = Files.readString(log);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The pinned Azurite's blob entry point, found from the working directory upwards. */
    static Path findAzuriteMain() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path main = dir.resolve("node_modules/azurite/dist/src/blob/main.js");
            if (Files.isRegularFile(main)) {
                return main;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "node_modules/azurite not found: run `npm ci` at the repository root (the Maven build does it)");
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unquote(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
