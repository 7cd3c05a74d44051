package io.snowhook.intake;

import io.snowhook.intake.RawEvent.Schema;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Unwraps a {@code POST /events} request down to the storage events it carries, whatever the envelope:
 * Argo's whole event ({@code context} + base64 {@code data}, whose {@code body} is base64 again), Argo's
 * {@code {"event": "<escaped JSON>"}} and {@code {"body": "<base64>"}}, a plain Event Grid event or array,
 * CloudEvents structured, batch and binary mode ({@code ce-*} headers).
 *
 * <p>The shape is recognised from the body itself, never from the Content-Type: Argo's HTTP trigger
 * sends none. This is hand-written on Jackson because no library knows Argo's envelopes, and the
 * CloudEvents SDK would add a second Jackson generation for what is here a few field lookups.
 */
@Component
class Envelopes {

    /** Argo's deepest real nesting is five levels (object → data → body → array → event). */
    private static final int MAX_DEPTH = 10;

    private static final List<String> BINARY_MODE_ATTRIBUTES =
            List.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype");

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final JsonMapper json;

    Envelopes(JsonMapper json) {
        this.json = json;
    }

    /**
     * @throws InvalidEvent when the body is empty, is not JSON, or holds no recognisable storage event
     */
    List<RawEvent> unwrap(byte[] body, HttpHeaders headers) {
        if (headers.getFirst("ce-specversion") != null) {
            return List.of(binaryMode(body, headers));
        }
        if (isBlank(body)) {
            throw new InvalidEvent("", "The request body is empty; expected a storage event.");
        }
        List<RawEvent> events = new ArrayList<>();
        collect(parse(body, ""), "", 0, events);
        if (events.isEmpty()) {
            throw new InvalidEvent("", "The request holds no storage event (an empty array).");
        }
        return events;
    }

    private void collect(JsonNode node, String path, int depth, List<RawEvent> events) {
        if (depth > MAX_DEPTH) {
            throw new InvalidEvent(path, "envelopes are nested too deeply.");
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), path + "/" + i, depth + 1, events);
            }
        } else if (node.isString()) {
            Embedded embedded = embedded(node.asString(), path);
            collect(embedded.node(), embedded.path(), depth + 1, events);
        } else if (!node.isObject()) {
            throw new InvalidEvent(
                    path.isEmpty() ? "/" : path, "expected a JSON object or array, found " + describe(node) + ".");
        } else if (node.has("specversion")) {
            events.add(new RawEvent(node, Schema.CLOUD_EVENTS, path));
        } else if (node.has("eventType")) {
            events.add(new RawEvent(node, Schema.EVENT_GRID, path));
        } else if (node.has("context") && node.has("data")) {
            // Argo's whole event: Argo's own CloudEvent context, then the event-source data (base64).
            collect(node.get("data"), path + "/data", depth + 1, events);
        } else if (node.has("event")) {
            collect(node.get("event"), path + "/event", depth + 1, events);
        } else if (node.has("body")) {
            // Argo's payload with dataKey body, or the azureEventsHub event-source data itself.
            collect(node.get("body"), path + "/body", depth + 1, events);
        } else {
            throw new InvalidEvent(
                    path.isEmpty() ? "/" : path,
                    "no storage event found: expected an Event Grid or CloudEvents event (or an array of them),"
                            + " or an Argo envelope with context+data, event or body.");
        }
    }

    private record Embedded(JsonNode node, String path) {}

    /**
     * A string inside an envelope holds either JSON text ({@code event}) or base64 of JSON ({@code data},
     * {@code body} — Go's encoding of {@code []byte}).
     */
    private Embedded embedded(String text, String path) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidEvent(path, "is an empty string; expected JSON or base64 of JSON.");
        }
        char first = trimmed.charAt(0);
        if (first == '{' || first == '[') {
            return new Embedded(parse(trimmed.getBytes(StandardCharsets.UTF_8), path), path);
        }
        byte[] decoded = base64(trimmed);
        if (decoded == null) {
            throw new InvalidEvent(path, "is neither JSON nor base64 of JSON.");
        }
        String decodedPath = path + "(base64)";
        if (isBlank(decoded)) {
            throw new InvalidEvent(decodedPath, "decodes to nothing; expected a storage event.");
        }
        return new Embedded(parse(decoded, decodedPath), decodedPath);
    }

    /** Standard or URL-safe alphabet; line breaks (as some encoders wrap) are ignored, nothing else is. */
    private static byte @Nullable [] base64(String text) {
        // Argo's (Go's) base64 has no line breaks: the regex runs only when there is whitespace to drop
        String compact = hasWhitespace(text) ? WHITESPACE.matcher(text).replaceAll("") : text;
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException notStandard) {
            try {
                return Base64.getUrlDecoder().decode(compact);
            } catch (IllegalArgumentException notUrlSafe) {
                return null;
            }
        }
    }

    /** Whether {@link #WHITESPACE} ({@code \\s}: space, tab, line feed, vertical tab, form feed, return) occurs. */
    private static boolean hasWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                return true;
            }
        }
        return false;
    }

    /** CloudEvents binary mode: the context attributes are {@code ce-*} headers, the body is {@code data}. */
    private RawEvent binaryMode(byte[] body, HttpHeaders headers) {
        ObjectNode event = json.createObjectNode();
        for (String attribute : BINARY_MODE_ATTRIBUTES) {
            String value = headers.getFirst("ce-" + attribute);
            if (value != null) {
                event.put(attribute, percentDecoded(value, "ce-" + attribute));
            }
        }
        if (!isBlank(body)) {
            event.set("data", parse(body, "/data"));
        }
        return new RawEvent(event, Schema.CLOUD_EVENTS, "");
    }

    /** The CloudEvents HTTP binding percent-encodes header values; '+' stays a plus. */
    private static String percentDecoded(String value, String header) {
        try {
            return UriUtils.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidEvent("header " + header, "is not validly percent-encoded.");
        }
    }

    private JsonNode parse(byte[] bytes, String path) {
        String text;
        try {
            // Strict UTF-8 first: Jackson's byte parser would read an overlong form (C0 AF) as the character it
            // spells ('/'), smuggling it past every check of the decoded text.
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidEvent(path.isEmpty() ? "/" : path, "is not valid UTF-8 (" + e.getMessage() + ").");
        }
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new InvalidEvent(path.isEmpty() ? "/" : path, "is not valid JSON" + where + ".");
        }
    }

    private static String describe(JsonNode node) {
        return node.isNull() ? "null" : "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
