package io.snowhook.loads.ledger;

import io.snowhook.system.Problem;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** No load has this id. */
final class LoadNotFound extends Problem {

    LoadNotFound(UUID id) {
        super(HttpStatus.NOT_FOUND, "load-not-found", "Load not found", "No load has id " + id);
        with("loadId", id.toString());
    }
}
