package io.snowhook.blob;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.storage.*}: the storage accounts and containers snowhook may read — the allow-list. A
 * blob outside it is rejected and never touched.
 */
@Validated
@ConfigurationProperties("snowhook.storage")
public record StorageProperties(@DefaultValue @Valid List<Account> accounts) {

    /**
     * One storage account.
     *
     * @param name the account name, e.g. {@code javasipsfactory}
     * @param endpoint the blob endpoint; defaults to {@code https://<name>.blob.core.windows.net}. For
     *     Azurite: {@code http://127.0.0.1:10000/<name>}
     * @param containers the containers of this account snowhook loads from
     * @param connectionString a connection string (Azurite, tests); a secret
     * @param sasToken a SAS token; a secret
     * @param credential {@code default} to use {@code DefaultAzureCredential} (workload identity) in
     *     production
     */
    public record Account(
            @NotBlank String name,
            @Nullable URI endpoint,
            @NotEmpty List<@NotBlank String> containers,
            @Nullable String connectionString,
            @Nullable String sasToken,
            @Nullable String credential) {

        public URI endpointOrDefault() {
            return endpoint != null ? endpoint : URI.create("https://" + name + ".blob.core.windows.net");
        }

        @Override
        public String toString() {
            return "Account[name=" + name + ", endpoint=" + endpointOrDefault() + ", containers=" + containers + "]";
        }
    }
}
