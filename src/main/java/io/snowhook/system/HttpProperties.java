package io.snowhook.system;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How much of a request body snowhook reads, and for how long ({@code snowhook.http.*}).
 *
 * @param maxBodySize the largest body of any request but {@code POST /events} (bounded by {@code
 *     snowhook.intake.max-body-size}); larger bodies get {@code 413}
 * @param bodyReadTimeout how long reading one body may take in all; a slower client gets {@code 408} and
 *     its connection is closed, so slow clients cannot hold the server's threads
 */
@Validated
@ConfigurationProperties("snowhook.http")
record HttpProperties(
        @NotNull @DefaultValue("16KB") DataSize maxBodySize,
        @NotNull @DefaultValue("30s") Duration bodyReadTimeout) {

    HttpProperties {
        if (maxBodySize.toBytes() <= 0) {
            throw new IllegalArgumentException("snowhook.http.max-body-size must be positive");
        }
        if (bodyReadTimeout.isNegative() || bodyReadTimeout.isZero()) {
            throw new IllegalArgumentException("snowhook.http.body-read-timeout must be positive");
        }
    }
}
