package io.snowhook.blob;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** A blob URL whose host is neither the account's configured endpoint nor its public Azure host. */
public final class UntrustedBlobUrl extends Problem {

    public UntrustedBlobUrl(String account, String host, String blob) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "untrusted-blob-url",
                "Untrusted blob URL",
                "Host '" + host + "' is neither the configured endpoint of storage account '" + account
                        + "' nor its Azure blob or Data Lake host");
        with("account", account).with("host", host).with("blob", blob);
    }
}
