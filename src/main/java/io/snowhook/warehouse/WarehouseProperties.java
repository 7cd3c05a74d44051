package io.snowhook.warehouse;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code snowhook.warehouse.type}: which warehouse snowhook loads into. Each adapter owns and validates its own
 * settings ({@code snowhook.warehouse.duckdb.*}, {@code snowhook.warehouse.snowflake.*}), bound only when it is
 * the configured one.
 *
 * @param type {@code duckdb} (the embedded default) or {@code snowflake}
 */
@Validated
@ConfigurationProperties("snowhook.warehouse")
public record WarehouseProperties(
        @NotBlank @Pattern(regexp = "duckdb|snowflake", message = "must be duckdb or snowflake") @DefaultValue("duckdb")
        String type) {}
