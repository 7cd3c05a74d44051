package io.snowhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.support.SnowhookTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code openapi/snowhook.yaml} is the API contract: the running service's springdoc document must agree
 * with it on every path, method, parameter, request body, response status and schema. Prose (descriptions,
 * summaries, examples, tags, info, servers) may differ; so may key order and formatting.
 */
@SnowhookTest
@TestPropertySource(properties = SnowhookTest.NO_WORKERS)
class OpenApiContractTest {

    static final Path CONTRACT = Path.of("openapi/snowhook.yaml");
    static final Path SERVED = Path.of("target/openapi-served.yaml");
    static final JsonMapper JSON = JsonMapper.shared();

    /** Prose and metadata: not part of the contract. */
    static final Set<String> PROSE =
            Set.of("description", "summary", "example", "examples", "externalDocs", "tags", "operationId", "title");

    @Autowired
    MockMvcTester mvc;

    @Test
    void servedDocumentMatchesTheContract() throws IOException {
        MvcTestResult result = mvc.get().uri("/v3/api-docs").exchange();
        assertThat(result).hasStatusOk();
        JsonNode served = JSON.readTree(result.getResponse().getContentAsByteArray());
        writeYaml(served, SERVED);

        JsonNode contract =
                JSON.valueToTree(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(CONTRACT)));

        List<String> differences = new ArrayList<>();
        compare(
                "/paths",
                normalize(contract.path("paths"), "paths"),
                normalize(served.path("paths"), "paths"),
                differences);
        compare(
                "/components/schemas",
                normalize(contract.path("components").path("schemas"), "schemas"),
                normalize(served.path("components").path("schemas"), "schemas"),
                differences);
        assertThat(differences)
                .as("%s disagrees with the service's /v3/api-docs (written to %s)", CONTRACT, SERVED)
                .isEmpty();
    }

    @Test
    void contractDescribesTheEndpointsOfEveryFeature() throws IOException {
        JsonNode contract =
                JSON.valueToTree(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(CONTRACT)));
        assertThat(contract.path("paths").propertyNames())
                .contains(
                        "/events",
                        "/loads",
                        "/loads/{id}",
                        "/loads/summary",
                        "/loads/{id}/reingest",
                        "/ingestions",
                        "/sweeps",
                        "/sweeps/{id}");
        assertThat(contract.path("paths")
                        .path("/events")
                        .path("post")
                        .path("responses")
                        .propertyNames())
                .contains("202", "400", "413", "422");
    }

    /** Maps whose keys are names (a property called "description" is not prose). */
    static final Set<String> NAMED = Set.of("properties", "schemas", "paths", "responses", "content", "headers");

    static JsonNode normalize(JsonNode node) {
        return normalize(node, "");
    }

    /** Drops prose, and sorts what is a set in OpenAPI (required names, parameters by location and name). */
    static JsonNode normalize(JsonNode node, String key) {
        if (node instanceof ObjectNode object) {
            ObjectNode normalized = JSON.createObjectNode();
            for (String name : new TreeSet<>(object.propertyNames())) {
                if (PROSE.contains(name) && !NAMED.contains(key)) {
                    continue;
                }
                JsonNode value = normalize(object.get(name), name);
                if (name.equals("required") && value.isArray()) {
                    value = sorted((ArrayNode) value, Comparator.comparing(JsonNode::asString));
                } else if (name.equals("parameters") && value.isArray()) {
                    value = sorted(
                            (ArrayNode) value,
                            Comparator.comparing((JsonNode p) -> p.path("in").asString(""))
                                    .thenComparing(p -> p.path("name").asString("")));
                }
                normalized.set(name, value);
            }
            return normalized;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode normalized = JSON.createArrayNode();
            array.forEach(element -> normalized.add(normalize(element, key)));
            return normalized;
        }
        return node;
    }

    static ArrayNode sorted(ArrayNode array, Comparator<JsonNode> order) {
        ArrayNode sorted = JSON.createArrayNode();
        StreamSupport.stream(array.spliterator(), false).sorted(order).forEach(sorted::add);
        return sorted;
    }

    /** Every difference, as a JSON pointer and what each side has. */
    static void compare(String at, JsonNode contract, JsonNode served, List<String> differences) {
        if (contract instanceof ObjectNode c && served instanceof ObjectNode s) {
            Set<String> names = new TreeSet<>(c.propertyNames());
            names.addAll(s.propertyNames());
            for (String name : names) {
                String here = at + "/" + name.replace("~", "~0").replace("/", "~1");
                if (!c.has(name)) {
                    differences.add(here + ": served, not in the contract");
                } else if (!s.has(name)) {
                    differences.add(here + ": in the contract, not served");
                } else {
                    compare(here, c.get(name), s.get(name), differences);
                }
            }
        } else if (contract instanceof ArrayNode c && served instanceof ArrayNode s && c.size() == s.size()) {
            for (int i = 0; i < c.size(); i++) {
                compare(at + "/" + i, c.get(i), s.get(i), differences);
            }
        } else if (!contract.equals(served)) {
            differences.add(at + ": contract " + contract + ", served " + served);
        }
    }

    static void writeYaml(JsonNode document, Path file) throws IOException {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(120);
        Files.createDirectories(file.getParent());
        Files.writeString(
                file, new Yaml(new Representer(options), options).dump(JSON.treeToValue(document, Object.class)));
    }
}
