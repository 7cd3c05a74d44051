package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import org.apache.catalina.connector.ClientAbortException;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@WebMvcTest(controllers = ProblemDetailsAdviceTest.Failing.class)
@Import(ProblemDetailsAdviceTest.Failing.class)
@ExtendWith(OutputCaptureExtension.class)
class ProblemDetailsAdviceTest {

    @Autowired
    MockMvc mvc;

    @RestController
    static class Failing {

        record Body(String name) {}

        @GetMapping("/test/problem")
        String problem() {
            throw new Problem(HttpStatus.NOT_FOUND, "load-not-found", "Load not found", "No load 42.")
                    .with("loadId", "42");
        }

        @GetMapping("/test/too-large")
        String tooLarge() {
            throw new PayloadTooLarge(DataSize.ofKilobytes(1));
        }

        @PostMapping(path = "/test/json", consumes = MediaType.APPLICATION_JSON_VALUE)
        String json(@RequestBody Body body) {
            return body.name();
        }

        @GetMapping("/test/param")
        String param(@RequestParam int n) {
            return "n=" + n;
        }

        @GetMapping("/test/client-gone")
        String clientGone() throws IOException {
            throw new ClientAbortException(new IOException("Broken pipe"));
        }

        @GetMapping("/test/boom")
        String boom() {
            throw new IllegalStateException("password=hunter2 at jdbc:postgresql://db/prod");
        }
    }

    @Test
    void passesProblemsThroughWithTheirProperties() throws Exception {
        problem(get("/test/problem"), HttpStatus.NOT_FOUND, "load-not-found")
                .andExpect(jsonPath("$.title").value("Load not found"))
                .andExpect(jsonPath("$.detail").value("No load 42."))
                .andExpect(jsonPath("$.loadId").value("42"))
                .andExpect(jsonPath("$.instance").value("/test/problem"));
    }

    @Test
    void answersPayloadTooLargeWithItsLimit() throws Exception {
        problem(get("/test/too-large"), HttpStatus.CONTENT_TOO_LARGE, "payload-too-large")
                .andExpect(jsonPath("$.limitBytes").value(1024));
    }

    @Test
    void namesAnUnreadableBodyWithoutEchoingIt() throws Exception {
        problem(
                        post("/test/json")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"name\": secret-token"),
                        HttpStatus.BAD_REQUEST,
                        "unreadable-body")
                .andExpect(content().string(Matchers.not(Matchers.containsString("secret-token"))));
    }

    @Test
    void givesMissingAndMalformedParametersAStableType() throws Exception {
        problem(get("/test/param"), HttpStatus.BAD_REQUEST, "bad-request");
        problem(get("/test/param").param("n", "x"), HttpStatus.BAD_REQUEST, "bad-request");
    }

    @Test
    void givesUnknownPathsAStableType() throws Exception {
        problem(get("/test/nothing-here"), HttpStatus.NOT_FOUND, "not-found");
    }

    @Test
    void givesWrongMethodsAStableType() throws Exception {
        problem(put("/test/problem"), HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed");
    }

    @Test
    void givesUnsupportedMediaTypesAStableType() throws Exception {
        problem(
                post("/test/json").contentType(MediaType.TEXT_PLAIN).content("name"),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type");
    }

    @Test
    void hidesTheCauseOfUnexpectedErrors() throws Exception {
        problem(get("/test/boom"), HttpStatus.INTERNAL_SERVER_ERROR, "internal-error")
                .andExpect(jsonPath("$.detail").value(ProblemDetailsAdvice.INTERNAL_ERROR_DETAIL))
                .andExpect(content().string(Matchers.not(Matchers.containsString("hunter2"))))
                .andExpect(content().string(Matchers.not(Matchers.containsString("IllegalState"))));
    }

    @Test
    void logsAClientThatWentAwayWithoutAnErrorOrStackTrace(CapturedOutput output) throws Exception {
        mvc.perform(get("/test/client-gone"));

        assertThat(output.getAll())
                .doesNotContain("ERROR")
                .doesNotContain("Broken pipe")
                .doesNotContainPattern("\\n\\s+at [a-z]");
    }

    private ResultActions problem(MockHttpServletRequestBuilder request, HttpStatus status, String kind)
            throws Exception {
        return mvc.perform(request)
                .andExpect(status().is(status.value()))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value(Problem.TYPE_BASE + kind))
                .andExpect(jsonPath("$.status").value(status.value()))
                .andExpect(jsonPath("$.title").isNotEmpty());
    }
}
