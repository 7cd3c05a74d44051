package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks what can be checked of the {@code Dockerfile} without a Docker engine. Runs after {@code package}
 * (failsafe), so the jar the build stage extracts exists: the extraction runs exactly as in the image, and the
 * image's entry point starts the service from the extracted layers.
 */
class DockerfileIT {

    static final Path PROJECT = Path.of("").toAbsolutePath();

    static List<Stage> stages;

    /** The build arguments declared before the first stage, with their defaults: the base images. */
    static Map<String, String> buildArguments = new LinkedHashMap<>();

    record Stage(String from, String name, List<String> instructions) {

        List<String> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
                    .map(i -> i.substring(keyword.length() + 1).trim())
                    .toList();
        }
    }

    @BeforeAll
    static void parse() throws IOException {
        stages = new ArrayList<>();
        String text = Files.readString(PROJECT.resolve("Dockerfile")).replaceAll("\\\\\\n", " ");
        Stage current = null;
        for (String line : text.split("\\n")) {
            String instruction = line.strip();
            if (instruction.isEmpty() || instruction.startsWith("#")) {
                continue;
            }
            if (current == null && instruction.regionMatches(true, 0, "ARG ", 0, 4)) {
                // An ARG before the first FROM: a base image's build argument, with its default.
                String[] argument = instruction.substring(4).strip().split("=", 2);
                if (argument.length == 2) {
                    buildArguments.put(argument[0], argument[1]);
                }
                continue;
            }
            if (instruction.regionMatches(true, 0, "FROM ", 0, 5)) {
                String[] words = instruction.split("\\s+");
                current = new Stage(baseImage(words[1]), words.length > 3 ? words[3] : "", new ArrayList<>());
                stages.add(current);
            }
            current.instructions().add(instruction.replaceAll("\\s+", " "));
        }
    }

    /** A FROM's image, {@code ${NAME}} resolved to the build argument's default (what a plain build uses). */
    static String baseImage(String from) {
        Matcher argument = Pattern.compile("\\$\\{?(\\w+)}?").matcher(from);
        if (!argument.matches()) {
            return from;
        }
        assertThat(buildArguments).as("the build argument " + from).containsKey(argument.group(1));
        return buildArguments.get(argument.group(1));
    }

    @Test
    void baseImagesAreBuildArgumentsDefaultingToTemurin() {
        assertThat(buildArguments)
                .containsEntry("BUILD_IMAGE", "eclipse-temurin:17-jdk")
                .containsEntry("RUNTIME_IMAGE", "eclipse-temurin:25-jre");
        assertThat(build().from()).isEqualTo("eclipse-temurin:17-jdk");
        assertThat(runtime().from()).isEqualTo("eclipse-temurin:25-jre");
    }

    @Test
    void runtimeHasAWritableDataVolumeOwnedByItsUserAndAHomeOnTmp() {
        String user = runtime().all("USER").get(0).split(":")[0];
        assertThat(runtime().all("RUN"))
                .anySatisfy(run -> assertThat(run).contains("mkdir /app/data").contains("chown " + user + ":"));
        assertThat(runtime().all("VOLUME")).containsExactly("[\"/app/data\"]");
        assertThat(String.join(" ", runtime().all("ENV"))).contains("HOME=/tmp");
        assertThat(runtime().all("WORKDIR")).containsExactly("/app");
    }

    Stage build() {
        return stages.stream().filter(s -> s.name().equals("build")).findFirst().orElseThrow();
    }

    Stage runtime() {
        return stages.get(stages.size() - 1);
    }

    @Test
    void buildStageRunsTheReadmesMavenBuildWithTheWrapper() throws IOException {
        String command = "./mvnw -B package -DskipTests";
        assertThat(build().all("RUN")).anySatisfy(run -> assertThat(run).endsWith(command));
        assertThat(Files.readString(PROJECT.resolve("README.md"))).contains(command);
        assertThat(build().from()).contains("-jdk");
    }

    @Test
    void runtimeStageIsAJreRunningAsANumericNonRootUser() {
        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        assertThat(runtime().from()).contains("-jre");
        List<String> users = runtime().all("USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).split(":")[0];
        assertThat(user).matches("[0-9]+");
        assertThat(Integer.parseInt(user)).isPositive();
        assertThat(runtime().all("RUN")).noneSatisfy(run -> assertThat(run).contains("mvnw"));
    }

    @Test
    void runtimeIsSizedForContainersExposesTheApiAndManagementPortsAndLeavesHealthToKubernetes() {
        String env = String.join(" ", runtime().all("ENV"));
        assertThat(env).contains("-XX:MaxRAMPercentage=75");
        assertThat(runtime().all("EXPOSE")).containsExactly("8080 8081");
        assertThat(env).contains("MANAGEMENT_SERVER_PORT=8081", "MANAGEMENT_SERVER_ADDRESS=0.0.0.0");
        assertThat(stages).allSatisfy(s -> assertThat(s.all("HEALTHCHECK")).isEmpty());
        Matcher version = Pattern.compile(":(\\d+)-jre").matcher(runtime().from());
        assertThat(version.find()).isTrue();
        if (Integer.parseInt(version.group(1)) > 17) {
            assertThat(env).contains("SPRING_THREADS_VIRTUAL_ENABLED=true");
        }
    }

    @Test
    void extractsThePackagedJarIntoTheLayersTheRuntimeCopiesAndStartsFromThem(@TempDir Path work) throws Exception {
        // The build stage's extraction, run against this build's jar.
        String extract = build().all("RUN").stream()
                .filter(run -> run.contains("-Djarmode=tools"))
                .findFirst()
                .orElseThrow();
        Matcher jar = Pattern.compile("-jar (\\S+)").matcher(extract);
        assertThat(jar.find()).isTrue();
        Path packaged = PROJECT.resolve(jar.group(1));
        assertThat(packaged)
                .as("the jar the Dockerfile extracts, after mvn package")
                .isRegularFile();
        assertThat(extract).contains("extract --layers").doesNotContain("--launcher");

        Path extracted = work.resolve("extracted");
        List<String> command = new ArrayList<>(Arrays.asList(extract.substring(0, extract.indexOf("--destination"))
                .replace(jar.group(1), packaged.toString())
                .trim()
                .split(" ")));
        command.set(0, javaExecutable());
        command.addAll(List.of("--destination", extracted.toString()));
        assertThat(run(new ProcessBuilder(command).directory(work.toFile())).waitFor())
                .isZero();

        // Every COPY --from=build of the runtime stage names a layer that exists; merge them as the image does.
        Path app = work.resolve("app");
        List<String> copies = runtime().all("COPY").stream()
                .filter(c -> c.startsWith("--from=build"))
                .toList();
        assertThat(copies).hasSize(4);
        for (String copy : copies) {
            String source = copy.split(" ")[1].replace("/workspace/extracted/", "");
            Path layer = extracted.resolve(source);
            assertThat(layer).isDirectory();
            copyTree(layer, app);
        }

        // The ENTRYPOINT, with the image's JVM options, starts snowhook (on loopback here, with credentials): the
        // extracted thin jar, its manifest naming the libraries beside it. The CDS archive it names is made in the
        // image by the image's JRE, so this JVM starts without it, as any JVM that cannot use an archive does.
        List<String> entrypoint = jsonArray(runtime().all("ENTRYPOINT").get(0));
        assertThat(entrypoint).first().isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
                .containsExactly("-jar", "snowhook.jar");
        assertThat(app.resolve("snowhook.jar")).isRegularFile();
        assertThat(app.resolve("lib")).isDirectory();
        assertThat(app.resolve(entrypoint.get(1).substring(entrypoint.get(1).indexOf('=') + 1)))
                .doesNotExist();

        int port = freePort();
        int managementPort = freePort();
        List<String> java = new ArrayList<>(entrypoint);
        java.set(0, javaExecutable());
        ProcessBuilder start = new ProcessBuilder(java).directory(app.toFile());
        Map<String, String> env = start.environment();
        env.put("JAVA_TOOL_OPTIONS", envValue("JAVA_TOOL_OPTIONS"));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("MANAGEMENT_SERVER_ADDRESS", "127.0.0.1");
        env.put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
        env.put("SNOWHOOK_SECURITY_INTAKE_TOKEN", "intake-token-5f1c0e7a9b");
        env.put("SNOWHOOK_SECURITY_OPERATOR_TOKEN", "operator-token-8e2a91c4f0");
        env.put("SPRING_DATASOURCE_URL", "jdbc:h2:file:" + work.resolve("ledger") + ";AUTO_SERVER=FALSE");
        Process service = run(start);
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI liveness = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/liveness");
            Awaitility.await()
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .failFast("snowhook exited", () -> !service.isAlive())
                    .until(() ->
                            http.send(HttpRequest.newBuilder(liveness).build(), HttpResponse.BodyHandlers.ofString())
                                            .statusCode()
                                    == 200);
        } finally {
            service.destroy();
            service.waitFor();
        }
    }

    @Test
    void runtimeTrainsAClassDataSharingArchiveWithItsOwnSettingsAndStartsFromIt() {
        List<String> entrypoint = jsonArray(runtime().all("ENTRYPOINT").get(0));
        assertThat(entrypoint).hasSize(4);
        Matcher archive = Pattern.compile("-XX:SharedArchiveFile=(\\S+)").matcher(entrypoint.get(1));
        assertThat(archive.matches()).as(entrypoint.get(1)).isTrue();

        // The training run: the entry point's jar, the image's ENV (set before it), stopped after the refresh,
        // writing the archive the entry point names; then checking it exists and that it left no data behind.
        List<String> instructions = runtime().instructions();
        int training = -1;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("RUN ") && instructions.get(i).contains("-XX:ArchiveClassesAtExit=")) {
                training = i;
            }
        }
        assertThat(training)
                .as("a RUN with -XX:ArchiveClassesAtExit in the runtime stage")
                .isPositive();
        String run = instructions.get(training);
        assertThat(run)
                .contains("-XX:ArchiveClassesAtExit=" + archive.group(1) + " ")
                .contains("-Dspring.context.exit=onRefresh")
                .contains("-jar snowhook.jar")
                .contains("test -s " + archive.group(1))
                .contains("test -z \"$(ls -A /app/data)\"")
                .contains("find /tmp -mindepth 1 -delete");
        int env = -1;
        int user = -1;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).contains("JAVA_TOOL_OPTIONS=")) {
                env = i;
            }
            if (instructions.get(i).startsWith("USER ")) {
                user = i;
            }
        }
        assertThat(env)
                .as("the image's JVM options are set before the training run")
                .isBetween(0, training);
        assertThat(user).as("the runtime user is set after it").isGreaterThan(training);
    }

    String envValue(String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"")
                .matcher(String.join(" ", runtime().all("ENV")));
        assertThat(m.find()).as(name + " in the runtime ENV").isTrue();
        return m.group(1);
    }

    static List<String> jsonArray(String exec) {
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(exec);
        List<String> words = new ArrayList<>();
        while (m.find()) {
            words.add(m.group(1));
        }
        return words;
    }

    static Process run(ProcessBuilder builder) throws IOException {
        return builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        PROJECT.resolve("target/dockerfile-it.log").toFile()))
                .start();
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
