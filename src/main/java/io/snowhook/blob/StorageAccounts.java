package io.snowhook.blob;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** The allow-list of configured storage accounts and containers. */
@Component
@EnableConfigurationProperties(StorageProperties.class)
public class StorageAccounts {

    private final Map<String, StorageProperties.Account> byName;

    public StorageAccounts(StorageProperties properties) {
        this.byName = properties.accounts().stream()
                .collect(Collectors.toUnmodifiableMap(a -> a.name().toLowerCase(Locale.ROOT), Function.identity()));
    }

    public Optional<StorageProperties.Account> account(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Whether snowhook may read blobs of this container of this account. */
    public boolean allows(String account, String container) {
        return account(account).map(a -> a.containers().contains(container)).orElse(false);
    }

    /**
     * Checks that snowhook may read blobs of this container of this account ({@link #allows}).
     *
     * @throws UnknownStorageAccount 422 {@code unknown-storage-account} when it may not
     */
    public void checkAllowed(String account, String container, String blob) {
        if (!allows(account, container)) {
            throw new UnknownStorageAccount(account, container, blob);
        }
    }

    /**
     * Whether an event's {@code data.url} host is one this account may legitimately have: the configured
     * endpoint's host, or the account's public blob / Data Lake host.
     */
    public boolean acceptsUrlHost(String account, String host) {
        if (BlobUrl.isAzureHostOf(account, host)) {
            return true;
        }
        return account(account)
                .map(acc -> host.equalsIgnoreCase(acc.endpointOrDefault().getHost()))
                .orElse(false);
    }

    /**
     * Checks a blob URL's host against the account ({@link #acceptsUrlHost}).
     *
     * @throws UntrustedBlobUrl 422 {@code untrusted-blob-url} for a host the account cannot have
     */
    public void checkUrlHost(String account, URI url, String blob) {
        String host = url.getHost();
        if (host == null || !acceptsUrlHost(account, host)) {
            throw new UntrustedBlobUrl(account, host == null ? BlobUrl.withoutQuery(url.toString()) : host, blob);
        }
    }
}
