package io.snowhook.sweep;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A sweep of a container that is not configured: 422 {@code unknown-storage-account}. */
final class UnknownContainer extends Problem {

    UnknownContainer(String account, String container) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "unknown-storage-account",
                "Unknown storage account or container",
                "Storage account '" + account + "', container '" + container
                        + "' is not configured (snowhook.storage.accounts)");
        with("account", account).with("container", container);
    }
}
