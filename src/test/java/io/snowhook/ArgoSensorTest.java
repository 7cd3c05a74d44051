package io.snowhook;

import static io.snowhook.support.YamlDocuments.list;
import static io.snowhook.support.YamlDocuments.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.SnowhookTest;
import io.snowhook.support.YamlDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code argo-sensor.yaml}: an EventSource and a Sensor that validate against the Argo Events schema with no
 * field the schema does not define, and whose HTTP trigger — body built from its {@code payload} the way the
 * Sensor builds it, headers from its {@code headers} and {@code secureHeaders} — gets a 202 from snowhook.
 */
@SnowhookTest
@TestPropertySource(properties = {SnowhookTest.NO_WORKERS, SnowhookTest.CREDENTIALS})
class ArgoSensorTest {

    static final String INTAKE_TOKEN = SnowhookTest.INTAKE_TOKEN;
    static final String SCHEMA = "shared/schemas/argo-events-v1.9.11.schema.json";
    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final JsonMapper JSON = JsonMapper.shared();

    static List<Map<String, Object>> documents;

    @Autowired
    MockMvcTester mvc;

    @BeforeAll
    static void load() throws IOException {
        documents = YamlDocuments.read(PROJECT.resolve("argo-sensor.yaml"));
    }

    @Test
    void holdsAnEventSourceAndASensor() {
        assertThat(documents).extracting(d -> d.get("kind")).containsExactly("EventSource", "Sensor");
        assertThat(documents).allSatisfy(d -> assertThat(d.get("apiVersion")).isEqualTo("argoproj.io/v1alpha1"));
    }

    @Test
    void validatesAgainstTheArgoEventsSchemaWithNoUndefinedField() throws IOException {
        for (Map<String, Object> document : documents) {
            List<Error> errors = strictSchemaFor((String) document.get("kind")).validate(JSON.valueToTree(document));
            assertThat(errors).as("%s against %s", document.get("kind"), SCHEMA).isEmpty();
        }
    }

    @Test
    void strictValidationCatchesAFieldTheSchemaDoesNotDefine() throws IOException {
        Map<String, Object> sensor =
                YamlDocuments.read(PROJECT.resolve("argo-sensor.yaml")).get(1);
        map(list(map(sensor, "spec"), "triggers").get(0), "template").put("retries", 3);
        ObjectNode http = (ObjectNode) JSON.valueToTree(sensor).at("/spec/triggers/0/template/http");

        List<Error> unknownField = strictSchemaFor("Sensor").validate(JSON.valueToTree(sensor));
        assertThat(unknownField).anySatisfy(e -> assertThat(e.toString()).contains("retries"));
        assertThat(http.has("payload")).isTrue();
    }

    @Test
    void pinsArgoV195AndDocumentsTheAzureEventsHubDefects() throws IOException {
        String text = Files.readString(PROJECT.resolve("argo-sensor.yaml"));
        assertThat(text).contains("v1.9.5", "3595", "$Default", "checkpoint");
    }

    @Test
    void retriesAtLeastOnceAndCountsOnly202AsSuccess() {
        Map<String, Object> trigger =
                list(map(documents.get(1), "spec"), "triggers").get(0);
        assertThat(trigger.get("atLeastOnce")).isEqualTo(true);
        assertThat(map(trigger, "retryStrategy")).containsKeys("steps", "duration", "factor");
        assertThat(map(map(trigger, "policy"), "status").get("allow")).isEqualTo(List.of(202));
    }

    @Test
    void triggerPostsABodySnowhookAccepts() throws IOException {
        Map<String, Object> sensor = documents.get(1);
        Map<String, Object> trigger = list(map(sensor, "spec"), "triggers").get(0);
        Map<String, Object> http = map(map(trigger, "template"), "http");
        assertThat(http.get("url")).asString().endsWith("/events");
        assertThat(http.getOrDefault("method", "POST")).isEqualTo("POST");

        // One Event Hubs message from Event Grid, as the EventSource turns it into an Argo event.
        ArgoEvents.StorageEvent blob = ArgoEvents.blobCreated(
                        "devstoreaccount1", "factory-uploads", "orders/f1/2026-11-23.csv")
                .withUrlBase(ArgoEvents.azuriteUrlBase(AzuriteServer.shared().port(), "devstoreaccount1"))
                .withETag("0x8DCB1234567890A")
                .withContentLength(2048);
        String argoEvent = ArgoEvents.argoWholeEvent(blob);
        List<String> dependencies = list(map(sensor, "spec"), "dependencies").stream()
                .map(d -> (String) d.get("name"))
                .toList();

        byte[] body = payload(list(http, "payload"), dependencies, argoEvent);

        var request = mvc.post().uri("/events").content(body);
        map(http, "headers").forEach((name, value) -> request.header(name, (String) value));
        for (Map<String, Object> secure : list(http, "secureHeaders")) {
            Map<String, Object> ref = map(map(secure, "valueFrom"), "secretKeyRef");
            request.header((String) secure.get("name"), secretValue((String) ref.get("name"), (String) ref.get("key")));
        }
        MvcTestResult result = request.exchange();

        assertThat(result).hasStatus(HttpStatus.ACCEPTED);
        assertThat(result)
                .bodyJson()
                .extractingPath("$.loads[0].blob")
                .asString()
                .contains("orders/f1/2026-11-23.csv");
    }

