package io.snowhook;

import static io.snowhook.support.YamlDocuments.list;
import static io.snowhook.support.YamlDocuments.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.blob.StorageProperties;
import io.snowhook.routing.Route;
import io.snowhook.support.YamlDocuments;
import io.snowhook.warehouse.WarehouseProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

/** The Kubernetes manifests in {@code deploy/}: the kinds a deployment needs, wired to each other and to the image. */
class DeployManifestsTest {

    static final Path DEPLOY = Path.of("deploy").toAbsolutePath();

    static Map<String, List<Map<String, Object>>> byKind;

    @BeforeAll
    static void load() throws IOException {
        byKind = new HashMap<>();
        try (Stream<Path> files = Files.list(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (Map<String, Object> manifest : YamlDocuments.read(file)) {
                    assertThat(manifest).as(file.getFileName().toString()).containsKeys("apiVersion", "kind");
                    byKind.computeIfAbsent((String) manifest.get("kind"), k -> new ArrayList<>())
                            .add(manifest);
                }
            }
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
