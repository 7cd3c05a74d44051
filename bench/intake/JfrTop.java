import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of bench/intake.sh (run: java bench/intake/JfrTop.java intake.jfr [application port]): CPU samples
 * by thread kind, by what the request threads were doing (the innermost frame of a known library), the top
 * methods, and the waits JFR recorded (parks, monitors, socket reads, file force) by where they were.
 */
public class JfrTop {

    /** Package prefix → what it means for intake; the first match from the top of a stack names a sample. */
    static final Map<String, String> CATEGORIES = new LinkedHashMap<>();

    static {
        CATEGORIES.put("tools.jackson", "JSON (Jackson)");
        CATEGORIES.put("com.fasterxml.jackson", "JSON (Jackson)");
        CATEGORIES.put("java.util.Base64", "base64");
        CATEGORIES.put("org.h2", "H2 ledger");
        CATEGORIES.put("org.postgresql", "PostgreSQL driver");
        CATEGORIES.put("com.zaxxer.hikari", "connection pool (Hikari)");
        CATEGORIES.put("org.springframework.jdbc", "Spring JDBC");
        CATEGORIES.put("org.springframework.transaction", "Spring transactions");
        CATEGORIES.put("org.springframework.security", "security filters");
        CATEGORIES.put("ch.qos.logback", "logging");
        CATEGORIES.put("org.slf4j", "logging");
        CATEGORIES.put("io.micrometer", "metrics");
        CATEGORIES.put("io.snowhook.intake", "snowhook intake");
        CATEGORIES.put("io.snowhook.loads", "snowhook loads");
        CATEGORIES.put("io.snowhook.system", "snowhook system (filters)");
        CATEGORIES.put("io.snowhook", "snowhook other");
        CATEGORIES.put("org.springframework.web", "Spring MVC");
        CATEGORIES.put("org.springframework", "Spring other");
        CATEGORIES.put("org.apache", "Tomcat / HTTP");
        CATEGORIES.put("sun.nio", "JDK I/O");
        CATEGORIES.put("java.io", "JDK I/O");
        CATEGORIES.put("java.nio", "JDK I/O");
    }

    /** The application port (args[1]): the management server's request threads are told apart by it. */
    static String APP_PORT;

    public static void main(String[] args) throws Exception {
        APP_PORT = args.length > 1 ? args[1] : null;
        List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> byCategory = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> topMethods = new HashMap<>();
        Map<String, Integer> topRequestFrames = new HashMap<>();
        Map<String, long[]> waits = new HashMap<>();
        int samples = 0;
        int requestSamples = 0;
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            RecordedThread thread = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.getThread();
            String kind = kind(thread);
            RecordedStackTrace stack = e.getStackTrace();
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                byThread.merge(kind, 1, Integer::sum);
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                topMethods.merge(kind + "  " + method(stack.getFrames().get(0)), 1, Integer::sum);
                if (kind.equals("request threads")) {
                    requestSamples++;
                    byCategory.merge(category(stack), 1, Integer::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : stack.getFrames()) {
                        String c = categoryOf(f);
                        if (c != null && seen.add(c)) {
                            inclusive.merge(c, 1, Integer::sum);
                        }
                    }
                    topRequestFrames.merge(firstOwnFrame(stack), 1, Integer::sum);
                }
            } else if (type.equals("jdk.ThreadPark")
                    || type.equals("jdk.JavaMonitorEnter")
                    || type.equals("jdk.JavaMonitorWait")
                    || type.equals("jdk.SocketRead")
                    || type.equals("jdk.FileForce")
                    || type.equals("jdk.FileWrite")) {
                if (stack == null) {
                    continue;
                }
                String key = kind + "  " + type.substring(4) + "  " + category(stack) + "  " + firstOwnFrame(stack);
                long[] w = waits.computeIfAbsent(key, k -> new long[2]);
                w[0]++;
                w[1] += e.getDuration().toNanos();
            }
        }
        System.out.printf("CPU samples: %d (jdk.ExecutionSample)%n", samples);
        print("by thread", byThread, samples, 10);
        print("request threads, by the innermost known library on the stack (self)", byCategory, requestSamples, 30);
        print("request threads, samples with the library anywhere on the stack (inclusive)", inclusive, requestSamples, 30);
        print("request threads, by the innermost snowhook or Spring frame", topRequestFrames, requestSamples, 25);
        print("top methods (self), by thread kind", topMethods, samples, 30);
        System.out.println();
        System.out.println("waits recorded by JFR (over its thresholds: 10-20 ms in 'profile'), by total time:");
        waits.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
                .limit(25)
                .forEach(w -> System.out.printf(
                        "  %8.1f ms total  %6d x  %s%n", w.getValue()[1] / 1e6, w.getValue()[0], w.getKey()));
    }

    static void print(String title, Map<String, Integer> counts, int total, int limit) {
        System.out.println();
        System.out.println(title + ":");
        counts.entrySet().stream()
                .sorted((x, y) -> y.getValue() - x.getValue())
                .limit(limit)
                .forEach(c -> System.out.printf(
                        "  %5.1f %%  %6d  %s%n", 100.0 * c.getValue() / Math.max(1, total), c.getValue(), c.getKey()));
    }

    static String kind(RecordedThread thread) {
        String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
        if (name.startsWith("http-nio") && name.contains("exec")) {
            return APP_PORT == null || name.contains("-" + APP_PORT + "-exec") ? "request threads" : "management threads";
        }
        if (name.startsWith("snowhook-loader")) return "load workers";
        if (name.startsWith("snowhook-lease")) return "lease renewals";
        if (name.startsWith("http-nio")) return "Tomcat poller/acceptor";
        if (name.contains("GC") || name.contains("G1")) return "GC";
        if (name.contains("Compiler") || name.contains("C1") || name.contains("C2")) return "JIT";
        return "other: " + name.replaceAll("[0-9]+", "N");
    }

    static String category(RecordedStackTrace stack) {
        for (RecordedFrame f : stack.getFrames()) {
            String c = categoryOf(f);
            if (c != null) {
                return c;
            }
        }
        return "JDK/other";
    }

    static String categoryOf(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        for (Map.Entry<String, String> c : CATEGORIES.entrySet()) {
            if (type.startsWith(c.getKey())) {
                return c.getValue();
            }
        }
        return null;
    }

    static String firstOwnFrame(RecordedStackTrace stack) {
        List<String> path = new ArrayList<>();
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("io.snowhook")) {
                return method(f);
            }
        }
        return stack.getFrames().isEmpty() ? "?" : "(no snowhook frame) " + method(stack.getFrames().get(0));
    }

    static String method(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }

}
