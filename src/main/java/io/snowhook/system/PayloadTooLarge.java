package io.snowhook.system;

import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** A request body larger than the configured limit: 413 {@code payload-too-large}. */
public class PayloadTooLarge extends Problem {

    public PayloadTooLarge(DataSize limit) {
        super(
                HttpStatus.CONTENT_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                "The request body exceeds the limit of " + limit.toBytes() + " bytes.");
        with("limitBytes", limit.toBytes());
    }
}
