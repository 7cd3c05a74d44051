package io.snowhook.blob;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.storage.*}: the storage accounts and containers snowhook may read — the allow-list. A
 * blob outside it is rejected and never touched.
 *
 * @param accounts the storage accounts
 * @param connectTimeout how long to wait for a TCP connection to storage
 * @param readTimeout how long one storage request may wait for data (per chunk of a blob read)
 * @param readBlockSize the chunk of a blob one Get Blob request reads (at most 64 MiB); a blob of one
 *     chunk is read with one request
 * @param readParallelism how many chunks of a larger blob are requested ahead while the earlier ones
 *     are consumed (1 reads one chunk at a time); the heap holds up to {@code (read-parallelism + 1) ×
 *     read-block-size} per blob being read
 */
@Validated
@ConfigurationProperties("snowhook.storage")
public record StorageProperties(
        @DefaultValue @Valid List<Account> accounts,
        @NotNull @DefaultValue("10s") Duration connectTimeout,
        @NotNull @DefaultValue("60s") Duration readTimeout,
        @NotNull @DefaultValue("4MB") DataSize readBlockSize,
        @Min(1) @Max(16) @DefaultValue("4") int readParallelism) {

    @ConstructorBinding
    public StorageProperties {}

    /** The accounts with the default timeouts and reads. */
    public StorageProperties(List<Account> accounts) {
        this(accounts, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** The accounts and timeouts with the default reads. */
    public StorageProperties(List<Account> accounts, Duration connectTimeout, Duration readTimeout) {
        this(accounts, connectTimeout, readTimeout, DataSize.ofMegabytes(4), 4);
    }

    /** Bean Validation names this check {@code snowhook.storage.readBlockSizeInRange} in the start-up failure. */
    @AssertTrue(message = "read-block-size must be between 64KB and 64MB")
    public boolean isReadBlockSizeInRange() {
        return readBlockSize == null
                || (readBlockSize.toBytes() >= 64 * 1024 && readBlockSize.toBytes() <= 64L * 1024 * 1024);
    }

    /**
     * One storage account. Exactly one of {@code connection-string}, {@code sas-token} and {@code
     * credential} says how snowhook authenticates.
     *
     * @param name the account name, e.g. {@code javasipsfactory}
     * @param endpoint the blob endpoint; defaults to {@code https://<name>.blob.core.windows.net}. For
     *     Azurite: {@code http://127.0.0.1:10000/<name>}. snowhook connects only here, never to a host
     *     named in an event
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

            @Nullable @Pattern(regexp = "default", message = "must be 'default' (DefaultAzureCredential)")
            String credential) {

        public URI endpointOrDefault() {
            return endpoint != null ? endpoint : URI.create("https://" + name + ".blob.core.windows.net");
        }

        /** Bean Validation names this check {@code ...accounts[n].oneCredential} in the start-up failure. */
        @AssertTrue(message = "set exactly one of connection-string, sas-token, credential for this account")
        public boolean isOneCredential() {
            return Stream.of(connectionString, sasToken, credential)
                            .filter(v -> v != null && !v.isBlank())
                            .count()
                    == 1;
        }

        @Override
        public String toString() {
            return "Account[name=" + name + ", endpoint=" + endpointOrDefault() + ", containers=" + containers + "]";
        }
    }
}
