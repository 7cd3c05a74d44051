package io.snowhook.intake;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/**
 * An event whose {@code data.url} names another blob than its topic and subject do: 422
 * {@code blob-url-mismatch}. Such an event is either forged or corrupt, so nothing of it is recorded.
 */
class BlobUrlMismatch extends Problem {

    BlobUrlMismatch(String field, String account, String container, String blob) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "blob-url-mismatch",
                "Blob URL does not match the event",
                field + " does not name blob '" + blob + "' of container '" + container + "' in storage account '"
                        + account + "' as the event's topic and subject do.");
        with("field", field);
        with("account", account);
        with("container", container);
        with("blob", blob);
    }
}
