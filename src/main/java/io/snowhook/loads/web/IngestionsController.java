package io.snowhook.loads.web;

import io.snowhook.loads.ledger.LoadService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /ingestions}: an operator queues a load of a blob by its URL. */
@RestController
@Tag(name = "loads", description = "Load status and re-ingest")
class IngestionsController {

    private final LoadService loads;
    private final JsonMapper json;

    IngestionsController(LoadService loads, JsonMapper json) {
        this.loads = loads;
        this.json = json;
    }

    /**
     * The body is read as text and parsed here, so that a missing or non-JSON Content-Type and a malformed
     * body both get this API's own 400 problem. (A form Content-Type still mangles it: the servlet container
     * parses form bodies as parameters.)
     */
    @PostMapping("/ingestions")
    @Operation(
            summary = "Queue a load of the blob at a URL (the storage allow-list applies)",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = IngestionRequest.class))))
    @ApiResponse(responseCode = "202", description = "the new load, QUEUED; Location: /loads/{its id}")
    @ApiResponse(
            responseCode = "400",
            description = "invalid-request (the body is not {\"url\": \"...\"}) or invalid-blob-url",
            content =
                    @Content(
                            mediaType = LoadsController.PROBLEM,
                            schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "409",
            description = "load-in-progress: the blob's newest load is still QUEUED or LOADING",
            content =
                    @Content(
                            mediaType = LoadsController.PROBLEM,
                            schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "422",
            description = "unknown-storage-account, untrusted-blob-url or no-route",
            content =
                    @Content(
                            mediaType = LoadsController.PROBLEM,
                            schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<LoadResponse> ingest(@RequestBody(required = false) @Nullable String body) {
        LoadResponse load = LoadResponse.of(loads.ingest(url(body)));
        return ResponseEntity.accepted()
                .location(LoadsController.location(load))
                .body(load);
    }

    private URI url(@Nullable String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidIngestionRequest("the body is empty");
        }
        IngestionRequest request;
        try {
            request = json.readValue(body, IngestionRequest.class);
        } catch (JacksonException e) {
            throw new InvalidIngestionRequest("the body is not a JSON object with a string url");
        }
        if (request == null || request.url() == null || request.url().isBlank()) {
            throw new InvalidIngestionRequest("url is missing");
        }
        try {
            return new URI(request.url().trim());
        } catch (URISyntaxException e) {
            throw new InvalidIngestionRequest("url is not a valid URI");
        }
    }
}
