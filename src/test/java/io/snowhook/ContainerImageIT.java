package io.snowhook;

import static io.snowhook.support.YamlDocuments.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.ArgoEvents.StorageEvent;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.Manifests;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the image from the {@code Dockerfile} and runs it as the Deployment runs it: read-only root, a tmpfs
 * on {@code /tmp}, every capability dropped, no privilege escalation, the image's own settings. podman only
 * (no Docker engine, no registry): {@code scripts/image.sh} makes the Debian base images with debootstrap
 * once and builds on them. The container has its own network (slirp4netns); it reaches the test's Azurite on
 * the host's loopback through slirp's {@code 10.0.2.2}, and its ports are published on 127.0.0.1 only.
 *
 * <p>Skipped, with the reason, where podman is not installed; {@code .ci/run} installs it.
 */
class ContainerImageIT {

    static final Path PROJECT = Manifests.PROJECT;
    static final Path LOG = PROJECT.resolve("target/container-image-it.log");
    /** One tag per checkout, so that builds of two checkouts on one machine do not replace each other's image. */
    static final String IMAGE =
            "localhost/snowhook:test-" + Integer.toHexString(PROJECT.toString().hashCode());

    static final String INTAKE_TOKEN = "intake-token-5f1c0e7a9b";
    static final String OPERATOR_TOKEN = "operator-token-8e2a91c4f0";
    /** slirp4netns' address for the host's loopback, with {@code allow_host_loopback=true}. */
    static final String HOST_LOOPBACK = "10.0.2.2";

    static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    static final JsonMapper JSON = JsonMapper.shared();

    static Duration buildTime;

