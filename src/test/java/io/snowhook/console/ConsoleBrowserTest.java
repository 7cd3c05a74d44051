package io.snowhook.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.snowhook.support.ArgoEvents;
import io.snowhook.support.AzuriteServer;
import io.snowhook.support.Chromium;
import io.snowhook.support.SnowhookTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console in a real browser (Debian's chromium, headless), signed in with the operator's username and
 * password, against the whole service: Azurite, the workers, DuckDB and H2. Skipped, saying why, where
 * chromium is not installed.
 */
@SnowhookTest
@TestPropertySource(properties = SnowhookTest.CREDENTIALS)
class ConsoleBrowserTest {

    static final String INTAKE_TOKEN = SnowhookTest.INTAKE_TOKEN;
    static final String PASSWORD = SnowhookTest.OPERATOR_PASSWORD;
    static final String CONTAINER = AzuriteServer.DEFAULT_CONTAINER;
    static final String HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel\n";
    static final AzuriteServer azurite = AzuriteServer.shared();
    static final Duration WAIT = Duration.ofSeconds(60);

    static ChromeDriver browser;

    @BeforeAll
    static void startBrowser() {
        String missing = Chromium.missing();
        assumeTrue(missing == null, missing);
        browser = Chromium.start(1280, 1000);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    final HttpClient http =
            HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    final String factory = "f" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void showsAFailedLoadAndLoadsTheFixedFileAfterReingestOfTheBlobAsItIsNow() {
        String blob = "orders/" + factory + "/2026-11-23.csv";
        String failed = postCreated(blob, ordersCsv("not-a-number"), "1");
        awaitStatus(failed, "FAILED");

        signIn();
        markPage();
        WebElement card = waitFor(By.cssSelector(".failed-card[data-load-id='" + failed + "']"));
        assertThat(card.findElement(By.className("blob")).getText()).isEqualTo(blob);
        String error = card.findElement(By.className("error")).getText();
        assertThat(error).contains("line ").contains("not-a-number");

        azurite.upload(CONTAINER, blob, ordersCsv("2"));
        card.findElement(By.className("reingest-current")).click();

        WebElement tracked = waitFor(By.cssSelector(".failed-card[data-load-id='" + failed + "'] .tracked"));
        String reingest = tracked.getAttribute("data-reingest-id");
        wait(WAIT)
                .until(d -> d.findElements(By.cssSelector(
                                        "#loads-table tr[data-load-id='" + reingest + "'][data-status='LOADED']"))
                                .size()
                        == 1);
        wait(WAIT)
                .until(d -> d.findElement(By.cssSelector(".failed-card[data-load-id='" + failed + "'] .tracked"))
                        .getText()
                        .contains("LOADED"));
        assertThat(pageMarker()).as("the page was not reloaded").isEqualTo("still here");

        JsonNode load = load(reingest);
        assertThat(load.get("status").asString()).isEqualTo("LOADED");
        assertThat(load.get("reingestOf").asString()).isEqualTo(failed);
        assertThat(load.get("rowsLoaded").asLong()).isEqualTo(2);
        assertThat(load.get("etag").asString())
                .isNotEqualTo(load(failed).get("etag").asString());
    }

    @Test
    void expandsALoadToItsAttemptsTimingsETagSequencerRowsAndBytes() {
        String blob = "orders/" + factory + "/2026-11-24.csv";
        String loaded = postCreated(blob, ordersCsv("3"), "1");
        awaitStatus(loaded, "LOADED");

        signIn();
        WebElement expand = waitFor(By.cssSelector("#loads-table tr[data-load-id='" + loaded + "'] button.expand"));
        expand.sendKeys(" ");
        WebElement details = waitFor(By.id("d-" + loaded));
        assertThat(details.getText())
                .contains("eTag")
                .contains(load(loaded).get("etag").asString())
                .contains("0000000000000442000000000000000" + "1")
                .contains("Attempts")
                .contains("Rows parsed / loaded")
                .contains("Bytes")
                .contains("Finished");
    }

    @Test
    void pageFetchesNothingFromAnyOriginButItsOwn() {
        signIn();
        waitFor(By.cssSelector(".connection.live"));
        List<?> urls = (List<?>) ((JavascriptExecutor) browser)
                .executeScript("return performance.getEntriesByType('resource').map(e => e.name)"
                        + ".concat([location.origin + '/'])");
        assertThat(urls).hasSizeGreaterThan(3).allSatisfy(url -> {
            URI uri = URI.create((String) url);
            assertThat(uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort())
                    .as(uri.getPath())
                    .isEqualTo("http://127.0.0.1:" + port);
        });
    }

    @Test
    void refusesAReingestPostedByAFormOnAnotherSite() throws IOException {
        String blob = "orders/" + factory + "/2026-11-25.csv";
        String failed = postCreated(blob, ordersCsv("bad"), "1");
        awaitStatus(failed, "FAILED");
        signIn(); // the browser now holds the operator's basic credentials for the console's origin

        String target = "http://127.0.0.1:" + port + "/loads/" + failed + "/reingest?version=current";
        byte[] page = ("<!doctype html><html><body><form id=f method=post action=\"" + target + "\">"
                        + "<button id=go>win a prize</button></form></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        HttpServer otherSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        otherSite.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        otherSite.start();
        try {
            browser.get("http://127.0.0.1:" + otherSite.getAddress().getPort() + "/");
            browser.findElement(By.id("go")).click();
            wait(WAIT).until(d -> d.getCurrentUrl().startsWith("http://127.0.0.1:" + port));
            assertThat(browser.getPageSource()).contains("cross-site-request");
        } finally {
            otherSite.stop(0);
        }
        assertThat(loadsOf(blob)).as("nothing was re-ingested").hasSize(1);
    }

    /** Opens the console with the operator's username and password, as a browser's sign-in would send them. */
    void signIn() {
        browser.get("http://ops:" + PASSWORD + "@127.0.0.1:" + port + "/");
        try {
            waitFor(By.cssSelector(".connection.live"));
        } catch (RuntimeException e) {
            System.out.println("The console when signing in timed out: " + browser.getPageSource());
            System.out.println(
                    "DEBUG logs: " + browser.manage().logs().get("browser").getAll());
            throw e;
        }
    }

    void markPage() {
        ((JavascriptExecutor) browser).executeScript("window.snowhookTestMarker = 'still here'");
    }

    Object pageMarker() {
        return ((JavascriptExecutor) browser).executeScript("return window.snowhookTestMarker");
    }

    WebElement waitFor(By by) {
        return wait(WAIT).until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    static WebDriverWait wait(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(200));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    byte[] ordersCsv(String quantity) {
        return (HEADER + "o-1," + factory + ",JS-101,1,4.50,EUR,2026-11-23T08:00:00Z,web\n" + "o-2," + factory
                        + ",JS-102," + quantity + ",4.50,EUR,2026-11-23T08:01:00Z,web\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    String postCreated(String blob, byte[] content, String sequence) {
        String etag = azurite.upload(CONTAINER, blob, content);
        ArgoEvents.StorageEvent event = ArgoEvents.blobCreated(
                AzuriteServer.ACCOUNT,
                CONTAINER,
                blob,
                etag,
                content.length,
                "0000000000000442000000000000000" + sequence,
                "PutBlockList",
                ArgoEvents.azuriteUrlBase(azurite.port(), AzuriteServer.ACCOUNT));
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/events"))
                .header("Authorization", "Bearer " + INTAKE_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(ArgoEvents.argoWholeEvent(event))));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json.readTree(answer.body()).get("loads").get(0).get("id").asString();
    }

    void awaitStatus(String id, String status) {
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> load(id).get("status").asString(), status::equals);
    }

    JsonNode load(String id) {
        return json.readTree(operatorGet("/loads/" + id));
    }

    List<JsonNode> loadsOf(String blob) {
        JsonNode page = json.readTree(operatorGet("/loads?blob=" + blob));
        return page.get("loads").valueStream().toList();
    }

    String operatorGet(String path) {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri(path))
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(("ops:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .GET());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
