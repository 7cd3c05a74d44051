package io.snowhook.blob;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A blob of a storage account or container that is not configured: snowhook never touches it. */
public final class UnknownStorageAccount extends Problem {

    public UnknownStorageAccount(String account, String container, String blob) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "unknown-storage-account",
                "Unknown storage account or container",
                "Storage account '" + account + "', container '" + container
                        + "' is not configured (snowhook.storage.accounts)");
        with("account", account).with("container", container).with("blob", blob);
    }
}
