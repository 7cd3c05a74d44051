package io.snowhook.system;

import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobServiceClientBuilder;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Loads, on a second thread, what start-up needs later and costs the most before it is needed: DuckDB's native
 * library (extracted from the jar, ~60 MB, and mapped) when the warehouse is DuckDB, and the Azure SDK's blob
 * client with its HTTP client. Meanwhile the main thread reads the configuration and builds the beans before
 * them; when it reaches them their classes are loaded. Nothing here is a check or holds state: the beans still
 * open, build and verify everything themselves, and fail the start-up as before; a failure here is ignored
 * (the bean reports it). The same idea as Spring Boot's own {@code BackgroundPreinitializer}.
 */
public final class StartupPreloading implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupPreloading.class);

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        boolean duckdb = "duckdb"
                .equalsIgnoreCase(event.getEnvironment()
                        .getProperty("snowhook.warehouse.type", "duckdb")
                        .strip());
        ClassLoader loader = StartupPreloading.class.getClassLoader();
        Thread thread = new Thread(() -> preload(duckdb, loader), "snowhook-preload");
        thread.setDaemon(true);
        thread.start();
    }

    private static void preload(boolean duckdb, ClassLoader loader) {
        if (duckdb) {
            try {
                // its static initialiser extracts and loads the native library, as the first connection would
                Class.forName("org.duckdb.DuckDBNative", true, loader);
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                log.debug("DuckDB's native library not preloaded: {}", e.toString());
            }
        }
        try {
            // a client for no account: building it sends nothing
            new BlobServiceClientBuilder()
                    .endpoint("http://127.0.0.1:9/preload")
                    .clientOptions(new HttpClientOptions().setResponseTimeout(Duration.ofSeconds(1)))
                    .sasToken("sv=preload")
                    .buildClient();
        } catch (LinkageError | RuntimeException e) {
            log.debug("Azure blob client not preloaded: {}", e.toString());
        }
    }
}
