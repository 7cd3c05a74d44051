package io.snowhook.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AzureBlobSourceTest {

    static final String CONTAINER = "blob-source-test";
    static final String NEVER_CREATED = "never-created";
    static final AzuriteServer azurite = AzuriteServer.shared();
    static FaultProxy proxy;

    final AzureBlobSource source = source(azurite.endpoint(), azurite.connectionString(), null);
    final String name = "inventory/f1/" + UUID.randomUUID() + ".csv";
    final BlobId id = new BlobId(AzuriteServer.ACCOUNT, CONTAINER, name);

    @BeforeAll
    static void startProxy() {
        azurite.createContainer(CONTAINER);
        proxy = FaultProxy.inFrontOfAzurite();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @Test
    void streamsTheBlobVersionOfTheLoad() throws IOException {
        String etag = azurite.upload(CONTAINER, name, bytes("a,b\n1,2\n"));

        try (BlobContent content = source.open(id, etag)) {
            assertThat(content.etag()).isEqualTo(etag);
            assertThat(content.length()).isEqualTo(8);
            assertThat(new String(content.stream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("a,b\n1,2\n");
        }
    }

    @Test
    void acceptsAQuotedEtag() throws IOException {
        String etag = azurite.upload(CONTAINER, name, bytes("x"));

        try (BlobContent content = source.open(id, "\"" + etag + "\"")) {
            assertThat(content.etag()).isEqualTo(etag);
        }
    }

    @Test
    void readsTheCurrentVersionWhenNoEtagIsGiven() throws IOException {
        azurite.upload(CONTAINER, name, bytes("old"));
        String current = azurite.upload(CONTAINER, name, bytes("new!"));

        try (BlobContent content = source.open(id, null)) {
            assertThat(content.etag()).isEqualTo(current);
            assertThat(content.stream().readAllBytes()).isEqualTo(bytes("new!"));
        }
    }

    @Test
    void reportsABlobChangedSinceTheEvent() {
        String old = azurite.upload(CONTAINER, name, bytes("old"));
        azurite.upload(CONTAINER, name, bytes("new"));

        assertThatThrownBy(() -> source.open(id, old))
                .isInstanceOf(BlobChanged.class)
                .hasMessageContaining(name);
    }

    @Test
    void reportsABlobOverwrittenWhileItIsRead() throws IOException {
        // twelve chunks of 64 KiB: more than the first plus the four requested ahead, so reading goes back to storage
        byte[] big = new byte[12 * 64 * 1024];
        Arrays.fill(big, (byte) 'x');
        String etag = azurite.upload(CONTAINER, name, big);
        AzureBlobSource reader = source(azurite.endpoint(), azurite.connectionString(), null, 64 * 1024, 4);

        try (BlobContent content = reader.open(id, etag)) {
            InputStream stream = content.stream();
            assertThat(stream.read()).isEqualTo('x');
            azurite.upload(CONTAINER, name, bytes("replaced"));

            // the ranges already requested are of the old version; a range requested after the overwrite fails If-Match
            assertThatThrownBy(stream::readAllBytes).isInstanceOf(BlobChanged.class);
        }
    }

    @Test
    void readsALargeBlobWithSeveralRangesInFlightInOrder() throws IOException {
        byte[] big = new byte[5 * 64 * 1024 + 17]; // six chunks of 64 KiB, the last one short
        new java.util.Random(7).nextBytes(big);
        String etag = azurite.upload(CONTAINER, name, big);
        try (FaultProxy slow = FaultProxy.inFrontOfAzurite().delayReads(Duration.ofMillis(300))) {
            AzureBlobSource reader = source(slow.azuriteEndpoint(), azurite.connectionString(), null, 64 * 1024, 3);

            try (BlobContent content = reader.open(id, etag)) {
                assertThat(content.length()).isEqualTo(big.length);
                assertThat(content.stream().readAllBytes()).isEqualTo(big);
            }
            assertThat(slow.maxReadsInFlight()).isEqualTo(3);
        }
    }

    @Test
    void readsOneChunkAtATimeWhenParallelismIsOne() throws IOException {
        byte[] big = new byte[3 * 64 * 1024 + 1];
        new java.util.Random(11).nextBytes(big);
        String etag = azurite.upload(CONTAINER, name, big);
        try (FaultProxy slow = FaultProxy.inFrontOfAzurite().delayReads(Duration.ofMillis(100))) {
            AzureBlobSource reader = source(slow.azuriteEndpoint(), azurite.connectionString(), null, 64 * 1024, 1);

            try (BlobContent content = reader.open(id, etag)) {
                assertThat(content.stream().readAllBytes()).isEqualTo(big);
            }
            assertThat(slow.maxReadsInFlight()).isEqualTo(1);
        }
    }

    @Test
    void reportsAMissingBlobAsNotFound() {
        assertThatThrownBy(() -> source.open(id, "0x8DCB000000000000"))
                .isInstanceOf(BlobNotFound.class)
                .hasMessageContaining(name);
        assertThatThrownBy(() -> source.open(id, null)).isInstanceOf(BlobNotFound.class);
    }

    @Test
    void reportsAMissingContainerAsNotFound() {
        assertThatThrownBy(() -> source.open(new BlobId(AzuriteServer.ACCOUNT, NEVER_CREATED, "a.csv"), null))
                .isInstanceOf(BlobNotFound.class);
    }

    @Test
    void reportsRejectedCredentialsAsAccessDenied() {
        azurite.upload(CONTAINER, name, bytes("secret"));
        String wrongKey = azurite.connectionString()
                .replace(AzuriteServer.ACCOUNT_KEY, "d3JvbmcgYnV0IHdlbGwtZm9ybWVkIGtleSB3cm9uZyBrZXk=");

        assertThatThrownBy(() -> source(azurite.endpoint(), wrongKey, null).open(id, null))
                .isInstanceOf(BlobAccessDenied.class)
                .hasMessageContaining("403");
    }

    @Test
    void refusesContainersOutsideTheConfiguredAllowList() {
        assertThatThrownBy(() -> source.open(new BlobId(AzuriteServer.ACCOUNT, "elsewhere", "a.csv"), null))
                .isInstanceOf(BlobAccessDenied.class)
                .hasMessageContaining("not configured");
        assertThatThrownBy(() -> source.open(new BlobId("otheraccount", CONTAINER, "a.csv"), null))
                .isInstanceOf(BlobAccessDenied.class);
    }

    @Test
    void reportsServerErrorsAndThrottlingAsUnavailable() {
        String etag = azurite.upload(CONTAINER, name, bytes("a"));
        AzureBlobSource throughProxy = source(proxy.azuriteEndpoint(), azurite.connectionString(), null);

        for (int status : new int[] {503, 500, 429, 408}) {
            proxy.failReads(1, status);
            assertThatThrownBy(() -> throughProxy.open(id, etag))
                    .as("HTTP %d", status)
                    .isInstanceOf(BlobUnavailable.class)
                    .hasMessageContaining(Integer.toString(status));
        }
    }

    @Test
    void triesEachRequestOnceLeavingRetriesToTheLoad() throws IOException {
        String etag = azurite.upload(CONTAINER, name, bytes("a"));
        AzureBlobSource throughProxy = source(proxy.azuriteEndpoint(), azurite.connectionString(), null);
        int injectedBefore = proxy.injected();
        proxy.failReads(1, 503);

        assertThatThrownBy(() -> throughProxy.open(id, etag)).isInstanceOf(BlobUnavailable.class);
        try (BlobContent content = throughProxy.open(id, etag)) {
            assertThat(content.stream().readAllBytes()).isEqualTo(bytes("a"));
        }
        assertThat(proxy.injected() - injectedBefore).isEqualTo(1);
    }

    @Test
    void reportsConnectionsDroppedUnansweredAsUnavailable() {
        String etag = azurite.upload(CONTAINER, name, bytes("a"));
        AzureBlobSource throughProxy = source(proxy.azuriteEndpoint(), azurite.connectionString(), null);
        proxy.dropReads(Integer.MAX_VALUE);
        try {
            assertThatThrownBy(() -> throughProxy.open(id, etag)).isInstanceOf(BlobUnavailable.class);
        } finally {
            proxy.heal();
        }
    }

    /**
     * A connection closed before any byte of the answer is what a server closing an idle keep-alive connection
     * looks like, so the JDK's HTTP client sends a GET again once, on a new connection (java.net.http
     * MultiExchange: ConnectionExpiredException is retried for idempotent requests). Once, not more: a second
     * drop is the storage's failure and left to the load's retry policy.
     */
    @Test
    void sendsAReadAgainOnceWhenItsConnectionClosesUnanswered() throws IOException {
        String etag = azurite.upload(CONTAINER, name, bytes("a"));
        AzureBlobSource throughProxy = source(proxy.azuriteEndpoint(), azurite.connectionString(), null);
        int injectedBefore = proxy.injected();
        proxy.dropReads(1);

        try (BlobContent content = throughProxy.open(id, etag)) {
            assertThat(content.stream().readAllBytes()).isEqualTo(bytes("a"));
        }
        assertThat(proxy.injected() - injectedBefore).isEqualTo(1);

        proxy.dropReads(2);
        assertThatThrownBy(() -> throughProxy.open(id, etag)).isInstanceOf(BlobUnavailable.class);
        assertThat(proxy.injected() - injectedBefore).isEqualTo(3);
        try (BlobContent content = throughProxy.open(id, etag)) {
            assertThat(content.stream().readAllBytes()).isEqualTo(bytes("a"));
        }
    }

    @Test
    void reportsUnreachableStorageAsUnavailable() {
        String nothingListens = "http://127.0.0.1:" + freePort() + "/" + AzuriteServer.ACCOUNT;
        AzureBlobSource unreachable = source(nothingListens, azurite.connectionString(), null);

        assertThatThrownBy(() -> unreachable.open(id, null)).isInstanceOf(BlobUnavailable.class);
        assertThatThrownBy(unreachable::check).isInstanceOf(BlobUnavailable.class);
    }

    @Test
    void readsWithASasToken() throws IOException {
        String etag = azurite.upload(CONTAINER, name, bytes("via sas"));
        String sas = azurite.blobServiceClient()
                .generateAccountSas(new AccountSasSignatureValues(
                        OffsetDateTime.now().plusHours(1),
                        AccountSasPermission.parse("rl"),
                        AccountSasService.parse("b"),
                        AccountSasResourceType.parse("sco")));

        try (BlobContent content = source(azurite.endpoint(), null, sas).open(id, etag)) {
            assertThat(content.stream().readAllBytes()).isEqualTo(bytes("via sas"));
        }
    }

    @Test
    void checksThatEveryConfiguredContainerExists() {
        StorageProperties properties = new StorageProperties(
                List.of(account(azurite.endpoint(), azurite.connectionString(), null, List.of(CONTAINER))));
        new AzureBlobSource(properties, new StorageAccounts(properties)).check();

        assertThatThrownBy(source::check).isInstanceOf(BlobNotFound.class).hasMessageContaining(NEVER_CREATED);
    }

    /**
     * Storage that takes the request and does not answer: the read fails after the configured read timeout
     * (1 s here; the default is 60 s), not when storage answers 30 s later.
     */
    @Test
    void usesTheConfiguredTimeouts() {
        String etag = azurite.upload(CONTAINER, name, bytes("a"));
        StorageProperties properties = new StorageProperties(
                List.of(account(proxy.azuriteEndpoint(), azurite.connectionString(), null, List.of(CONTAINER))),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        AzureBlobSource source = new AzureBlobSource(properties, new StorageAccounts(properties));
        proxy.stallReads(1, Duration.ofSeconds(30));
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> source.open(id, etag)).isInstanceOf(BlobUnavailable.class);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // at least the timeout; far less than the stall (generous: the machine may be busy)
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(15));
        } finally {
            proxy.heal();
        }
    }

    static AzureBlobSource source(String endpoint, @Nullable String connectionString, @Nullable String sas) {
        StorageProperties properties = new StorageProperties(
                List.of(account(endpoint, connectionString, sas, List.of(CONTAINER, NEVER_CREATED))));
        return new AzureBlobSource(properties, new StorageAccounts(properties));
    }

    static AzureBlobSource source(
            String endpoint, @Nullable String connectionString, @Nullable String sas, int blockSize, int parallelism) {
        StorageProperties properties = new StorageProperties(
                List.of(account(endpoint, connectionString, sas, List.of(CONTAINER, NEVER_CREATED))),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                org.springframework.util.unit.DataSize.ofBytes(blockSize),
                parallelism);
        return new AzureBlobSource(properties, new StorageAccounts(properties));
    }

    static StorageProperties.Account account(
            String endpoint, @Nullable String connectionString, @Nullable String sas, List<String> containers) {
        return new StorageProperties.Account(
                AzuriteServer.ACCOUNT, URI.create(endpoint), containers, connectionString, sas, null);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static int freePort() {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
