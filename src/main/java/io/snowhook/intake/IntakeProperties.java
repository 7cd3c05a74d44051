package io.snowhook.intake;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.intake.*}.
 *
 * @param maxBodySize the largest {@code POST /events} body accepted; larger ones get 413 without being
 *     read whole. An Event Hubs message is at most 1 MB, and Argo's envelopes add a third per base64 layer.
 */
@Validated
@ConfigurationProperties("snowhook.intake")
record IntakeProperties(@DefaultValue("1MB") DataSize maxBodySize) {

    IntakeProperties {
        if (maxBodySize.toBytes() < 1 || maxBodySize.toBytes() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "snowhook.intake.max-body-size must be between 1B and 2047MB, was " + maxBodySize);
        }
    }
}
