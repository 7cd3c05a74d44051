package io.snowhook.console;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Serves the console's page at {@code /}. The page holds no data and no secret: its script reads the status
 * API with the credential the browser signed in with.
 */
@Controller
@Hidden
class ConsoleController {

    static final Resource PAGE = new ClassPathResource("static/console/index.html");

    @GetMapping({"/", "/index.html"})
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .body(PAGE);
    }
}