    /**
     * The HTTP trigger's body, built as Argo's {@code ConstructPayload} does: start from nothing, resolve each
     * parameter's source and set it at {@code dest} as a string. A source naming only the dependency resolves
     * to the whole event (context and data) as JSON; {@code dataKey} to that key of the event's data.
     */
    static byte[] payload(List<Map<String, Object>> parameters, List<String> dependencies, String argoEvent) {
        ObjectNode body = JSON.createObjectNode();
        JsonNode event = JSON.readTree(argoEvent);
        for (Map<String, Object> parameter : parameters) {
            Map<String, Object> src = map(parameter, "src");
            assertThat(dependencies).contains((String) src.get("dependencyName"));
            String dest = (String) parameter.get("dest");
            assertThat(dest)
                    .as("a non-empty dest (an empty one needs Argo v1.9.8+)")
                    .isNotBlank();
            assertThat(src).doesNotContainKeys("dataTemplate", "contextTemplate", "contextKey");
            String value;
            if (src.get("dataKey") instanceof String key) {
                JsonNode data = JSON.readTree(
                        java.util.Base64.getDecoder().decode(event.get("data").asString()));
                value = data.at("/" + key.replace('.', '/')).asString();
            } else {
                value = argoEvent;
            }
            ObjectNode target = body;
            String[] path = dest.split("\\.");
            for (int i = 0; i < path.length - 1; i++) {
                target = target.has(path[i]) ? (ObjectNode) target.get(path[i]) : target.putObject(path[i]);
            }
            target.put(path[path.length - 1], value);
        }
        return JSON.writeValueAsBytes(body);
    }

    /** The value the Sensor's secret holds: its template, with the token this test configures. */
    static String secretValue(String secret, String key) throws IOException {
        Map<String, Object> template = YamlDocuments.read(PROJECT.resolve("deploy/examples/argo-secrets.yaml")).stream()
                .filter(d -> d.get("kind").equals("Secret")
                        && map(d, "metadata").get("name").equals(secret))
                .findFirst()
                .orElseThrow(() -> new AssertionError("deploy/examples/argo-secrets.yaml has no Secret " + secret));
        String value = (String) map(template, "stringData").get(key);
        assertThat(value).as("the secure header's value").startsWith("Bearer ");
        return value.replace("CHANGE-ME", INTAKE_TOKEN);
    }

    /**
     * The schema of one kind, made strict: every object schema that lists its properties but says nothing
     * about others gets {@code additionalProperties: false} — the Argo schema leaves it open, and the CRDs
     * would silently drop a misspelt field. ({@code kubeconform -strict} does the same.)
     */
    static Schema strictSchemaFor(String kind) throws IOException {
        Path file = schemaFile().orElse(null);
        assumeTrue(
                file != null,
                () -> SCHEMA + " not found beside the project or any parent folder of " + PROJECT
                        + ": the Argo Events schema check is skipped");
        ObjectNode schema = (ObjectNode) JSON.readTree(file.toFile());
        ObjectNode definitions = (ObjectNode) schema.get("definitions");
        for (JsonNode definition : definitions) {
            forbidUndefinedProperties(definition);
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("definitions", definitions);
        root.putArray("allOf").addObject().put("$ref", "#/definitions/io.argoproj.events.v1alpha1." + kind);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(root);
    }

    static void forbidUndefinedProperties(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        if (node.has("properties")) {
            if (!node.has("additionalProperties")) {
                node.put("additionalProperties", false);
            }
            for (JsonNode property : node.get("properties")) {
                forbidUndefinedProperties(property);
            }
        }
        forbidUndefinedProperties(node.get("items"));
        forbidUndefinedProperties(node.get("additionalProperties"));
    }

    /** CI lays shared/ beside the repository; a worktree may sit deeper, so every parent folder is tried. */
    static Optional<Path> schemaFile() {
        for (Path dir = PROJECT.getParent(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SCHEMA);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
