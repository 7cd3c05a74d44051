package io.snowhook.intake;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One storage event found inside a request, still as JSON, with the schema it is written in and where
 * in the request it was found (for error messages).
 */
record RawEvent(JsonNode node, Schema schema, String path) {

    /** The two schemas Event Grid publishes; they differ only in the names of a few fields. */
    enum Schema {
        EVENT_GRID("eventType", "topic", "eventTime"),
        CLOUD_EVENTS("type", "source", "time");

        final String typeField;
        final String topicField;
        final String timeField;

        Schema(String typeField, String topicField, String timeField) {
            this.typeField = typeField;
            this.topicField = topicField;
            this.timeField = timeField;
        }
    }

    /** Where {@code field} (a pointer relative to the event, e.g. {@code data/url}) is in the request. */
    String pointer(String field) {
        return path + "/" + field;
    }

    @Nullable
    String type() {
        JsonNode type = node.get(schema.typeField);
        return type != null && type.isString() ? type.asString() : null;
    }
}
