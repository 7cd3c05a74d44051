package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.SnowhookTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/** The access rules with every credential configured, over the real filter chain. */
@SnowhookTest
@TestPropertySource(properties = {SnowhookTest.NO_WORKERS, SnowhookTest.CREDENTIALS})
@ExtendWith(OutputCaptureExtension.class)
class SecurityChainTest {

    static final String INTAKE_TOKEN = SnowhookTest.INTAKE_TOKEN;
    static final String INTAKE_PASSWORD = SnowhookTest.INTAKE_PASSWORD;
    static final String OPERATOR_TOKEN = SnowhookTest.OPERATOR_TOKEN;
    static final String OPERATOR_PASSWORD = SnowhookTest.OPERATOR_PASSWORD;

    @Autowired
    MockMvcTester mvc;

    @Test
    void refusesIntakeWithoutCredentialsAsProblemDetail() {
        MvcTestResult result = mvc.post().uri("/events").content("{}").exchange();

        assertThat(result).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(result).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result)
                .headers()
                .hasValue(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"snowhook\", Basic realm=\"snowhook\"");
        assertThat(result).bodyJson().extractingPath("$.type").isEqualTo("https://snowhook.io/problems/unauthorized");
    }

    @Test
    void refusesIntakeWithWrongBearerToken() {
        assertThat(mvc.post()
                        .uri("/events")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN + "x")
                        .content("{}"))
                .hasStatus(HttpStatus.UNAUTHORIZED)
                .bodyJson()
                .extractingPath("$.detail")
                .isEqualTo("The credentials presented are not valid.");
    }

    @Test
    void refusesIntakeWithWrongBasicPassword() {
        assertThat(mvc.post()
                        .uri("/events")
                        .header(HttpHeaders.AUTHORIZATION, basic("argo", "wrong"))
                        .content("{}"))
                .hasStatus(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void refusesIntakeUserWithOperatorPassword() {
        assertThat(mvc.post()
                        .uri("/events")
                        .header(HttpHeaders.AUTHORIZATION, basic("argo", OPERATOR_PASSWORD))
                        .content("{}"))
                .hasStatus(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void refusesOperatorEndpointsToTheIntakeCredential() {
        for (String auth : new String[] {"Bearer " + INTAKE_TOKEN, basic("argo", INTAKE_PASSWORD)}) {
            MvcTestResult reingest = mvc.post()
                    .uri("/loads/0b0b6a4e-0000-4000-8000-000000000001/reingest")
                    .header(HttpHeaders.AUTHORIZATION, auth)
                    .exchange();
            assertThat(reingest).hasStatus(HttpStatus.FORBIDDEN);
            assertThat(reingest).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(reingest)
                    .bodyJson()
                    .extractingPath("$.type")
                    .isEqualTo("https://snowhook.io/problems/forbidden");
            assertThat(reingest).headers().containsHeader(HttpHeaders.WWW_AUTHENTICATE);

            assertThat(mvc.post()
                            .uri("/ingestions")
                            .header(HttpHeaders.AUTHORIZATION, auth)
                            .content("{}"))
                    .hasStatus(HttpStatus.FORBIDDEN);
            assertThat(mvc.get().uri("/actuator/prometheus").header(HttpHeaders.AUTHORIZATION, auth))
                    .hasStatus(HttpStatus.FORBIDDEN);
        }
    }

    @Test
    void acceptsEventsWithTheIntakeBearerTokenOrBasicCredentials() {
        for (String auth : new String[] {"Bearer " + INTAKE_TOKEN, basic("argo", INTAKE_PASSWORD)}) {
            assertThat(mvc.post()
                            .uri("/events")
                            .header(HttpHeaders.AUTHORIZATION, auth)
                            .content(event()))
                    .hasStatus(HttpStatus.ACCEPTED);
        }
    }

    @Test
    void acceptsEventsWithTheOperatorCredential() {
        assertThat(mvc.post()
                        .uri("/events")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN)
                        .content(event()))
                .hasStatus(HttpStatus.ACCEPTED);
    }

    @Test
    void letsTheOperatorButNotTheIntakeCredentialReingestAndReadStatus() {
        MvcTestResult accepted = mvc.post()
                .uri("/events")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN)
                .content(event())
                .exchange();
        String location = accepted.getResponse().getHeader(HttpHeaders.LOCATION);
        assertThat(location).startsWith("/loads/");

        assertThat(mvc.get().uri(location).header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN))
                .hasStatusOk();
        assertThat(mvc.post().uri(location + "/reingest").header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN))
                .hasStatus(HttpStatus.FORBIDDEN);
        // Past the security chain: the ledger answers (409 while the load is still queued), not 401/403.
        MvcTestResult reingest = mvc.post()
                .uri(location + "/reingest")
                .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD))
                .exchange();
        assertThat(reingest.getResponse().getStatus()).isNotIn(401, 403);
    }

    /** A new blob version each time, as Argo posts it: the whole event, no Content-Type. */
    static String event() {
        return ArgoEvents.argoWholeEvent(ArgoEvents.blobCreated(
                        "devstoreaccount1", "factory-uploads", "orders/f1/" + UUID.randomUUID() + ".csv")
                .withUrlBase(ArgoEvents.azuriteUrlBase(AzuriteServer.shared().port(), "devstoreaccount1"))
                .withContentLength(2048));
    }

    @Test
    void keepsHealthProbesOpen() {
        assertThat(mvc.get().uri("/actuator/health/liveness")).hasStatusOk();
        // Open means answered, not 401, whatever the status.
        for (String probe : new String[] {"/actuator/health/readiness", "/actuator/health"}) {
            MvcTestResult result = mvc.get().uri(probe).exchange();
            assertThat(result.getResponse().getStatus()).isIn(200, 503);
            assertThat(result).bodyJson().extractingPath("$.status").isIn("UP", "DOWN");
        }
    }

    @Test
    void showsHealthDetailsToTheOperatorOnly() {
        assertThat(mvc.get().uri("/actuator/health/readiness")).bodyJson().doesNotHavePath("$.components");
        assertThat(mvc.get()
                        .uri("/actuator/health/readiness")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN))
                .bodyJson()
                .doesNotHavePath("$.components");
        assertThat(mvc.get()
                        .uri("/actuator/health/readiness")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN))
                .bodyJson()
                .hasPath("$.components.ledger.status");
    }

    @Test
    void closesPrometheusAndOtherActuatorEndpoints() {
        assertThat(mvc.get().uri("/actuator/prometheus")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/actuator/metrics")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/actuator")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/actuator/prometheus").header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN))
                .hasStatusOk();
        assertThat(mvc.get()
                        .uri("/actuator/metrics")
                        .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD)))
                .hasStatusOk();
    }

    @Test
    void protectsStatusReadsAndApiDocsWhenStatusReadsIsOperator() {
        assertThat(mvc.get().uri("/loads")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/loads/summary")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/v3/api-docs")).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(mvc.get().uri("/loads").header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN))
                .hasStatus(HttpStatus.FORBIDDEN);
        assertThat(mvc.get().uri("/v3/api-docs").header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN))
                .hasStatusOk();
    }

    @Test
    void refusesUnknownPathsWithoutTheOperatorCredential() {
        assertThat(mvc.get().uri("/nothing-here")).hasStatus(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void issuesNoSessionCookie() {
        MvcTestResult result = mvc.get()
                .uri("/actuator/metrics")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN)
                .exchange();
        assertThat(result).hasStatusOk();
        assertThat(result.getResponse().getHeader(HttpHeaders.SET_COOKIE)).isNull();
        assertThat(result.getRequest().getSession(false)).isNull();
    }

    @Test
    void neverLogsASecret(CapturedOutput output) {
        mvc.post()
                .uri("/events")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN + "-guess")
                .exchange();
        mvc.post()
                .uri("/events")
                .header(HttpHeaders.AUTHORIZATION, basic("argo", "guess"))
                .exchange();

        assertThat(output.getAll())
                .contains("Refused POST /events")
                .doesNotContain(INTAKE_TOKEN, INTAKE_PASSWORD, OPERATOR_TOKEN, OPERATOR_PASSWORD, "guess");
    }

    @Test
    void refusesACrossSiteFormPostOfReingestWithTheOperatorsBasicCredentials() {
        MvcTestResult result = mvc.post()
                .uri("/loads/0b0b6a4e-0000-4000-8000-000000000001/reingest?version=current")
                .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD))
                .header(HttpHeaders.ORIGIN, "https://attacker.example")
                .header("Sec-Fetch-Site", "cross-site")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .exchange();

        assertThat(result).hasStatus(HttpStatus.FORBIDDEN);
        assertThat(result).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result)
                .bodyJson()
                .extractingPath("$.type")
                .isEqualTo("https://snowhook.io/problems/cross-site-request");
    }

    @Test
    void refusesABrowsersPostFromItsOwnOriginWithoutTheConsoleHeader() {
        assertThat(mvc.post()
                        .uri("/loads/reingest?table=ORDERS&since=2026-11-23T00:00:00Z")
                        .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD))
                        .header(HttpHeaders.ORIGIN, "http://localhost")
                        .header("Sec-Fetch-Site", "same-origin"))
                .hasStatus(HttpStatus.FORBIDDEN)
                .bodyJson()
                .extractingPath("$.detail")
                .asString()
                .contains("X-Snowhook-Console");
    }

    @Test
    void acceptsTheConsolesOwnActionsWithBasicCredentials() {
        assertThat(mvc.post()
                        .uri("/loads/0b0b6a4e-0000-4000-8000-000000000001/reingest")
                        .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD))
                        .header(HttpHeaders.ORIGIN, "http://localhost")
                        .header("Sec-Fetch-Site", "same-origin")
                        .header("X-Snowhook-Console", "1"))
                .hasStatus(HttpStatus.NOT_FOUND);
        assertThat(mvc.post()
                        .uri("/loads/reingest?table=ORDERS&since=2026-11-23T00:00:00Z")
                        .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD))
                        .header(HttpHeaders.ORIGIN, "http://localhost")
                        .header("X-Snowhook-Console", "1"))
                .hasStatus(HttpStatus.ACCEPTED);
    }

    @Test
    void keepsBearerAndBasicApiClientsWorkingWithoutTheConsoleHeader() {
        assertThat(mvc.post()
                        .uri("/loads/0b0b6a4e-0000-4000-8000-000000000001/reingest")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + OPERATOR_TOKEN)
                        .header(HttpHeaders.ORIGIN, "https://attacker.example"))
                .hasStatus(HttpStatus.NOT_FOUND);
        assertThat(mvc.post()
                        .uri("/loads/0b0b6a4e-0000-4000-8000-000000000001/reingest")
                        .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD)))
                .hasStatus(HttpStatus.NOT_FOUND);
        assertThat(mvc.post()
                        .uri("/events")
                        .header(HttpHeaders.AUTHORIZATION, basic("argo", INTAKE_PASSWORD))
                        .content(event()))
                .hasStatus(HttpStatus.ACCEPTED);
    }

    @Test
    void refusesBulkReingestToTheIntakeCredential() {
        assertThat(mvc.post()
                        .uri("/loads/reingest?table=ORDERS&since=2026-11-23T00:00:00Z")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTAKE_TOKEN))
                .hasStatus(HttpStatus.FORBIDDEN);
    }

    @Test
    void asksABrowserForTheOperatorsUsernameAndPasswordOnTheConsole() {
        MvcTestResult anonymous = mvc.get().uri("/").accept(MediaType.TEXT_HTML).exchange();
        MvcTestResult signedIn = mvc.get()
                .uri("/")
                .header(HttpHeaders.AUTHORIZATION, basic("ops", OPERATOR_PASSWORD))
                .exchange();

        assertThat(anonymous).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(anonymous)
                .headers()
                .hasValue(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"snowhook\", charset=\"UTF-8\"");
        assertThat(anonymous).bodyText().contains("username and password").doesNotContain(OPERATOR_PASSWORD);
        assertThat(signedIn).hasStatusOk();
        assertThat(signedIn).bodyText().contains("<script src=\"console/console.js\"");
        assertThat(signedIn).headers().hasValue("Content-Security-Policy", SecurityChain.CONSOLE_POLICY);
        assertThat(SecurityChain.CONSOLE_POLICY)
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http");
        assertThat(mvc.get().uri("/console/console.js")).hasStatusOk();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
