package io.snowhook.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} driven headless through its {@code chromium-driver}, for the console's browser
 * test and the screenshot script. Both binaries are named explicitly, so Selenium Manager never runs (it
 * would download drivers), and the flags keep the browser off the network: no background requests, no
 * component updates, no sync, no QUIC; a fresh profile every time.
 */
public final class Chromium {

    public static final Path BROWSER = Path.of(System.getProperty("snowhook.chromium", "/usr/bin/chromium"));
    public static final Path DRIVER = Path.of(System.getProperty("snowhook.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {}

    /** Why the browser cannot run here, or null when it can. */
    public static @Nullable String missing() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            return "Debian's chromium and chromium-driver are not installed (" + BROWSER + ", " + DRIVER
                    + "): apt-get install -y chromium chromium-driver, as .ci/run does";
        }
        return null;
    }

    /** A headless browser with a window of {@code width} × {@code height} CSS pixels and a fresh profile. */
    public static ChromeDriver start(int width, int height) {
        Path profile = TestFiles.tempDir("snowhook-chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        options.addArguments(List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }
}
