package io.snowhook.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JVMs that load DuckDB with a temp folder of this test's own: a SIGKILLed one leaves its copy of the
 * native library behind, which is removed; a live one's copy stays.
 */
class StaleNativeLibrariesTest {

    @TempDir
    Path dir;

    @Test
    void removesTheCopyAKilledJvmLeftAndKeepsALiveOnesCopy() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process killed = holder(tmp, dir.resolve("killed.duckdb"));
        killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        List<Path> leftBehind = copies(tmp);
        assertThat(leftBehind).as("what SIGKILL leaves in the temp folder").hasSize(1);

        Process live = holder(tmp, dir.resolve("live.duckdb"));
        try {
            assertThat(copies(tmp)).hasSize(2);

            List<Path> removed = StaleNativeLibraries.remove(tmp, Path.of("/proc"), Duration.ZERO);

            assertThat(removed).containsExactlyElementsOf(leftBehind);
            assertThat(copies(tmp)).hasSize(1).doesNotContainAnyElementsOf(leftBehind);
        } finally {
            live.getOutputStream().close();
            live.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(copies(tmp)).as("a clean exit deletes its own copy").isEmpty();
    }

    @Test
    void keepsACopyYoungerThanAMinuteWhichAStartingJvmMayStillBeWriting() throws IOException {
        Path copy = Files.write(dir.resolve("libduckdb_java123.so"), new byte[] {1});

        assertThat(StaleNativeLibraries.remove(dir, Path.of("/proc"), StaleNativeLibraries.MIN_AGE))
                .isEmpty();
        assertThat(copy).exists();
    }

    /** A JVM that has loaded DuckDB (its temp folder {@code tmp}) and holds a database until stdin closes. */
    private static Process holder(Path tmp, Path database) throws IOException {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + tmp,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DuckDbFileHolder.class.getName(),
                        database.toString())
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo(DuckDbFileHolder.HOLDING);
        return process;
    }

    private static List<Path> copies(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("libduckdb_java"))
                    .sorted()
                    .toList();
        }
    }
}
