package io.snowhook.blob;

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

    StorageAccounts(StorageProperties properties) {
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
     * Whether an event's {@code data.url} host is one this account may legitimately have: the configured
     * endpoint's host, or the account's public blob / Data Lake host.
     */
    public boolean acceptsUrlHost(String account, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String a = account.toLowerCase(Locale.ROOT);
        if (h.equals(a + ".blob.core.windows.net") || h.equals(a + ".dfs.core.windows.net")) {
            return true;
        }
        return account(account)
                .map(acc -> h.equalsIgnoreCase(acc.endpointOrDefault().getHost()))
                .orElse(false);
    }
}
