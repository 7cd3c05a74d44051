package io.snowhook.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/** The sweeps API: request parsing, answers and problems, and who may call it. */
@WebMvcTest(
        controllers = SweepsController.class,
        properties = {
            "snowhook.sweep.max-body-size=128B",
            "snowhook.security.intake-token=" + SweepsControllerTest.INTAKE,
            "snowhook.security.operator-token=" + SweepsControllerTest.OPERATOR
        })
@Import(SweepsControllerTest.Properties.class)
class SweepsControllerTest {

    static final String INTAKE = "intake-token-0b6e1f";
    static final String OPERATOR = "operator-token-77a2c9";

    @TestConfiguration
    @EnableConfigurationProperties(SweepProperties.class)
    static class Properties {}

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    SweepService sweeps;

    @MockitoBean
    LoadService loads;

    static Sweep sweep(UUID id, SweepStatus status) {
        return new Sweep(
                id,
                "devstoreaccount1",
                "factory-uploads",
                "returns/",
                Instant.parse("2026-11-01T00:00:00Z"),
                Sweep.OPERATOR,
                null,
                status,
                120,
                0,
                null,
                1,
                "1234@host/abcd",
                null,
                Instant.parse("2026-12-01T10:00:00Z"),
                Instant.parse("2026-12-01T10:00:01Z"),
                null);
    }

    MvcTestResult post(String body, String token) {
        return mvc.post()
                .uri("/sweeps")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .content(body)
                .exchange();
    }

    @Test
    void createsTheRequestedSweepWith201AndItsLocation() {
        UUID id = UUID.randomUUID();
        given(sweeps.request(any())).willReturn(sweep(id, SweepStatus.RUNNING));
        given(loads.countBySweep(List.of(id)))
                .willReturn(Map.of(id, Map.of(LoadStatus.QUEUED, 3L, LoadStatus.LOADED, 2L, LoadStatus.FAILED, 1L)));

        MvcTestResult result = post(
                "{\"container\": \"factory-uploads\", \"prefix\": \"returns/\", \"modifiedSince\": \"2026-11-01T00:00:00Z\"}",
                OPERATOR);

        assertThat(result).hasStatus(HttpStatus.CREATED).headers().hasValue(HttpHeaders.LOCATION, "/sweeps/" + id);
        assertThat(result).bodyJson().extractingPath("$.queued").isEqualTo(6);
        assertThat(result).bodyJson().extractingPath("$.finished").isEqualTo(3);
        assertThat(result).bodyJson().extractingPath("$.loaded").isEqualTo(2);
        assertThat(result).bodyJson().extractingPath("$.failed").isEqualTo(1);
        assertThat(result).bodyJson().extractingPath("$.listed").isEqualTo(120);
        ArgumentCaptor<SweepService.Request> request = ArgumentCaptor.forClass(SweepService.Request.class);
        verify(sweeps).request(request.capture());
        assertThat(request.getValue())
                .isEqualTo(new SweepService.Request(
                        null, "factory-uploads", "returns/", Instant.parse("2026-11-01T00:00:00Z")));
    }

    @Test
    void anEmptyBodyAsksForTheDefaults() {
        given(sweeps.request(any())).willReturn(sweep(UUID.randomUUID(), SweepStatus.RUNNING));

        assertThat(post("", OPERATOR)).hasStatus(HttpStatus.CREATED);

        verify(sweeps).request(new SweepService.Request(null, null, null, null));
    }

    @Test
    void answers409WhileASweepOfTheContainerRuns() {
        Sweep running = sweep(UUID.randomUUID(), SweepStatus.RUNNING);
        given(sweeps.request(any())).willThrow(new SweepRunning(running));

        MvcTestResult result = post("{}", OPERATOR);

        assertThat(result).hasStatus(HttpStatus.CONFLICT);
        assertThat(result).bodyJson().extractingPath("$.type").isEqualTo("https://snowhook.io/problems/sweep-running");
        assertThat(result)
                .bodyJson()
                .extractingPath("$.sweepId")
                .isEqualTo(running.id().toString());
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        String body = "{\"prefix\": \"" + "x".repeat(200) + "\"}";

        MvcTestResult result = post(body, OPERATOR);

        assertThat(result).hasStatus(HttpStatus.CONTENT_TOO_LARGE);
        assertThat(result)
                .bodyJson()
                .extractingPath("$.type")
                .isEqualTo("https://snowhook.io/problems/payload-too-large");
        verify(sweeps, never()).request(any());
    }

    @Test
    void namesTheFieldThatIsWrong() {
        assertThat(post("{\"contianer\": \"x\"}", OPERATOR))
                .hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.field")
                .isEqualTo("contianer");
        assertThat(post("{\"modifiedSince\": \"yesterday\"}", OPERATOR))
                .hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.field")
                .isEqualTo("modifiedSince");
        assertThat(post("{\"container\": 7}", OPERATOR))
                .hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.field")
                .isEqualTo("container");
        assertThat(post("[1]", OPERATOR))
                .hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.type")
                .isEqualTo("https://snowhook.io/problems/invalid-request");
        assertThat(post("{not json", OPERATOR)).hasStatus(HttpStatus.BAD_REQUEST);
        verify(sweeps, never()).request(any());
    }

    @Test
    void answersOneSweepOr404() {
        UUID id = UUID.randomUUID();
        UUID unknown = UUID.randomUUID();
        given(sweeps.get(id)).willReturn(sweep(id, SweepStatus.FINISHED));
        given(sweeps.get(unknown)).willThrow(new SweepNotFound(unknown));

        assertThat(mvc.get().uri("/sweeps/" + id).header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR))
                .hasStatusOk()
                .bodyJson()
                .extractingPath("$.status")
                .isEqualTo("FINISHED");
        assertThat(mvc.get().uri("/sweeps/" + unknown).header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR))
                .hasStatus(HttpStatus.NOT_FOUND)
                .bodyJson()
                .extractingPath("$.type")
                .isEqualTo("https://snowhook.io/problems/sweep-not-found");
        assertThat(mvc.get().uri("/sweeps/nope").header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR))
                .hasStatus(HttpStatus.BAD_REQUEST);
    }

    @Test
    void listsSweepsNewestFirstWithTheirCounts() {
        UUID id = UUID.randomUUID();
        given(sweeps.page(0, 20)).willReturn(List.of(sweep(id, SweepStatus.FINISHED)));
        given(sweeps.count()).willReturn(1L);
        given(loads.countBySweep(List.of(id))).willReturn(Map.of(id, Map.of(LoadStatus.LOADED, 4L)));

        MvcTestResult result = mvc.get()
                .uri("/sweeps")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR)
                .exchange();

        assertThat(result)
                .hasStatusOk()
                .bodyJson()
                .extractingPath("$.sweeps[0].loaded")
                .isEqualTo(4);
        assertThat(result).bodyJson().extractingPath("$.totalElements").isEqualTo(1);
        assertThat(mvc.get().uri("/sweeps?size=0").header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR))
                .hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.field")
                .isEqualTo("size");
    }

    @Test
    void takesTheOperatorCredentialOnly() {
        assertThat(mvc.post().uri("/sweeps").content("{}")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(post("{}", INTAKE)).hasStatus(HttpStatus.FORBIDDEN);
        assertThat(mvc.get().uri("/sweeps").header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE))
                .hasStatus(HttpStatus.FORBIDDEN);
        verify(sweeps, never()).request(any());
    }
}
