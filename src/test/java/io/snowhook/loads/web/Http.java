package io.snowhook.loads.web;

import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.web.util.UriBuilder;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * A small client for the status API slice tests, through {@link MockMvc} (the web layer and the real
 * ledger, no server): every answer, 2xx or not, as status, headers and JSON.
 */
final class Http {

    record Reply(int status, HttpHeaders headers, JsonNode body) {}

    private final MockMvc mvc;
    private final JsonMapper json = JsonMapper.builder().build();

    Http(MockMvc mvc) {
        this.mvc = mvc;
    }

    Reply get(Function<UriBuilder, java.net.URI> uri) {
        return exchange(MockMvcRequestBuilders.get(uri.apply(UriComponentsBuilder.newInstance())));
    }

    Reply get(String path) {
        return exchange(MockMvcRequestBuilders.get(path));
    }

    /** The status of a GET whose answer is not JSON (a page, say). */
    int status(String path) {
        try {
            return mvc.perform(MockMvcRequestBuilders.get(path))
                    .andReturn()
                    .getResponse()
                    .getStatus();
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e.getMessage(), e);
        }
    }

    Reply post(String path, String body, MediaType type) {
        return exchange(MockMvcRequestBuilders.post(path).contentType(type).content(body));
    }

    Reply post(String path) {
        return exchange(MockMvcRequestBuilders.post(path));
    }

    Reply post(String path, java.util.Map<String, String> headers) {
        var request = MockMvcRequestBuilders.post(path);
        headers.forEach(request::header);
        return exchange(request);
    }

    private Reply exchange(RequestBuilder request) {
        try {
            MockHttpServletResponse response = mvc.perform(request).andReturn().getResponse();
            HttpHeaders headers = new HttpHeaders();
            response.getHeaderNames().forEach(name -> headers.addAll(name, response.getHeaders(name)));
            byte[] bytes = response.getContentAsByteArray();
            return new Reply(
                    response.getStatus(),
                    headers,
                    bytes.length == 0 ? MissingNode.getInstance() : json.readTree(bytes));
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e.getMessage(), e);
        }
    }
}
