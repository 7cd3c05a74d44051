package io.snowhook.support;

import static io.snowhook.support.YamlDocuments.asMap;
import static io.snowhook.support.YamlDocuments.list;
import static io.snowhook.support.YamlDocuments.map;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What snowhook ships to run it: the objects {@code kubectl apply -k deploy/} creates, the templates in
 * {@code deploy/examples/}, and the settings a container ends up with — read the way Kubernetes and Spring
 * read them, so that tests check the values that take effect rather than copies of them.
 */
public final class Manifests {

    public static final Path PROJECT = Path.of("").toAbsolutePath();
    public static final Path DEPLOY = PROJECT.resolve("deploy");
    public static final Path EXAMPLES = DEPLOY.resolve("examples");

    /** Kinds that live in a namespace, among those snowhook ships (kustomize sets their namespace). */
    static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[^:}]+:([^}]*)}");

    private Manifests() {}

    public static Map<String, Object> kustomization() {
        List<Map<String, Object>> documents = read(DEPLOY.resolve("kustomization.yaml"));
        if (documents.size() != 1) {
            throw new AssertionError("deploy/kustomization.yaml holds " + documents.size() + " documents");
        }
        return documents.get(0);
    }

    /** The file names {@code deploy/kustomization.yaml} lists under {@code resources}. */
    public static List<String> listedResources() {
        List<String> names = new ArrayList<>();
        for (Object resource : (List<?>) kustomization().get("resources")) {
            names.add((String) resource);
        }
        return names;
    }

    /**
     * Every object {@code kubectl apply -k deploy/} creates, in the order listed: the documents of the listed
     * files, with the kustomization's namespace on every namespaced object that names none.
     */
    public static List<Map<String, Object>> listedObjects() {
        Object namespace = kustomization().get("namespace");
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String resource : listedResources()) {
            for (Map<String, Object> object : read(DEPLOY.resolve(resource))) {
                Map<String, Object> metadata = asMap(object.get("metadata"));
                if (namespace != null && !CLUSTER_SCOPED.contains(object.get("kind"))) {
                    metadata.putIfAbsent("namespace", namespace);
                }
                objects.add(object);
            }
        }
        return objects;
    }

    /** The templates of {@code deploy/examples/} (secrets to create out of band), every document of every file. */
    public static List<Map<String, Object>> exampleObjects() {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Path file : yamlFiles(EXAMPLES)) {
            objects.addAll(read(file));
        }
        return objects;
    }

    /** The {@code *.yaml} files directly in a folder, sorted. */
    public static List<Path> yamlFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> one(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.get("kind"))
                        && name.equals(asMap(o.get("metadata")).get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + DEPLOY));
    }

    public static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload, "spec"), "template"), "spec");
    }

    /** The snowhook Deployment's first container. */
    public static Map<String, Object> snowhookContainer(List<Map<String, Object>> objects) {
        return list(podSpec(one(objects, "Deployment", "snowhook")), "containers")
                .get(0);
    }

    /**
     * A Spring property as the container's process sees it, by Spring's precedence: the container's own
     * {@code env}, then the ConfigMaps it reads with {@code envFrom}, then the image's {@code ENV}, then
     * {@code application.yml} (a {@code ${NAME:default}} placeholder there counts as its default).
     */
    public static Optional<String> containerProperty(
            List<Map<String, Object>> objects, Map<String, Object> container, String property) {
        String variable = environmentVariable(property);
        if (container.get("env") instanceof List<?> env) {
            for (Object entry : env) {
                Map<String, Object> e = asMap(entry);
                if (variable.equals(e.get("name")) && e.get("value") != null) {
                    return Optional.of(String.valueOf(e.get("value")));
                }
            }
        }
        if (container.get("envFrom") instanceof List<?> envFrom) {
            for (Object entry : envFrom) {
                if (asMap(entry).get("configMapRef") instanceof Map<?, ?> ref) {
                    Map<String, Object> configMap = one(objects, "ConfigMap", (String) ref.get("name"));
                    if (configMap.get("data") instanceof Map<?, ?> data && data.get(variable) != null) {
                        return Optional.of(String.valueOf(data.get(variable)));
                    }
                }
            }
        }
        return imageProperty(property);
    }

    /** A Spring property as the image alone sets it: its {@code ENV}, then {@code application.yml}. */
    public static Optional<String> imageProperty(String property) {
        String fromImage = imageEnvironment().get(environmentVariable(property));
        return fromImage != null ? Optional.of(fromImage) : applicationProperty(property);
    }

    /** A property of {@code src/main/resources/application.yml}, placeholders resolved to their defaults. */
    public static Optional<String> applicationProperty(String property) {
        Object node =
                read(PROJECT.resolve("src/main/resources/application.yml")).get(0);
        for (String key : property.split("\\.")) {
            if (!(node instanceof Map<?, ?> m) || !m.containsKey(key)) {
                return Optional.empty();
            }
            node = m.get(key);
        }
        if (node == null || node instanceof Map || node instanceof List) {
            return Optional.empty();
        }
        Matcher placeholder = PLACEHOLDER.matcher(String.valueOf(node));
        return Optional.of(placeholder.matches() ? placeholder.group(1) : String.valueOf(node));
    }

    /**
     * The port actuator (health probes included) answers on: {@code management.server.port} where set, the
     * application's {@code server.port} otherwise.
     */
    public static int managementPort(List<Map<String, Object>> objects, Map<String, Object> container) {
        return Integer.parseInt(containerProperty(objects, container, "management.server.port")
                .or(() -> containerProperty(objects, container, "server.port"))
                .orElse("8080"));
    }

    /** The application's own port ({@code server.port}), as the container sees it. */
    public static int serverPort(List<Map<String, Object>> objects, Map<String, Object> container) {
        return Integer.parseInt(
                containerProperty(objects, container, "server.port").orElse("8080"));
    }

    /** A probe's or a Service's port as a number: a number as it is, a name through the container's ports. */
    public static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer number) {
            return number;
        }
        return list(container, "ports").stream()
                .filter(p -> port.equals(p.get("name")))
                .map(p -> (Integer) p.get("containerPort"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the container has no port named " + port));
    }

    /** The {@code ENV} of the Dockerfile's last stage, the image's environment. */
    public static Map<String, String> imageEnvironment() {
        String dockerfile;
        try {
            dockerfile = Files.readString(PROJECT.resolve("Dockerfile")).replaceAll("\\\\\\n", " ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");
        for (String line : dockerfile.split("\\n")) {
            String instruction = line.strip();
            if (instruction.regionMatches(true, 0, "FROM ", 0, 5)) {
                env.clear();
            } else if (instruction.regionMatches(true, 0, "ENV ", 0, 4)) {
                Matcher m = pair.matcher(instruction.substring(4));
                while (m.find()) {
                    env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                }
            }
        }
        return env;
    }

    /** Spring's relaxed binding from the environment: {@code management.server.port} → {@code MANAGEMENT_SERVER_PORT}. */
    static String environmentVariable(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    static List<Map<String, Object>> read(Path file) {
        try {
            return YamlDocuments.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value at a dotted path of nested maps, or null. */
    public static @Nullable Object at(Map<String, Object> root, String path) {
        Object node = root;
        for (String key : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }
}
