package io.snowhook;

import io.snowhook.system.StartupPreloading;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class SnowhookApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SnowhookApplication.class);
        application.addListeners(new StartupPreloading());
        application.run(args);
    }
}
