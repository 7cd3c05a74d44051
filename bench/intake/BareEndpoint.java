import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.HttpEncodingAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The floor of bench/intake.sh: a bare Spring MVC endpoint of the same Spring Boot (the libraries of
 * snowhook's own jar), Tomcat with Boot's defaults. {@code POST /events} reads the body as bytes, as snowhook
 * does, records nothing and answers 202 with a load reference shaped like snowhook's answer.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({
    TomcatServletWebServerAutoConfiguration.class,
    DispatcherServletAutoConfiguration.class,
    WebMvcAutoConfiguration.class,
    HttpMessageConvertersAutoConfiguration.class,
    JacksonAutoConfiguration.class,
    HttpEncodingAutoConfiguration.class,
    ErrorMvcAutoConfiguration.class
})
@Import(BareEndpoint.Events.class)
public class BareEndpoint {

    public static void main(String[] args) {
        SpringApplication.run(BareEndpoint.class, args);
    }

    @RestController
    static class Events {

        @PostMapping("/events")
        ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
            byte[] body = request.getInputStream().readAllBytes();
            UUID id = UUID.randomUUID();
            return ResponseEntity.accepted()
                    .header("Location", "/loads/" + id)
                    .body(Map.of("loads", List.of(Map.of("id", id, "status", "QUEUED", "bytes", body.length))));
        }
    }
}
