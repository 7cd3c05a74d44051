package io.snowhook.routing;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** Picks the route for a blob name: the longest configured prefix that matches wins. */
@Component
@EnableConfigurationProperties(RoutingProperties.class)
public class Router {

    private final List<Route> routes;

    Router(RoutingProperties properties) {
        this.routes = properties.routes().stream()
                .sorted(Comparator.comparingInt((Route r) -> r.prefix().length())
                        .reversed())
                .toList();
    }

    public Optional<Route> route(String blobName) {
        return routes.stream().filter(r -> blobName.startsWith(r.prefix())).findFirst();
    }

    public List<Route> routes() {
        return routes;
    }
}
