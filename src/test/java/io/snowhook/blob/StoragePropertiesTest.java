package io.snowhook.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class StoragePropertiesTest {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Config.class)
            .withPropertyValues(
                    "snowhook.storage.accounts[0].name=javasipsfactory",
                    "snowhook.storage.accounts[0].containers[0]=factory-uploads");

    @Test
    void acceptsExactlyOneCredentialPerAccount() {
        runner.withPropertyValues("snowhook.storage.accounts[0].sas-token=sv=2024&sig=x")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    StorageProperties properties = context.getBean(StorageProperties.class);
                    assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(properties.readTimeout()).isEqualTo(Duration.ofSeconds(60));
                    assertThat(properties.accounts().get(0).endpointOrDefault())
                            .hasToString("https://javasipsfactory.blob.core.windows.net");
                });
        runner.withPropertyValues("snowhook.storage.accounts[0].credential=default")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void failsAtStartUpNamingTheAccountWithoutACredential() {
        runner.run(context -> assertThat(context)
                .getFailure()
                .rootCause()
                .hasMessageContaining("snowhook.storage.accounts[0].oneCredential")
                .hasMessageContaining("set exactly one of connection-string, sas-token, credential"));
    }

    @Test
    void failsAtStartUpWhenAnAccountHasTwoCredentials() {
        runner.withPropertyValues(
                        "snowhook.storage.accounts[0].sas-token=sv=2024&sig=x",
                        "snowhook.storage.accounts[0].credential=default")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("snowhook.storage.accounts[0].oneCredential"));
    }

    @Test
    void failsAtStartUpOnAnUnknownCredentialKind() {
        runner.withPropertyValues("snowhook.storage.accounts[0].credential=managed")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("snowhook.storage.accounts[0].credential")
                        .hasMessageContaining("must be 'default'"));
    }

    @Test
    void hidesSecretsFromItsTextForm() {
        StorageProperties.Account account =
                new StorageProperties.Account("a", null, java.util.List.of("c"), "AccountKey=secret", null, null);

        assertThat(account.toString()).doesNotContain("secret");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(StorageProperties.class)
    static class Config {}
}
