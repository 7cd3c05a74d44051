package io.snowhook.warehouse.duckdb;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes copies of DuckDB's native library that dead JVMs left in the temp folder. DuckDB's JDBC driver
 * extracts its library (~60 MB) to a new {@code libduckdb_java*.so} there at every start and deletes it only
 * on a clean exit, so each SIGKILL or OOM kill leaves one behind. A copy is stale when no live process has
 * it mapped ({@code /proc/<pid>/maps}) and it is older than a minute (a JVM starting right now may still be
 * writing it). Without {@code /proc} (not Linux) nothing is removed.
 */
final class StaleNativeLibraries {

    private static final Logger log = LoggerFactory.getLogger(StaleNativeLibraries.class);

    static final Duration MIN_AGE = Duration.ofMinutes(1);

    private StaleNativeLibraries() {}

    /** Removes stale copies in {@code java.io.tmpdir}; never fails the start-up. */
    static void removeFromTempFolder() {
        try {
            List<Path> removed = remove(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/proc"), MIN_AGE);
            if (!removed.isEmpty()) {
                log.info(
                        "Removed {} copies of DuckDB's native library left by killed processes: {}",
                        removed.size(),
                        removed);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Could not look for stale copies of DuckDB's native library: {}", e.toString());
        }
    }

    /** @return the copies removed from {@code folder} */
    static List<Path> remove(Path folder, Path proc, Duration minAge) throws IOException {
        if (!Files.isDirectory(proc.resolve("self"))) {
            return List.of();
        }
        Set<Path> mapped = mappedFiles(proc);
        Instant youngest = Instant.now().minus(minAge);
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> copies = Files.newDirectoryStream(folder, "libduckdb_java*.so")) {
            for (Path copy : copies) {
                Path real = copy.toRealPath();
                if (mapped.contains(real)
                        || !Files.getLastModifiedTime(copy).toInstant().isBefore(youngest)) {
                    continue;
                }
                if (Files.deleteIfExists(copy)) {
                    removed.add(copy);
                }
            }
        }
        return removed;
    }

    /** Every file some live process has mapped. */
    private static Set<Path> mappedFiles(Path proc) throws IOException {
        Set<Path> mapped = new HashSet<>();
        try (Stream<Path> processes = Files.list(proc)) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    for (String line : Files.readAllLines(process.resolve("maps"))) {
                        int slash = line.indexOf('/');
                        if (slash >= 0 && line.contains("libduckdb_java")) {
                            mapped.add(Path.of(line.substring(slash).replace(" (deleted)", "")));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        }
        return mapped;
    }
}
