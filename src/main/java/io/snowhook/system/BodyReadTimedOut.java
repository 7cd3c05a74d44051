package io.snowhook.system;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/** A request body that took longer than {@code snowhook.http.body-read-timeout} to arrive: 408 {@code request-timeout}. */
final class BodyReadTimedOut extends Problem {

    BodyReadTimedOut(Duration limit) {
        super(
                HttpStatus.REQUEST_TIMEOUT,
                "request-timeout",
                "Request timeout",
                "The request body did not arrive within " + limit.toSeconds() + " s.");
    }
}
