package io.snowhook.loads.ledger;

import io.snowhook.system.Problem;
import org.springframework.http.HttpStatus;

/** An operator asked to load a blob whose name matches no configured route. */
final class NoRoute extends Problem {

    NoRoute(String blob) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "no-route",
                "No route for blob",
                "No configured route (snowhook.routes) matches blob name '" + blob + "'");
        with("blob", blob);
    }
}
