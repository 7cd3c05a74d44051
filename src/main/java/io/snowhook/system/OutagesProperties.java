package io.snowhook.system;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.outages.*}: when a dependency (the warehouse, one storage account) counts as known down,
 * and how its health is checked.
 *
 * @param failures consecutive connection-level failures (no answer: refused, reset, timed out) after which
 *     a dependency is known down; any success clears the count
 * @param probeInterval how often a known-down dependency is probed; the first successful probe ends the
 *     outage
 * @param checkTimeout how long one health check or probe may take before it counts as failed; health answers
 *     within this whatever the dependency does
 */
@Validated
@ConfigurationProperties("snowhook.outages")
public record OutagesProperties(
        @DefaultValue("3") @Min(1) int failures,
        @NotNull @DefaultValue("5s") Duration probeInterval,
        @NotNull @DefaultValue("2s") Duration checkTimeout) {}
