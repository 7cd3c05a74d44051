package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class SecurityPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SecurityProperties.class)
    static class Bind {}

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bind.class);

    @Test
    void isOpenWithNoCredentialAndReadsStatusAsOperatorByDefault() {
        runner.run(context -> {
            SecurityProperties properties = context.getBean(SecurityProperties.class);
            assertThat(properties.open()).isTrue();
            assertThat(properties.statusReads()).isEqualTo(SecurityProperties.StatusReads.OPERATOR);
        });
    }

    @Test
    void treatsBlankValuesAsUnset() {
        runner.withPropertyValues("snowhook.security.intake-token=", "snowhook.security.operator-username= ")
                .run(context -> assertThat(
                                context.getBean(SecurityProperties.class).open())
                        .isTrue());
    }

    @Test
    void bindsStatusReadsOpen() {
        runner.withPropertyValues("snowhook.security.status-reads=open")
                .run(context -> assertThat(
                                context.getBean(SecurityProperties.class).statusReads())
                        .isEqualTo(SecurityProperties.StatusReads.OPEN));
    }

    @Test
    void refusesAUsernameWithoutItsPassword() {
        runner.withPropertyValues("snowhook.security.intake-username=argo")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(
                                "snowhook.security.intake-username and intake-password must be set together"));
    }

    @Test
    void refusesAShortToken() {
        runner.withPropertyValues("snowhook.security.operator-token=short")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("operatorToken")
                        .hasStackTraceContaining("at least 16 characters"));
    }

    @Test
    void refusesOneUsernameForBothRoles() {
        runner.withPropertyValues(
                        "snowhook.security.intake-username=same",
                        "snowhook.security.intake-password=p1",
                        "snowhook.security.operator-username=same",
                        "snowhook.security.operator-password=p2")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("must differ"));
    }

    @Test
    void neverPrintsASecret() {
        SecurityProperties properties = new SecurityProperties(
                "intake-token-5f1c0e7a9b",
                "argo",
                "pass-1",
                "operator-token-8e2a91c4f0",
                "ops",
                "pass-2",
                SecurityProperties.StatusReads.OPEN);

        assertThat(properties.toString())
                .contains("argo", "ops")
                .doesNotContain("intake-token-5f1c0e7a9b", "pass-1", "operator-token-8e2a91c4f0", "pass-2");
    }
}
