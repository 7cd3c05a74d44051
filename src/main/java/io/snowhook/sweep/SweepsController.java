package io.snowhook.sweep;

import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.system.PayloadTooLarge;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /sweeps}, {@code GET /sweeps}, {@code GET /sweeps/{id}}: reconciliation on demand and its progress. */
@RestController
@RequestMapping("/sweeps")
@Tag(name = "sweeps", description = "Reconciliation: find and load blobs whose events never arrived")
class SweepsController {

    static final String PROBLEM = "application/problem+json";
    private static final Set<String> FIELDS = Set.of("account", "container", "prefix", "modifiedSince");
    private static final int DEFAULT_PAGE_SIZE = 20;
    private static final int MAX_PAGE_SIZE = 500;

    private final SweepService sweeps;
    private final LoadService loads;
    private final SweepProperties properties;
    private final JsonMapper json;

    SweepsController(SweepService sweeps, LoadService loads, SweepProperties properties, JsonMapper json) {
        this.sweeps = sweeps;
        this.loads = loads;
        this.properties = properties;
        this.json = json;
    }

    /**
     * The body is read raw, within {@code snowhook.sweep.max-body-size}, and parsed here, so that a missing
     * Content-Type, an empty body and a malformed one each get this API's own answer.
     */
    @PostMapping
    @Operation(
            summary = "Sweep a container now: record a load for every routed blob version without one",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content =
                                    @Content(
                                            mediaType = "application/json",
                                            schema = @Schema(implementation = SweepRequest.class))))
    @ApiResponse(responseCode = "201", description = "the sweep, RUNNING; Location: /sweeps/{its id}")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-request: the problem's field property names what is wrong",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "409",
            description = "sweep-running: a sweep of the container is still running (its id is sweepId)",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "413",
            description = "payload-too-large: the body exceeds snowhook.sweep.max-body-size",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "422",
            description = "unknown-storage-account: the account or container is not configured",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<SweepResponse> create(HttpServletRequest request) throws IOException {
        SweepResponse sweep = response(sweeps.request(parse(read(request))));
        return ResponseEntity.created(URI.create("/sweeps/" + sweep.id())).body(sweep);
    }

    @GetMapping
    @Operation(summary = "Sweeps newest first, with their progress, paged")
    @ApiResponse(responseCode = "200", description = "one page of sweeps")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-request: the problem's field property names the parameter",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    SweepListResponse list(
            @Parameter(
                            description = "zero-based page number",
                            schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
                    @RequestParam(required = false)
                    @Nullable
                    String page,
            @Parameter(
                            description = "page size",
                            schema = @Schema(type = "integer", minimum = "1", maximum = "500", defaultValue = "20"))
                    @RequestParam(required = false)
                    @Nullable
                    String size) {
        int p = integer("page", page, 0, 0, Integer.MAX_VALUE);
        int s = integer("size", size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        List<Sweep> found = sweeps.page(p, s);
        Map<UUID, Map<LoadStatus, Long>> counts =
                loads.countBySweep(found.stream().map(Sweep::id).toList());
        return new SweepListResponse(
                found.stream()
                        .map(sweep -> SweepResponse.of(sweep, byName(counts.get(sweep.id()))))
                        .toList(),
                p,
                s,
                sweeps.count());
    }

    @GetMapping("/{id}")
    @Operation(summary = "One sweep and its progress")
    @ApiResponse(responseCode = "200", description = "the sweep")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-request: the id is not a UUID",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "404",
            description = "sweep-not-found",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    SweepResponse get(
            @Parameter(description = "sweep id", schema = @Schema(type = "string", format = "uuid")) @PathVariable
                    String id) {
        return response(sweeps.get(uuid(id)));
    }

    private SweepResponse response(Sweep sweep) {
        return SweepResponse.of(
                sweep, byName(loads.countBySweep(List.of(sweep.id())).get(sweep.id())));
    }

    private static Map<String, Long> byName(@Nullable Map<LoadStatus, Long> counts) {
        Map<String, Long> named = new HashMap<>();
        if (counts != null) {
            counts.forEach((status, n) -> named.put(status.name(), n));
        }
        return named;
    }

    /** Reads the body whole, but never more than the limit: a larger declared length is refused unread. */
    private byte[] read(HttpServletRequest request) throws IOException {
        long max = properties.maxBodySize().toBytes();
        if (request.getContentLengthLong() > max) {
            throw new PayloadTooLarge(properties.maxBodySize());
        }
        InputStream in = request.getInputStream();
        byte[] body = in.readNBytes((int) max + 1);
        if (body.length > max) {
            throw new PayloadTooLarge(properties.maxBodySize());
        }
        return body;
    }

    private SweepService.Request parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return new SweepService.Request(null, null, null, null);
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidSweepRequest("body", "is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidSweepRequest("body", "must be a JSON object");
        }
        for (String name : node.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new InvalidSweepRequest(name, "is not a field of a sweep request (" + FIELDS + ")");
            }
        }
        String since = text(node, "modifiedSince", 64);
        Instant modifiedSince = null;
        if (since != null) {
            try {
                modifiedSince = Instant.parse(since);
            } catch (DateTimeParseException e) {
                throw new InvalidSweepRequest(
                        "modifiedSince", "must be an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z");
            }
        }
        return new SweepService.Request(
                text(node, "account", 64), text(node, "container", 64), text(node, "prefix", 1024), modifiedSince);
    }

    private static @Nullable String text(JsonNode node, String field, int max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new InvalidSweepRequest(field, "must be a string");
        }
        String text = value.asString();
        if (text.isEmpty() && !field.equals("prefix")) {
            throw new InvalidSweepRequest(field, "must not be empty");
        }
        if (text.length() > max) {
            throw new InvalidSweepRequest(field, "must be at most " + max + " characters");
        }
        return text;
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidSweepRequest("id", "must be a sweep id (a UUID)");
        }
    }

    private static int integer(String name, @Nullable String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidSweepRequest(name, "must be an integer from " + min + " to " + max);
    }
}
