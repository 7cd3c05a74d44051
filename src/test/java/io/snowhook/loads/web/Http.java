package io.snowhook.loads.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the status API tests: every answer, 2xx or not, as status, headers and JSON. */
final class Http {

    record Reply(int status, HttpHeaders headers, JsonNode body) {}

    private final RestClient client;
    private final JsonMapper json = JsonMapper.builder().build();

    Http(int port) {
        this.client = RestClient.create("http://127.0.0.1:" + port);
    }

    Reply get(Function<UriBuilder, java.net.URI> uri) {
        return client.get()
                .uri(uri)
                .exchange((request, response) ->
                        reply(response.getStatusCode().value(), response.getHeaders(), response.getBody()));
    }

    Reply get(String path) {
        return client.get()
                .uri(path)
                .exchange((request, response) ->
                        reply(response.getStatusCode().value(), response.getHeaders(), response.getBody()));
    }

    /** The status of a GET whose answer is not JSON (a page, say). */
    int status(String path) {
        return client.get()
                .uri(path)
                .exchange((request, response) -> response.getStatusCode().value());
    }

    Reply post(String path, String body, MediaType type) {
        return client.post()
                .uri(path)
                .contentType(type)
                .body(body)
                .exchange((request, response) ->
                        reply(response.getStatusCode().value(), response.getHeaders(), response.getBody()));
    }

    Reply post(String path) {
        return client.post()
                .uri(path)
                .exchange((request, response) ->
                        reply(response.getStatusCode().value(), response.getHeaders(), response.getBody()));
    }

    Reply post(String path, java.util.Map<String, String> headers) {
        return client.post()
                .uri(path)
                .headers(h -> headers.forEach(h::set))
                .exchange((request, response) ->
                        reply(response.getStatusCode().value(), response.getHeaders(), response.getBody()));
    }

    private Reply reply(int status, HttpHeaders headers, InputStream body) throws IOException {
        byte[] bytes = body.readAllBytes();
        return new Reply(
                status,
                headers,
                bytes.length == 0 ? tools.jackson.databind.node.MissingNode.getInstance() : json.readTree(bytes));
    }
}
