package io.snowhook.routing;

import jakarta.validation.Valid;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code snowhook.routes[n]}: the configured prefix → table routes. */
@Validated
@ConfigurationProperties("snowhook")
record RoutingProperties(@DefaultValue @Valid List<Route> routes) {}
