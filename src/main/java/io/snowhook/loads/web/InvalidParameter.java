package io.snowhook.loads.web;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A query or path parameter the API cannot read; the problem names it. */
final class InvalidParameter extends Problem {

    InvalidParameter(String parameter, String why) {
        super(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", parameter + " " + why);
        with("parameter", parameter);
    }
}
