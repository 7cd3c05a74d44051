package io.snowhook.loads.web;

import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.loads.ledger.ReingestVersion;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The load status API: one load, filtered pages of loads, counts, and re-ingest. */
@RestController
@RequestMapping("/loads")
@Tag(name = "loads", description = "Load status and re-ingest")
class LoadsController {

    static final int MAX_PAGE_SIZE = 500;
    static final int DEFAULT_PAGE_SIZE = 50;
    static final String PROBLEM = "application/problem+json";
    static final String VERSION_DESCRIPTION = "same: the blob version of the earlier load (its eTag);"
            + " current: the blob as it is now, e.g. after a fixed file was uploaded again";

    /** The most failed loads one {@code POST /loads/reingest} re-ingests. */
    static final int MAX_BULK_REINGEST = 500;

    private final LoadService loads;
    private final DependencyHealth health;
    private final Clock clock;

    LoadsController(LoadService loads, DependencyHealth health, ObjectProvider<Clock> clock) {
        this.loads = loads;
        this.health = health;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @GetMapping("/{id}")
    @Operation(summary = "One load: its status, blob version, target table, rows and first error")
    @ApiResponse(responseCode = "200", description = "the load")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-parameter: the id is not a UUID",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "404",
            description = "load-not-found",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    LoadResponse load(
            @Parameter(description = "load id", schema = @Schema(type = "string", format = "uuid")) @PathVariable
                    String id) {
        return LoadResponse.of(loads.get(uuid(id)));
    }

    @GetMapping
    @Operation(summary = "Loads newest first, filtered by status, table, blob-name prefix and received time, paged")
    @ApiResponse(responseCode = "200", description = "one page of loads")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-parameter: the problem's parameter property names it",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    LoadListResponse list(
            @Parameter(
                            description = "load status (case-insensitive)",
                            schema = @Schema(implementation = LoadStatus.class))
                    @RequestParam(required = false)
                    @Nullable
                    String status,
            @Parameter(description = "target table (case-insensitive)") @RequestParam(required = false) @Nullable
                    String table,
            @Parameter(description = "blob-name prefix, taken literally") @RequestParam(required = false) @Nullable
                    String blob,
            @Parameter(
                            description = "received at or after this ISO-8601 instant, e.g. 2026-11-23T22:00:00Z",
                            schema = @Schema(type = "string", format = "date-time"))
                    @RequestParam(required = false)
                    @Nullable
                    String since,
            @Parameter(
                            description = "zero-based page number",
                            schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
                    @RequestParam(required = false)
                    @Nullable
                    String page,
            @Parameter(
                            description = "page size",
                            schema = @Schema(type = "integer", minimum = "1", maximum = "500", defaultValue = "50"))
                    @RequestParam(required = false)
                    @Nullable
                    String size) {
        return LoadListResponse.of(loads.find(
                status(status),
                blankToNull(table),
                blankToNull(blob),
                since(since),
                integer("page", page, 0, 0, Integer.MAX_VALUE),
                integer("size", size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)));
    }

    @GetMapping("/summary")
    @Operation(summary = "Counts of loads by status, overall and per target table")
    SummaryResponse summary() {
        return SummaryResponse.of(loads.summary());
    }

    @GetMapping("/stats")
    @Operation(
            summary = "The console's summary: counts by status and table, queue, warehouse and storage health,"
                    + " and the last hour minute by minute (loads finished, event-to-LOADED latency)")
    StatsResponse stats() {
        Instant now = clock.instant();
        return StatsResponse.of(now, loads.summary(), loads.stats(now), health.now());
    }

    @PostMapping("/{id}/reingest")
    @Operation(
            summary = "Queue a new load of the blob, referencing this one: of the same version (default), or of"
                    + " the blob as it is now (version=current); 409 while it is in progress")
    @ApiResponse(responseCode = "202", description = "the new load, QUEUED; Location: /loads/{its id}")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-parameter: the id is not a UUID",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "404",
            description = "load-not-found",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "409",
            description = "load-in-progress: the load is still QUEUED or LOADING",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "422",
            description = "no-route, or unknown-storage-account when its container is no longer configured",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<LoadResponse> reingest(
            @Parameter(description = "load id", schema = @Schema(type = "string", format = "uuid")) @PathVariable
                    String id,
            @Parameter(description = VERSION_DESCRIPTION, schema = @Schema(allowableValues = {"same", "current"}))
                    @RequestParam(required = false)
                    @Nullable
                    String version) {
        LoadResponse load = LoadResponse.of(loads.reingest(uuid(id), version(version)));
        return ResponseEntity.accepted().location(location(load)).body(load);
    }

    @PostMapping("/reingest")
    @Operation(
            summary = "Re-ingest every FAILED load of a table received since a time (at most 500 per call; more"
                    + " says whether to call again); failed loads no longer the newest load of their blob are skipped")
    @ApiResponse(responseCode = "202", description = "the loads queued and the failed loads skipped")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-parameter: table or since missing or invalid, or version unknown",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<BulkReingestResponse> reingestFailed(
            @Parameter(description = "target table (case-insensitive)", required = true)
                    @RequestParam(required = false)
                    @Nullable
                    String table,
            @Parameter(
                            description = "failed loads received at or after this ISO-8601 instant",
                            required = true,
                            schema = @Schema(type = "string", format = "date-time"))
                    @RequestParam(required = false)
                    @Nullable
                    String since,
            @Parameter(description = VERSION_DESCRIPTION, schema = @Schema(allowableValues = {"same", "current"}))
                    @RequestParam(required = false)
                    @Nullable
                    String version) {
        String name = blankToNull(table);
        if (name == null) {
            throw new InvalidParameter("table", "is required: the table whose failed loads to re-ingest");
        }
        Instant from = since(since);
        if (from == null) {
            throw new InvalidParameter("since", "is required: an ISO-8601 instant, e.g. 2026-11-23T22:00:00Z");
        }
        return ResponseEntity.accepted()
                .body(BulkReingestResponse.of(
                        loads.reingestFailed(name.trim(), from, version(version), MAX_BULK_REINGEST)));
    }

    private static ReingestVersion version(@Nullable String version) {
        if (blankToNull(version) == null) {
            return ReingestVersion.SAME;
        }
        try {
            return ReingestVersion.valueOf(version.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameter("version", "must be same or current");
        }
    }

    static URI location(LoadResponse load) {
        return URI.create("/loads/" + load.id());
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameter("id", "must be a load id (a UUID)");
        }
    }

    private static @Nullable LoadStatus status(@Nullable String status) {
        if (blankToNull(status) == null) {
            return null;
        }
        try {
            return LoadStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameter("status", "must be one of " + Arrays.toString(LoadStatus.values()));
        }
    }

    private static @Nullable Instant since(@Nullable String since) {
        if (blankToNull(since) == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(since.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidParameter("since", "must be an ISO-8601 instant, e.g. 2026-11-23T22:00:00Z");
        }
    }

    private static int integer(String name, @Nullable String value, int absent, int min, int max) {
        if (blankToNull(value) == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below, like an integer out of range
        }
        throw new InvalidParameter(
                name,
                max == Integer.MAX_VALUE
                        ? "must be an integer >= " + min
                        : "must be an integer from " + min + " to " + max);
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
