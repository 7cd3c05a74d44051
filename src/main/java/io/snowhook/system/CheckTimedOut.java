package io.snowhook.system;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** A health check or probe that did not answer within its timeout: a connection-level failure. */
public final class CheckTimedOut extends RuntimeException {

    CheckTimedOut(String dependency, Duration timeout) {
        super(dependency + " did not answer within " + timeout.toMillis() + " ms", new TimeoutException());
    }
}
