package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

class IntakePropertiesTest {

    @Configuration
    @EnableConfigurationProperties(IntakeProperties.class)
    static class Config {}

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void limitsBodiesToOneMebibyteByDefault() {
        runner.run(context -> assertThat(context.getBean(IntakeProperties.class).maxBodySize())
                .isEqualTo(DataSize.ofMegabytes(1)));
    }

    @Test
    void failsAtStartUpOnANonPositiveLimitNamingTheProperty() {
        runner.withPropertyValues("snowhook.intake.max-body-size=0B")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining("snowhook.intake.max-body-size"));
    }
}
