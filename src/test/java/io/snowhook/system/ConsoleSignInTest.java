package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.InsufficientAuthenticationException;

class ConsoleSignInTest {

    static final String TOKEN = "operator-token-0123456789";

    @Test
    void tellsHowToEnableAPasswordWhenTheOperatorHasOnlyAToken() throws Exception {
        SecurityProperties bearerOnly = new SecurityProperties(null, null, null, TOKEN, null, null, null);
        MockHttpServletResponse response = new MockHttpServletResponse();

        new ConsoleSignIn(bearerOnly, new SecurityProblems(bearerOnly))
                .commence(
                        new MockHttpServletRequest("GET", "/"),
                        response,
                        new InsufficientAuthenticationException("none"));

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentType()).startsWith("text/html");
        assertThat(response.getHeader("WWW-Authenticate")).doesNotContain("Basic");
        assertThat(response.getContentAsString())
                .contains("snowhook.security.operator-username", "snowhook.security.operator-password")
                .contains("SNOWHOOK_SECURITY_OPERATOR_PASSWORD")
                .doesNotContain(TOKEN)
                .doesNotContain("<script");
    }

    @Test
    void answersOtherPathsWithTheProblemDetail() throws Exception {
        SecurityProperties bearerOnly = new SecurityProperties(null, null, null, TOKEN, null, null, null);
        MockHttpServletResponse response = new MockHttpServletResponse();

        new ConsoleSignIn(bearerOnly, new SecurityProblems(bearerOnly))
                .commence(
                        new MockHttpServletRequest("GET", "/loads"),
                        response,
                        new InsufficientAuthenticationException("none"));

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
    }
}
