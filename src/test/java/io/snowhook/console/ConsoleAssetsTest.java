package io.snowhook.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The console's files in the jar reference nothing but their own origin — no CDN, no web font, no
 * analytics — and hold no inline script or style that the Content-Security-Policy would have to allow.
 * The browser test checks what the page actually fetches; this one reads every asset.
 */
class ConsoleAssetsTest {

    static final Path ASSETS = Path.of("src/main/resources/static/console");

    /** An absolute or protocol-relative URL, wherever it appears: markup, script, style. */
    static final Pattern URL = Pattern.compile("(?i)(?:[a-z][a-z0-9+.-]*:)?//[a-z0-9.-]+");

    /** The SVG namespace is a name, never fetched (createElementNS and the xmlns of icon.svg). */
    static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";

    @Test
    void referencesNoOriginButItsOwn() throws IOException {
        List<Path> files = assets();
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("index.html", "console.js");
        for (Path file : files) {
            String text = Files.readString(file).replace(SVG_NAMESPACE, "");
            Matcher url = URL.matcher(text);
            assertThat(url.find())
                    .as(file + " references " + (url.hitEnd() ? "" : text.substring(url.start(), url.end())))
                    .isFalse();
            assertThat(text)
                    .as(file.toString())
                    .doesNotContainIgnoringCase("@import")
                    .doesNotContain("data:");
        }
    }

    @Test
    void pageHasNoInlineScriptStyleOrEventHandler() throws IOException {
        String page = Files.readString(ASSETS.resolve("index.html"));

        assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)").matcher(page).find())
                .as("inline <script>")
                .isFalse();
        assertThat(page).doesNotContain("<style").doesNotContain(" style=");
        assertThat(Pattern.compile("\\son[a-z]+=").matcher(page).find())
                .as("inline event handler")
                .isFalse();
        assertThat(Files.readString(ASSETS.resolve("console.js")))
                .doesNotContain("innerHTML")
                .doesNotContain("eval(")
                .doesNotContain("new Function");
    }

    static List<Path> assets() throws IOException {
        try (Stream<Path> files = Files.list(ASSETS)) {
            return files.sorted().toList();
        }
    }
}
