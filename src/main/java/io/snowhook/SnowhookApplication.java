package io.snowhook;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class SnowhookApplication {

    public static void main(String[] args) {
        SpringApplication.run(SnowhookApplication.class, args);
    }
}
