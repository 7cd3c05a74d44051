package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

class ProblemErrorControllerTest {

    final ProblemErrorController controller = new ProblemErrorController();

    @Test
    void answersErrorsRaisedOutsideMvcAsProblems() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 401);
        request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/events");

        ResponseEntity<ProblemDetail> response = controller.error(request);

        assertThat(response.getStatusCode().value()).isEqualTo(401);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody().getType()).hasToString("https://snowhook.io/problems/unauthorized");
        assertThat(response.getBody().getTitle()).isEqualTo("Unauthorized");
        assertThat(response.getBody().getInstance()).hasToString("/events");
    }

    @Test
    void treatsAnErrorWithoutStatusAsInternal() {
        ResponseEntity<ProblemDetail> response = controller.error(new MockHttpServletRequest("GET", "/error"));

        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(response.getBody().getType()).hasToString("https://snowhook.io/problems/internal-error");
        assertThat(response.getBody().getDetail()).isEqualTo(ProblemDetailsAdvice.INTERNAL_ERROR_DETAIL);
    }
}
