package io.snowhook.system;

import org.springframework.http.HttpStatus;

/**
 * A request body the connection could not deliver: the client went away in the middle, or its chunked
 * encoding is malformed. The client's mistake, not snowhook's: 400 {@code unreadable-body}, one log line,
 * and no answer at all when the client is gone.
 */
public final class UnreadableBody extends Problem {

    private final boolean clientGone;

    UnreadableBody(boolean clientGone) {
        super(
                HttpStatus.BAD_REQUEST,
                "unreadable-body",
                "Unreadable request body",
                "The request body could not be read: the connection broke or its chunked encoding is malformed.");
        this.clientGone = clientGone;
    }

    /** True when the client closed the connection: there is no one left to answer. */
    boolean clientGone() {
        return clientGone;
    }
}
