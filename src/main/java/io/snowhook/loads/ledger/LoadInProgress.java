package io.snowhook.loads.ledger;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A re-ingest asked for a load that is still queued or loading: it would load the same version twice at once. */
final class LoadInProgress extends Problem {

    LoadInProgress(Load load) {
        super(
                HttpStatus.CONFLICT,
                "load-in-progress",
                "Load in progress",
                "Load " + load.id() + " is still " + load.status() + "; re-ingest it once it has finished");
        with("loadId", load.id().toString()).with("loadStatus", load.status().name());
    }
}
