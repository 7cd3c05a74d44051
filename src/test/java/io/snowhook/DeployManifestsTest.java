package io.snowhook;

import static io.snowhook.support.YamlDocuments.list;
import static io.snowhook.support.YamlDocuments.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.snowhook.blob.StorageProperties;
import io.snowhook.routing.Route;
import io.snowhook.support.KubernetesSchemas;
import io.snowhook.support.Manifests;
import io.snowhook.support.YamlDocuments;
import io.snowhook.warehouse.WarehouseProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kubernetes manifests in {@code deploy/} (what {@code kubectl apply -k deploy/} creates) and the secret
 * templates in {@code deploy/examples/}: valid against Kubernetes' own schemas, the kinds a deployment needs,
 * wired to each other, to the image and to the Argo Sensor.
 */
class DeployManifestsTest {

    static final Path DEPLOY = Manifests.DEPLOY;

    static final KubernetesSchemas SCHEMAS = KubernetesSchemas.load();

    /** What {@code kubectl apply -k deploy/} creates. */
    static List<Map<String, Object>> listed;

    static Map<String, List<Map<String, Object>>> byKind;

    @BeforeAll
    static void load() throws IOException {
        listed = Manifests.listedObjects();
        byKind = new HashMap<>();
        byKind.computeIfAbsent("Kustomization", k -> new ArrayList<>()).add(Manifests.kustomization());
        for (Map<String, Object> manifest : Stream.concat(listed.stream(), Manifests.exampleObjects().stream())
                .toList()) {
            assertThat(manifest).containsKeys("apiVersion", "kind");
            byKind.computeIfAbsent((String) manifest.get("kind"), k -> new ArrayList<>())
                    .add(manifest);
        }
    }

    @Test
    void holdsEveryKindADeploymentNeeds() {
        assertThat(byKind)
                .containsKeys(
                        "Kustomization",
                        "Namespace",
                        "ServiceAccount",
                        "ConfigMap",
                        "Secret",
                        "Deployment",
                        "Service",
                        "StatefulSet",
                        "PodDisruptionBudget");
    }

