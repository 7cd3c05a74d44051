package io.snowhook.support;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' own schemas of the kinds snowhook ships, of one Kubernetes version, vendored as data in
 * {@code src/test/resources/kubernetes-schemas/} (source and derivation in the README there). Strict: an
 * object with a field its kind does not define (a typo) fails, as does a value of the wrong type.
 */
public final class KubernetesSchemas {

    /** The Kubernetes version the vendored schemas are of. */
    public static final String VERSION = "v1.32";

    private static final String RESOURCE = "/kubernetes-schemas/" + VERSION + "/definitions.json";
    private static final JsonMapper JSON = JsonMapper.shared();

    private final ObjectNode definitions;
    private final Map<String, String> definitionByKind = new HashMap<>();
    private final Map<String, Schema> schemas = new HashMap<>();

    private KubernetesSchemas(ObjectNode definitions) {
        this.definitions = definitions;
        for (Map.Entry<String, JsonNode> definition : definitions.properties()) {
            JsonNode gvks = definition.getValue().get("x-kubernetes-group-version-kind");
            if (gvks != null && definition.getValue().has("properties")) {
                for (JsonNode gvk : gvks) {
                    String group = gvk.get("group").asString();
                    String apiVersion = (group.isEmpty() ? "" : group + "/")
                            + gvk.get("version").asString();
                    definitionByKind.put(apiVersion + " " + gvk.get("kind").asString(), definition.getKey());
                }
            }
        }
    }

    public static KubernetesSchemas load() {
        try (InputStream in = KubernetesSchemas.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test class path");
            }
            return new KubernetesSchemas((ObjectNode) JSON.readTree(in).get("definitions"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with one object, one line per error naming the field ({@code $.spec.…}); empty when it is
     * valid. An object of a kind without a vendored schema is an error too.
     */
    public List<String> validate(Map<String, Object> object) {
        String key = object.get("apiVersion") + " " + object.get("kind");
        String definition = definitionByKind.get(key);
        if (definition == null) {
            return List.of(key + ": no Kubernetes " + VERSION + " schema vendored for this kind (see " + RESOURCE
                    + " and the README beside it)");
        }
        List<Error> errors = schemas.computeIfAbsent(definition, this::schema).validate(JSON.valueToTree(object));
        return errors.stream()
                .map(e -> key + " " + nameOf(object) + " at " + e.getInstanceLocation() + ": " + e.getMessage())
                .toList();
    }

    private Schema schema(String definition) {
        ObjectNode root = JSON.createObjectNode();
        root.set("definitions", definitions);
        root.putArray("allOf").addObject().put("$ref", "#/definitions/" + definition);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(root);
    }

    private static Object nameOf(Map<String, Object> object) {
        return object.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("name") : "(unnamed)";
    }
}
