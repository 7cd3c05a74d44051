package io.snowhook.system;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The served OpenAPI document's title and the two kinds of credential snowhook accepts (see {@link SecurityChain}). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI snowhookOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("snowhook")
                        .description("Loads files into Snowflake the moment they land in Azure Blob Storage. "
                                + "POST /events takes the intake credential; re-ingest and ingestions the operator "
                                + "credential; GET /loads… the operator credential unless status reads are open. "
                                + "Every error is an RFC 9457 problem detail."))
                .components(new Components()
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer"))
                        .addSecuritySchemes(
                                "basic",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("basic")));
    }
}
