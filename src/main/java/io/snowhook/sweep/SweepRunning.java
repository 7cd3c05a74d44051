package io.snowhook.sweep;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A sweep of the container is running already: 409 {@code sweep-running}. */
final class SweepRunning extends Problem {

    SweepRunning(Sweep running) {
        super(
                HttpStatus.CONFLICT,
                "sweep-running",
                "Sweep running",
                "Sweep " + running.id() + " of container '" + running.container() + "' of storage account '"
                        + running.account() + "' is still running");
        with("sweepId", running.id().toString())
                .with("account", running.account())
                .with("container", running.container());
    }
}
