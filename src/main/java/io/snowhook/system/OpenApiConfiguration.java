package io.snowhook.system;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The served OpenAPI document's title, the two kinds of credential snowhook accepts (see {@link
 * SecurityChain}), and the answers every operation may give before its controller runs: 400 for a request
 * Tomcat rejects, 408 and 413 for a body too slow or too large ({@link BoundedBodies}).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenApiCustomizer snowhookTransportProblems() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths()
                    .values()
                    .forEach(path -> path.readOperationsMap().forEach((method, operation) -> {
                        ApiResponses responses = operation.getResponses();
                        if (responses == null) {
                            return;
                        }
                        if (!responses.containsKey("400")) {
                            responses.addApiResponse(
                                    "400", problem("bad-request: a malformed request (request line, headers, path)"));
                        }
                        if (method == PathItem.HttpMethod.POST) {
                            if (!responses.containsKey("408")) {
                                responses.addApiResponse(
                                        "408",
                                        problem(
                                                "request-timeout: the body took longer than snowhook.http.body-read-timeout"));
                            }
                            if (!responses.containsKey("413")) {
                                responses.addApiResponse(
                                        "413",
                                        problem("payload-too-large: the body is over snowhook.http.max-body-size"));
                            }
                        }
                    }));
        };
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                "application/problem+json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/ProblemDetail"))));
    }

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