    @Test
    void kustomizationListsExistingFilesAndNoSecretTemplate() {
        List<?> resources = (List<?>) one("Kustomization").get("resources");
        assertThat(resources)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(DEPLOY.resolve((String) r)).isRegularFile());
        assertThat(resources).noneSatisfy(r -> assertThat((String) r).contains("secret"));
        assertThat(listed).noneSatisfy(o -> assertThat(o.get("kind")).isEqualTo("Secret"));
    }

    @Test
    void keepsTheSecretTemplatesOutOfWhatKubectlAppliesFromDeploy() {
        // `kubectl apply -f deploy/` reads the files directly in deploy/: none may hold a Secret, so that a
        // placeholder can never overwrite a real secret; every one of them is in the kustomization.
        List<String> files = Manifests.yamlFiles(DEPLOY).stream()
                .map(f -> f.getFileName().toString())
                .filter(f -> !f.equals("kustomization.yaml"))
                .toList();
        assertThat(Manifests.listedResources()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(Manifests.exampleObjects())
                .isNotEmpty()
                .allSatisfy(o -> assertThat(o.get("kind")).isEqualTo("Secret"));
    }

    @Test
    void everyObjectIsValidAgainstTheKubernetesSchemasOfItsKind() {
        List<Map<String, Object>> objects = new ArrayList<>(listed);
        objects.addAll(Manifests.exampleObjects());
        assertThat(objects).hasSizeGreaterThanOrEqualTo(8);
        assertThat(objects.stream().flatMap(o -> SCHEMAS.validate(o).stream()))
                .as("deploy/ against Kubernetes %s schemas", KubernetesSchemas.VERSION)
                .isEmpty();
    }

    @Test
    void whatKustomizeRendersIsValidAgainstTheKubernetesSchemas() throws Exception {
        Optional<List<Map<String, Object>>> rendered = kustomize();
        assumeTrue(rendered.isPresent(), "kubectl is not on the PATH: the rendered manifests are not checked");
        assertThat(rendered.get())
                .extracting(o -> o.get("kind") + "/" + map(o, "metadata").get("name"))
                .containsExactlyInAnyOrderElementsOf(listed.stream()
                        .map(o -> o.get("kind") + "/" + map(o, "metadata").get("name"))
                        .toList());
        assertThat(rendered.get().stream().flatMap(o -> SCHEMAS.validate(o).stream()))
                .isEmpty();
        assertThat(rendered.get())
                .filteredOn(o -> !o.get("kind").equals("Namespace"))
                .allSatisfy(o -> assertThat(map(o, "metadata").get("namespace"))
                        .isEqualTo(one("Kustomization").get("namespace")));
    }

    @Test
    void schemaValidationCatchesATypoAWrongTypeAndAnUnknownKind() {
        Map<String, Object> typo = Manifests.one(Manifests.listedObjects(), "Deployment", "snowhook");
        Map<String, Object> probe =
                map(map(list(Manifests.podSpec(typo), "containers").get(0), "livenessProbe"), "httpGet");
        probe.put("paht", probe.remove("path"));
        assertThat(SCHEMAS.validate(typo)).singleElement().asString().contains("paht");

        Map<String, Object> wrongType = Manifests.one(Manifests.listedObjects(), "Deployment", "snowhook");
        map(wrongType, "spec").put("replicas", "two");
        assertThat(SCHEMAS.validate(wrongType)).singleElement().asString().contains("replicas");

        Map<String, Object> unknown = new HashMap<>(Map.of("apiVersion", "apps/v1beta1", "kind", "Deployment"));
        assertThat(SCHEMAS.validate(unknown)).singleElement().asString().contains("no Kubernetes");
    }

    @Test
    void probesAskTheManagementPortForHealthGroupsThatAnswer() {
        Map<String, Object> container = Manifests.snowhookContainer(listed);
        int management = Manifests.managementPort(listed, container);
        String basePath = Manifests.containerProperty(listed, container, "management.endpoints.web.base-path")
                .orElse("/actuator");
        assertThat(Manifests.imageProperty("management.endpoint.health.probes.enabled"))
                .contains("true");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> httpGet = map(map(container, probe), "httpGet");
            assertThat(Manifests.containerPort(container, httpGet.get("port")))
                    .as("%s's port", probe)
                    .isEqualTo(management);
            String group = probe.equals("readinessProbe") ? "readiness" : "liveness";
            assertThat(httpGet.get("path")).as("%s's path", probe).isEqualTo(basePath + "/health/" + group);
            assertThat(Manifests.applicationProperty("management.endpoint.health.group." + group + ".include"))
                    .as("the %s health group", group)
                    .isPresent();
        }
    }

    @Test
    void pinsEveryImageToATag() {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (String kind : List.of("Deployment", "StatefulSet")) {
            byKind.get(kind).forEach(w -> containers.addAll(list(Manifests.podSpec(w), "containers")));
        }
        // [registry[:port]/]repository[:tag][@sha256:digest]: the tag follows the last ':' after the last '/'.
        Pattern pinned =
                Pattern.compile("(?:[^@]*/)?[^/:@]+(:(?<tag>[\\w][\\w.-]{0,127}))?(?<digest>@sha256:[0-9a-f]{64})?");
        assertThat(containers).allSatisfy(c -> {
            Matcher image = pinned.matcher((String) c.get("image"));
            assertThat(image.matches()).as("image reference %s", c.get("image")).isTrue();
            assertThat(image.group("digest") != null
                            || (image.group("tag") != null
                                    && !image.group("tag").equals("latest")))
                    .as("%s is pinned to a tag other than latest, or a digest", c.get("image"))
                    .isTrue();
        });
        assertThat((String) Manifests.snowhookContainer(listed).get("image"))
                .as("snowhook's image: a release tag")
                .containsPattern(":\\d+\\.\\d+\\.\\d+$");
    }

    @Test
    void sensorPostsToTheServiceItsNamespaceAndItsPort() throws IOException {
        String url = sensorUrl();
        Matcher m = Pattern.compile("http://([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local:(\\d+)(/\\S*)")
                .matcher(url);
        assertThat(m.matches())
                .as("the Sensor's URL %s: http://<service>.<namespace>.svc.cluster.local:<port>/…", url)
                .isTrue();
        Map<String, Object> service = Manifests.one(listed, "Service", m.group(1));
        assertThat(map(service, "metadata").get("namespace"))
                .as("the Service's namespace")
                .isEqualTo(m.group(2));
        Map<String, Object> port = list(map(service, "spec"), "ports").stream()
                .filter(p -> p.get("port").equals(Integer.parseInt(m.group(3))))
                .findFirst()
                .orElseThrow(() -> new AssertionError("Service " + m.group(1) + " has no port " + m.group(3)));
        Map<String, Object> container = Manifests.snowhookContainer(listed);
        assertThat(map(map(service, "spec"), "selector"))
                .isEqualTo(map(map(map(deployment(), "spec"), "selector"), "matchLabels"));
        assertThat(Manifests.containerPort(container, port.getOrDefault("targetPort", port.get("port"))))
                .as("the Service port's target: snowhook's server port")
                .isEqualTo(Manifests.serverPort(listed, container));
        assertThat(m.group(4)).isEqualTo("/events");
    }

    /** The URL of the Sensor's HTTP trigger in argo-sensor.yaml. */
    static String sensorUrl() throws IOException {
        Map<String, Object> sensor = YamlDocuments.read(Manifests.PROJECT.resolve("argo-sensor.yaml")).stream()
                .filter(d -> d.get("kind").equals("Sensor"))
                .findFirst()
                .orElseThrow();
        return (String) map(map(list(map(sensor, "spec"), "triggers").get(0), "template"), "http")
                .get("url");
    }

    /** {@code kubectl kustomize deploy/}, where kubectl is installed. */
    static Optional<List<Map<String, Object>>> kustomize() throws Exception {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", DEPLOY.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor()).as("kubectl kustomize deploy/").isZero();
        Path rendered = Files.createTempFile("snowhook-kustomize", ".yaml");
        try {
            Files.writeString(rendered, yaml);
            return Optional.of(YamlDocuments.read(rendered));
        } finally {
            Files.delete(rendered);
        }
    }

    @Test
    void secretTemplatesHoldNoRealSecret() {
        assertThat(byKind.get("Secret"))
                .allSatisfy(secret -> assertThat(map(secret, "stringData").values())
                        .allSatisfy(value -> assertThat((String) value)
                                .satisfiesAnyOf(
                                        v -> assertThat(v).contains("CHANGE-ME"),
                                        v -> assertThat(v).doesNotContainPattern("[0-9a-f]{16}"))));
    }

    @Test
    void runsTwoOrMoreReplicasOnTheSharedPostgresLoadStore() {
        Map<String, Object> deployment = deployment();
        assertThat((Integer) map(deployment, "spec").get("replicas")).isGreaterThanOrEqualTo(2);
        Map<String, Object> data = map(configMap(), "data");
        assertThat((String) data.get("SPRING_DATASOURCE_URL")).startsWith("jdbc:postgresql://snowhook-postgres:");
        assertThat(byKind.get("Service"))
                .anySatisfy(s -> assertThat(map(s, "metadata").get("name")).isEqualTo("snowhook-postgres"));
    }

    @Test
    void probesLivenessAndReadinessGroups() {
        Map<String, Object> container = container();
        assertThat(path(container, "livenessProbe")).isEqualTo("/actuator/health/liveness");
        assertThat(path(container, "readinessProbe")).isEqualTo("/actuator/health/readiness");
        assertThat(path(container, "startupProbe")).isEqualTo("/actuator/health/liveness");
        // On the management port (management.server.port), which has threads of its own.
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(map(map(container, probe), "httpGet").get("port")).isEqualTo("management");
        }
        assertThat(list(container, "ports"))
                .anySatisfy(
                        p -> assertThat(p).containsEntry("containerPort", 8081).containsEntry("name", "management"));
        assertThat(map(map(container, "resources"), "requests")).containsKeys("cpu", "memory");
        assertThat(map(map(container, "resources"), "limits")).containsKey("memory");
    }

    @Test
    void runsAsTheImagesNonRootUserOnAReadOnlyRootWithAWritableTmp() throws IOException {
        Map<String, Object> pod = podSpec();
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertThat(podSecurity.get("runAsNonRoot")).isEqualTo(true);
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(Files.readString(Path.of("Dockerfile")));
        assertThat(user.find()).isTrue();
        assertThat(podSecurity.get("runAsUser")).isEqualTo(Integer.parseInt(user.group(1)));

        Map<String, Object> container = container();
        Map<String, Object> security = map(container, "securityContext");
        assertThat(security)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(list(container, "volumeMounts")).anySatisfy(m -> {
            assertThat(m.get("mountPath")).isEqualTo("/tmp");
            assertThat(list(pod, "volumes"))
                    .anySatisfy(v ->
                            assertThat(v).containsEntry("name", m.get("name")).containsKey("emptyDir"));
        });
    }

    @Test
    void wiresServiceConfigMapAndSecretByName() {
        Map<String, Object> container = container();
        assertThat(list(container, "ports"))
                .anySatisfy(
                        p -> assertThat(p).containsEntry("containerPort", 8080).containsEntry("name", "http"));
        Map<String, Object> service = byKind.get("Service").stream()
                .filter(s -> map(s, "metadata").get("name").equals("snowhook"))
                .findFirst()
                .orElseThrow();
        assertThat(list(map(service, "spec"), "ports").get(0)).containsEntry("targetPort", "http");
        assertThat(map(map(service, "spec"), "selector"))
                .isEqualTo(map(map(map(deployment(), "spec"), "selector"), "matchLabels"));

        List<String> secretKeys = new ArrayList<>();
        byKind.get("Secret").stream()
                .filter(s -> map(s, "metadata").get("name").equals("snowhook-secrets"))
                .forEach(s -> map(s, "stringData").keySet().forEach(secretKeys::add));
        assertThat(secretKeys).contains("SNOWHOOK_SECURITY_INTAKE_TOKEN", "SNOWHOOK_SECURITY_OPERATOR_TOKEN");
        assertThat(list(container, "envFrom"))
                .anySatisfy(e -> assertThat(map(e, "configMapRef").get("name"))
                        .isEqualTo(map(configMap(), "metadata").get("name")));
        assertThat(list(container, "envFrom"))
                .anySatisfy(e -> assertThat(map(e, "secretRef").get("name")).isEqualTo("snowhook-secrets"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({StorageProperties.class, WarehouseProperties.class})
    static class Bind {}

    @Test
    void configMapSettingsBindToSnowhooksProperties() {
        String json = (String) map(configMap(), "data").get("SPRING_APPLICATION_JSON");
        Map<String, Object> flat = new HashMap<>();
        flatten("", JsonMapper.shared().readValue(json, Object.class), flat);
        List<String> properties = flat.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList();

        new ApplicationContextRunner()
                .withUserConfiguration(Bind.class)
                .withPropertyValues(properties.toArray(String[]::new))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    StorageProperties storage = context.getBean(StorageProperties.class);
                    assertThat(storage.accounts()).singleElement().satisfies(a -> {
                        assertThat(a.credential()).isEqualTo("default");
                        assertThat(a.connectionString()).isNull();
                    });
                    assertThat(context.getBean(WarehouseProperties.class).type())
                            .isEqualTo("snowflake");
                    List<Route> routes = Binder.get(context.getEnvironment())
                            .bind("snowhook.routes", Bindable.listOf(Route.class))
                            .get();
                    assertThat(routes).extracting(Route::table).containsExactly("INVENTORY", "ORDERS");
                });
    }

    static void flatten(String prefix, @Nullable Object value, Map<String, Object> into) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> flatten(prefix.isEmpty() ? (String) k : prefix + "." + k, v, into));
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                flatten(prefix + "[" + i + "]", l.get(i), into);
            }
        } else {
            into.put(prefix, value);
        }
    }

    static Map<String, Object> one(String kind) {
        assertThat(byKind.get(kind)).as(kind).hasSize(1);
        return byKind.get(kind).get(0);
    }

    static Map<String, Object> deployment() {
        return one("Deployment");
    }

    static Map<String, Object> configMap() {
        return one("ConfigMap");
    }

    static Map<String, Object> podSpec() {
        return map(map(map(deployment(), "spec"), "template"), "spec");
    }

    static Map<String, Object> container() {
        return list(podSpec(), "containers").get(0);
    }

    static Object path(Map<String, Object> container, String probe) {
        return map(map(container, probe), "httpGet").get("path");
    }
}
