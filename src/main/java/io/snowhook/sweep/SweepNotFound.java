package io.snowhook.sweep;

import io.snowhook.system.Problem;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** No sweep has this id: 404 {@code sweep-not-found}. */
final class SweepNotFound extends Problem {

    SweepNotFound(UUID id) {
        super(HttpStatus.NOT_FOUND, "sweep-not-found", "Sweep not found", "No sweep has id " + id);
        with("sweepId", id.toString());
    }
}
