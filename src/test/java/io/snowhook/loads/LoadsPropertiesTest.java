package io.snowhook.loads;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class LoadsPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(LoadsProperties.class)
    static class Config {}

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void keepsFinalLoadsNinetyDaysByDefaultPurgingInSmallBatchesHourly() {
        runner.run(context -> {
            LoadsProperties properties = context.getBean(LoadsProperties.class);
            assertThat(properties.retention()).isEqualTo(Duration.ofDays(90));
            assertThat(properties.retentionBatch()).isEqualTo(2000);
            assertThat(properties.retentionInterval()).isEqualTo(Duration.ofHours(1));
            assertThat(properties.purging()).isTrue();
        });
    }

    @Test
    void aRetentionOfZeroTurnsThePurgeOff() {
        runner.withPropertyValues("snowhook.loads.retention=0")
                .run(context -> assertThat(
                                context.getBean(LoadsProperties.class).purging())
                        .isFalse());
    }

    @Test
    void failsAtStartUpOnANegativeRetentionNamingTheProperty() {
        runner.withPropertyValues("snowhook.loads.retention=-1d")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining("snowhook.loads.retention"));
    }

    @Test
    void failsAtStartUpOnAnUnboundedBatchNamingTheProperty() {
        runner.withPropertyValues("snowhook.loads.retention-batch=1000000")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining("snowhook.loads.retention-batch"));
    }
}
