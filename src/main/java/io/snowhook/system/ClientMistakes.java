package io.snowhook.system;

import org.apache.catalina.connector.ClientAbortException;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/** Recognises failures that are the client's doing, which deserve one quiet log line and no stack trace. */
final class ClientMistakes {

    private ClientMistakes() {}

    /** The client closed the connection before it had its answer (or while sending its body). */
    static boolean clientGone(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ClientAbortException || t instanceof AsyncRequestNotUsableException) {
                return true;
            }
        }
        return false;
    }
}
