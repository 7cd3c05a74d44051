package io.snowhook.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.Chromium;
import io.snowhook.support.TestFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Takes the console screenshots of {@code docs/} with the browser setup of {@link ConsoleBrowserTest}:
 * JavaSips orders and inventory files, three of them with a bad row, loaded through the whole service. The
 * sample loads all finish within a minute, so their finish and event times are then spread over the last
 * hour to give the charts an hour to show. Not part of {@code ./mvnw verify} (tag {@code
 * console-screenshots}); run {@code scripts/console-screenshots.sh}.
 */
@Tag("console-screenshots")
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:console-screenshots;DB_CLOSE_DELAY=-1",
            "snowhook.loads.workers=2",
            "snowhook.security.intake-token=" + ConsoleScreenshots.INTAKE_TOKEN,
            "snowhook.security.operator-username=ops",
            "snowhook.security.operator-password=" + ConsoleScreenshots.PASSWORD
        })
class ConsoleScreenshots {

    static final String INTAKE_TOKEN = "screenshot-intake-token-1";
    static final String PASSWORD = "screenshot-password-1";
    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final Path DIR = TestFiles.tempDir("snowhook-console-screenshots");
    static final Path DOCS = Path.of(System.getProperty("snowhook.screenshots", "docs"));

    @DynamicPropertySource
    static void storageAndWarehouse(DynamicPropertyRegistry registry) {
        AzuriteServer.register(registry, CONTAINER);
        registry.add("snowhook.warehouse.duckdb.path", () -> DIR.resolve("warehouse.duckdb"));
        registry.add("snowhook.warehouse.duckdb.stage", () -> DIR.resolve("stage"));
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    final HttpClient http =
            HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    final Random random = new Random(42);

    @Test
    void takesTheConsoleScreenshots() throws Exception {
        String missing = Chromium.missing();
        assumeTrue(missing == null, missing);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 36; i++) {
            String factory = "factory-" + (char) ('a' + i % 4);
            ids.add(post(
                    "orders/" + factory + "/2026-11-" + (10 + i % 20) + "-" + i + ".csv",
                    orders(factory, 3 + i % 9, null)));
        }
        for (int i = 1; i <= 8; i++) {
            String factory = "factory-" + (char) ('a' + i % 4);
            ids.add(post("inventory/" + factory + "/2026-11-" + (10 + i) + ".csv", inventory(factory, 4 + i)));
        }
        ids.add(post("orders/factory-b/2026-11-30.csv", orders("factory-b", 6, "4.5O")));
        ids.add(post(
                "orders/factory-c/2026-11-30.csv",
                orders("factory-c", 9, null).replace("EUR,2026-11-23T08:05", "EUR,yesterday")));
        ids.add(post("orders/factory-d/2026-11-30.csv", orders("factory-d", 4, "12x")));
        await(ids);
        spreadOverTheLastHour();

        ChromeDriver browser = Chromium.start(1280, 1500);
        try {
            browser.get("http://ops:" + PASSWORD + "@127.0.0.1:" + port + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.until(d -> !d.findElements(By.cssSelector(".connection.live")).isEmpty()
                    && !d.findElements(By.cssSelector(".failed-card")).isEmpty());
            WebElement firstFailed =
                    browser.findElement(By.cssSelector("#loads-table tr[data-status='FAILED'] button.expand"));
            firstFailed.click();
            wait.until(d -> !d.findElements(By.cssSelector("tr.details")).isEmpty());
            Thread.sleep(500);
            save(browser.getScreenshotAs(OutputType.BYTES), "console-summary.png");
            save(browser.findElement(By.id("failed")).getScreenshotAs(OutputType.BYTES), "console-failed-load.png");

            browser.findElement(By.id("theme")).click();
            browser.findElement(By.id("theme")).click(); // auto → light → dark
            Thread.sleep(300);
            save(browser.getScreenshotAs(OutputType.BYTES), "console-dark.png");

            browser.manage().window().setSize(new Dimension(390, 1600));
            browser.findElement(By.id("theme")).click(); // back to auto (light in headless chromium)
            ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
            Thread.sleep(500);
            save(browser.getScreenshotAs(OutputType.BYTES), "console-phone.png");
        } finally {
            browser.quit();
        }
    }

    void save(byte[] png, String name) throws IOException {
        Files.createDirectories(DOCS);
        Files.write(DOCS.resolve(name), png);
        System.out.println("wrote " + DOCS.resolve(name).toAbsolutePath());
    }

    /** Moves each finished load to a minute of the last hour, its event a few seconds to a minute earlier. */
    void spreadOverTheLastHour() {
        Instant now = Instant.now();
        List<String> finished = jdbc.sql("SELECT id FROM loads WHERE finished_at IS NOT NULL ORDER BY received_at")
                .query(String.class)
                .list();
        for (int i = 0; i < finished.size(); i++) {
            Instant at = now.minusSeconds(60L * (58 - (i * 58L / finished.size())) + random.nextInt(50));
            Instant event = at.minusMillis(1500 + random.nextInt(i % 7 == 0 ? 60000 : 9000));
            jdbc.sql("UPDATE loads SET finished_at = :at, started_at = :started, event_time = :event,"
                            + " received_at = :received WHERE id = :id")
                    .param("at", at.atOffset(ZoneOffset.UTC))
                    .param("started", at.minusMillis(400 + random.nextInt(900)).atOffset(ZoneOffset.UTC))
                    .param("event", event.atOffset(ZoneOffset.UTC))
                    .param("received", event.plusMillis(300).atOffset(ZoneOffset.UTC))
                    .param("id", UUID.fromString(finished.get(i)))
                    .update();
        }
    }

    String orders(String factory, int rows, String badPrice) {
        StringBuilder csv =
                new StringBuilder("order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n");
        for (int i = 1; i <= rows; i++) {
            String price = badPrice != null && i == rows - 1 ? badPrice : "4.50";
            csv.append("o-%s-%d,%s,JS-10%d,%d,%s,EUR,2026-11-23T08:%02d:00Z,web\n"
                    .formatted(UUID.randomUUID().toString().substring(0, 6), i, factory, i % 10, i, price, i));
        }
        return csv.toString();
    }

    String inventory(String factory, int rows) {
        StringBuilder csv = new StringBuilder("factory_id,sku,product_name,quantity_on_hand,unit,counted_at\n");
        for (int i = 1; i <= rows; i++) {
            csv.append("%s,JS-10%d,Espresso beans %d,%d,kg,2026-11-23T18:00:00Z\n".formatted(factory, i, i, 10 * i));
        }
        return csv.toString();
    }

    String post(String blob, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String etag = azurite.upload(CONTAINER, blob, bytes);
        ArgoEvents.StorageEvent event = ArgoEvents.blobCreated(
                AzuriteServer.ACCOUNT,
                CONTAINER,
                blob,
                etag,
                bytes.length,
                "000000000000044200000000000" + (10000 + random.nextInt(89999)),
                "PutBlockList",
                ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT));
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                        .header("Authorization", "Bearer " + INTAKE_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return JsonMapper.shared()
                .readTree(answer.body())
                .get("loads")
                .get(0)
                .get("id")
                .asString();
    }

    void await(List<String> ids) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(120))
                .until(() -> jdbc.sql("SELECT COUNT(*) FROM loads WHERE finished_at IS NULL")
                                .query(Long.class)
                                .single()
                        == 0);
    }
}
