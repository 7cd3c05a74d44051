package io.snowhook.routing;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.LoadMode;
import io.snowhook.warehouse.Staging;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One configured route: blobs whose name starts with {@code prefix} load into {@code table}.
 *
 * @param prefix blob-name prefix, e.g. {@code inventory/}; the longest matching prefix wins
 * @param table target table; a plain identifier, validated at start-up
 * @param format file format of the blobs under the prefix
 * @param mode append, or replace the previous version's rows
 * @param staging internal (stream through snowhook) or external (the warehouse reads storage itself)
 */
public record Route(
        @NotBlank String prefix,

        @NotBlank @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]{0,254}", message = "must be a plain identifier")
        String table,

        @NotNull @DefaultValue("csv") FileFormat format,
        @NotNull @DefaultValue("append") LoadMode mode,
        @NotNull @DefaultValue("internal") Staging staging) {}
