package io.snowhook.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AzuriteServerTest {

    final AzuriteServer azurite = AzuriteServer.shared();

    @Test
    void servesUploadedBlobsOnALoopbackPort() {
        String etag = azurite.upload("support-test", "a/b.csv", "x,y\n1,2\n".getBytes(StandardCharsets.UTF_8));

        assertThat(azurite.endpoint()).startsWith("http://127.0.0.1:").endsWith("/devstoreaccount1");
        assertThat(etag).startsWith("0x").doesNotContain("\"");
        assertThat(azurite.blobServiceClient()
                        .getBlobContainerClient("support-test")
                        .getBlobClient("a/b.csv")
                        .downloadContent()
                        .toString())
                .isEqualTo("x,y\n1,2\n");
    }

    @Test
    void keepsItsPortAndBlobsAcrossStopAndStart() {
        azurite.upload("support-test", "kept.csv", "kept".getBytes(StandardCharsets.UTF_8));
        int port = azurite.port();

        azurite.stop();
        try {
            assertThat(azurite.isRunning()).isFalse();
            assertThatThrownBy(() -> azurite.blobServiceClient()
                            .getBlobContainerClient("support-test")
                            .exists())
                    .isInstanceOf(RuntimeException.class);
        } finally {
            azurite.start();
        }

        assertThat(azurite.port()).isEqualTo(port);
        assertThat(azurite.blobServiceClient()
                        .getBlobContainerClient("support-test")
                        .getBlobClient("kept.csv")
                        .downloadContent()
                        .toString())
                .isEqualTo("kept");
    }
}