    final String name = "snowhook-it-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void buildImage() throws Exception {
        if (!onPath("podman")) {
            abort("podman is not installed (apt-get install podman runc slirp4netns debootstrap uidmap, as .ci/run"
                    + " does): the image is not built nor started");
        }
        boolean basesPresent = run(
                                        Duration.ofMinutes(1),
                                        "podman",
                                        "image",
                                        "exists",
                                        "localhost/snowhook-base-build:bookworm")
                                .exit()
                        == 0
                && run(Duration.ofMinutes(1), "podman", "image", "exists", "localhost/snowhook-base-runtime:trixie")
                                .exit()
                        == 0;
        if (!basesPresent && !(onPath("debootstrap") && "root".equals(System.getProperty("user.name")))) {
            abort("the local base images are missing and cannot be made here (debootstrap, run as root, makes"
                    + " them): the image is not built");
        }
        long start = System.nanoTime();
        Result build =
                run(Duration.ofMinutes(30), PROJECT.resolve("scripts/image.sh").toString(), "build", IMAGE);
        buildTime = Duration.ofNanos(System.nanoTime() - start);
        assertThat(build.exit()).as("scripts/image.sh build: %s", build.tail()).isZero();
        report("image built in %d s (base images %s)", buildTime.toSeconds(), basesPresent ? "cached" : "made");
    }

    @AfterEach
    void removeContainer() throws Exception {
        // The container and its anonymous /app/data volume; the images stay as the build cache.
        run(Duration.ofMinutes(2), "podman", "rm", "--force", "--volumes", "--ignore", name);
    }

    @Test
    void startsReadOnlyOnItsDefaultsLoadsAnArgoEventAndStopsGracefullyOnSigterm() throws Exception {
        List<Map<String, Object>> objects = Manifests.listedObjects();
        Map<String, Object> container = Manifests.snowhookContainer(objects);
        int serverPort = Integer.parseInt(Manifests.imageProperty("server.port").orElse("8080"));
        int managementPort = Integer.parseInt(
                Manifests.imageProperty("management.server.port").orElse(Integer.toString(serverPort)));
        int published = freePort();
        int publishedManagement = managementPort == serverPort ? published : freePort();

        AzuriteServer azurite = AzuriteServer.shared();
        azurite.createContainer(AzuriteServer.DEFAULT_CONTAINER);
        String endpoint = "http://" + HOST_LOOPBACK + ":" + azurite.port() + "/" + AzuriteServer.ACCOUNT;

        List<String> command = new ArrayList<>(List.of(
                "podman",
                "run",
                "--detach",
                "--name",
                name,
                // as deploy/deployment.yaml runs it
                "--read-only",
                "--tmpfs",
                "/tmp",
                "--cap-drop=ALL",
                "--security-opt=no-new-privileges",
                "--network=slirp4netns:allow_host_loopback=true",
                "--publish",
                "127.0.0.1:" + published + ":" + serverPort));
        if (publishedManagement != published) {
            command.addAll(List.of("--publish", "127.0.0.1:" + publishedManagement + ":" + managementPort));
        }
        command.addAll(List.of(
                // Only the two credentials and where the storage account is: data directory, HOME, ports,
                // JVM options are the image's own.
                "--env",
                "SNOWHOOK_SECURITY_INTAKE_TOKEN=" + INTAKE_TOKEN,
                "--env",
                "SNOWHOOK_SECURITY_OPERATOR_TOKEN=" + OPERATOR_TOKEN,
                "--env",
                "SPRING_APPLICATION_JSON=" + storageAccount(endpoint),
                IMAGE));
        long start = System.nanoTime();
        Result started = run(Duration.ofMinutes(2), command.toArray(String[]::new));
        assertThat(started.exit()).as("podman run: %s", started.tail()).isZero();

        // Ready: the probes of the Deployment, on the ports and paths it names, answer 200.
        URI liveness = URI.create("http://127.0.0.1:" + publishedManagement + path(container, "livenessProbe"));
        URI readiness = URI.create("http://127.0.0.1:" + publishedManagement + path(container, "readinessProbe"));
        try {
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .failFast("the container exited", () -> !running())
                    .until(() -> status(HttpRequest.newBuilder(readiness)) == 200);
        } catch (RuntimeException notReady) {
            throw new AssertionError("not ready; the container's log ends with:\n" + logTail(), notReady);
        }
        report(
                "ready (readiness 200) %d s after podman run",
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
        assertThat(status(HttpRequest.newBuilder(liveness))).isEqualTo(200);

        // The JVM (PID 1, the exec-form ENTRYPOINT) runs from the CDS archive the image's training run made: the
        // archive is mapped into its memory (a JVM that could not use it would have left it unmapped).
        Result mapped =
                run(Duration.ofMinutes(1), "podman", "exec", name, "grep", "-c", "/app/snowhook.jsa", "/proc/1/maps");
        assertThat(mapped.exit())
                .as("/app/snowhook.jsa in /proc/1/maps: %s", mapped.tail())
                .isZero();
        assertThat(Integer.parseInt(mapped.output().strip())).isPositive();

        // What the preStop hook runs is in the image.
        List<String> preStop = preStopCommand(container);
        List<String> exec = new ArrayList<>(List.of("podman", "exec", name));
        exec.addAll(preStop);
        assertThat(run(Duration.ofMinutes(1), exec.toArray(String[]::new)).exit())
                .as("preStop %s", preStop)
                .isZero();

        // A blob lands; the Sensor posts its event; the load ends LOADED in the embedded DuckDB warehouse.
        String blob = "orders/f-it/" + UUID.randomUUID() + ".csv";
        byte[] csv = ("order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n"
                        + "o-1,f-it,JS-101,2,4.50,EUR,2026-11-23T08:01:00Z,web\n"
                        + "o-2,f-it,JS-102,3,4.50,EUR,2026-11-23T08:02:00Z,web\n")
                .getBytes(StandardCharsets.UTF_8);
        String etag = azurite.upload(AzuriteServer.DEFAULT_CONTAINER, blob, csv);
        StorageEvent event = ArgoEvents.blobCreated(
                AzuriteServer.ACCOUNT,
                AzuriteServer.DEFAULT_CONTAINER,
                blob,
                etag,
                csv.length,
                "00000000000004420000000000000001",
                "PutBlockList",
                endpoint);
        HttpResponse<String> accepted = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + published + "/events"))
                        .header("Authorization", "Bearer " + INTAKE_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoEventField(event)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("loads").get(0).get("id").asString();
        URI load = URI.create("http://127.0.0.1:" + published + "/loads/" + id);
        JsonNode loaded = await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> JSON.readTree(get(load)),
                        l -> !List.of("QUEUED", "LOADING")
                                .contains(l.get("status").asString()));
        assertThat(loaded.get("status").asString()).as(loaded.toString()).isEqualTo("LOADED");
        assertThat(loaded.get("rowsLoaded").asLong()).isEqualTo(2);

        // SIGTERM, as the kubelet sends after preStop: a graceful stop well within the grace period.
        int grace = (Integer) Manifests.podSpec(Manifests.one(objects, "Deployment", "snowhook"))
                .get("terminationGracePeriodSeconds");
        long stopping = System.nanoTime();
        assertThat(run(Duration.ofMinutes(1), "podman", "kill", "--signal", "TERM", name)
                        .exit())
                .isZero();
        Result exited = run(Duration.ofSeconds(grace), "podman", "wait", name);
        Duration stop = Duration.ofNanos(System.nanoTime() - stopping);
        report("stopped %d ms after SIGTERM", stop.toMillis());
        assertThat(exited.exit()).as("podman wait within %d s", grace).isZero();
        assertThat(exited.output().strip())
                .as("exit status: 143 is the JVM ending on SIGTERM")
                .isEqualTo("143");
        String logs = run(Duration.ofMinutes(1), "podman", "logs", name).output();
        assertThat(logs)
                .contains("Graceful shutdown complete")
                .contains("load workers stopped")
                .doesNotContain("AccessDeniedException");
        report(
                "image %s: %s",
                IMAGE,
                run(Duration.ofMinutes(1), "podman", "image", "inspect", "--format", "{{.Size}} bytes", IMAGE)
                        .output()
                        .strip());
    }

    static String storageAccount(String endpoint) {
        Map<String, Object> account = Map.of(
                "name",
                AzuriteServer.ACCOUNT,
                "endpoint",
                endpoint,
                "containers",
                List.of(AzuriteServer.DEFAULT_CONTAINER),
                "connection-string",
                "DefaultEndpointsProtocol=http;AccountName=" + AzuriteServer.ACCOUNT + ";AccountKey="
                        + AzuriteServer.ACCOUNT_KEY + ";BlobEndpoint=" + endpoint + ";");
        return JSON.writeValueAsString(Map.of("snowhook", Map.of("storage", Map.of("accounts", List.of(account)))));
    }

    static String path(Map<String, Object> container, String probe) {
        return (String) map(map(container, probe), "httpGet").get("path");
    }

    @SuppressWarnings("unchecked")
    static List<String> preStopCommand(Map<String, Object> container) {
        return (List<String>)
                map(map(map(container, "lifecycle"), "preStop"), "exec").get("command");
    }

    String logTail() throws Exception {
        return run(Duration.ofMinutes(1), "podman", "logs", "--tail", "40", name)
                .output();
    }

    boolean running() throws Exception {
        return run(Duration.ofMinutes(1), "podman", "inspect", "--format", "{{.State.Running}}", name)
                .output()
                .strip()
                .equals("true");
    }

    static int status(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    static String get(URI uri) throws Exception {
        HttpResponse<String> answer = HTTP.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + OPERATOR_TOKEN)
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    record Result(int exit, String output) {

        String tail() {
            return output.length() > 3000 ? output.substring(output.length() - 3000) : output;
        }
    }

    /** Runs a command with the project's podman settings, bounded; its output also goes to the log. */
    static Result run(Duration timeout, String... command) throws Exception {
        Path output = Files.createTempFile("snowhook-image-it", ".log");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment()
                    .put(
                            "CONTAINERS_CONF",
                            PROJECT.resolve("scripts/podman/containers.conf").toString());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            String text = Files.readString(output);
            Files.createDirectories(LOG.getParent());
            Files.writeString(
                    LOG,
                    "$ " + String.join(" ", command) + "\n" + text,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return new Result(process.exitValue(), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    static void report(String format, Object... arguments) throws IOException {
        String line = "[ContainerImageIT] " + format.formatted(arguments);
        System.out.println(line);
        Files.createDirectories(LOG.getParent());
        Files.writeString(LOG, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static boolean onPath(String executable) {
        String path = System.getenv("PATH");
        return path != null
                && List.of(path.split(java.io.File.pathSeparator)).stream()
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, executable)));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
