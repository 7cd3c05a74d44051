// Writes bench/startup.sh's figures into docs/benchmarks.md, replacing only the section between
// <!-- bench:startup:start --> and <!-- bench:startup:end --> (appended when the markers are absent).
//
//   node bench/startup-report.mjs <results.jsonl> <doc> <jar> <baseline jar or ""> <load before> <load after> <java> <CDS folder>
import { readFileSync, writeFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";

const [resultsFile, doc, jar, baseline, loadBefore, loadAfter, javaVersion, cdsApp] = process.argv.slice(2);
const START = "<!-- bench:startup:start -->";
const END = "<!-- bench:startup:end -->";

const results = readFileSync(resultsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const seconds = (x) => `${x.toFixed(2)} s`;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

function figures(label) {
  const runs = results.filter((r) => r.label === label).map((r) => r.result);
  const ready = runs.map((r) => r.readySeconds);
  const started = runs.map((r) => r.startedLineSeconds).filter((x) => x !== null);
  return {
    n: runs.length,
    ready: median(ready),
    readyMin: Math.min(...ready),
    readyMax: Math.max(...ready),
    started: median(started),
    spring: median(runs.map((r) => r.springSeconds).filter((x) => x != null)),
    cpu: median(runs.map((r) => r.cpuSeconds).filter((x) => x != null)),
    all: ready.map((x) => x.toFixed(2)).join(", "),
  };
}

/** The largest libraries in the jar's BOOT-INF/lib, by stored (compressed) size. */
function largest(path, count) {
  const listing = execFileSync("unzip", ["-v", path], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return listing
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[7]?.startsWith("BOOT-INF/lib/"))
    .map((f) => ({ name: f[7].slice("BOOT-INF/lib/".length), size: +f[2] }))
    .sort((a, b) => b.size - a.size)
    .slice(0, count);
}

const labels = baseline ? ["jar", "cds", "baseline"] : ["jar", "cds"];
const f = Object.fromEntries(labels.map((l) => [l, figures(l)]));
const size = statSync(jar).size;
const archive = statSync(`${cdsApp}/snowhook.jsa`).size;
const classes = readFileSync(`${cdsApp}/classes.lst`, "utf8").trim().split("\n").length;
const now = new Date().toISOString().slice(0, 16).replace("T", " ");
const machine = `${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 1024 / 1024).toLocaleString("en")} MiB RAM, ${javaVersion}`;

let rows = [
  `| executable jar (\`target/snowhook.jar\`) | **${mb(size)}** (${mib(size)}, ${size.toLocaleString("en")} bytes) |`,
  `| largest libraries in it (stored size) | ${largest(jar, 4).map((l) => `${l.name} ${mb(l.size)}`).join("; ")} |`,
  `| \`java -jar\` start-up to ready, median of ${f.jar.n} (readiness probe 200 on the management port) | **${seconds(f.jar.ready)}** (min ${seconds(f.jar.readyMin)}, max ${seconds(f.jar.readyMax)}; each: ${f.jar.all}) |`,
  `| to the "Started" log line, median | ${seconds(f.jar.started)} (Spring Boot's own figure: ${seconds(f.jar.spring)}) |`,
  `| CPU time (user + system, all threads) used until ready, median | ${seconds(f.jar.cpu)} |`,
  `| extracted jar + CDS archive (\`scripts/cds.sh\`) start-up to ready, median of ${f.cds.n}, same run | **${seconds(f.cds.ready)}** (min ${seconds(f.cds.readyMin)}, max ${seconds(f.cds.readyMax)}; each: ${f.cds.all}) |`,
  `| to the "Started" log line, median | ${seconds(f.cds.started)} (Spring Boot's own figure: ${seconds(f.cds.spring)}) |`,
  `| CPU time until ready, median | ${seconds(f.cds.cpu)} |`,
  `| CDS archive (\`snowhook.jsa\`) | ${mb(archive)}, ${classes.toLocaleString("en")} classes |`,
];
if (baseline) {
  const b = f.baseline;
  const bsize = statSync(baseline).size;
  rows.push(
    `| before, same run: jar | ${mb(bsize)} |`,
    `| before, same run: start-up to ready, median of ${b.n} | ${seconds(b.ready)} (min ${seconds(b.readyMin)}, max ${seconds(b.readyMax)}; each: ${b.all}); "Started" line ${seconds(b.started)}; CPU time ${seconds(b.cpu)} |`,
  );
}

const busy =
  Math.max(+loadBefore.split(" ")[0], +loadAfter.split(" ")[0]) > os.cpus().length
    ? ` The load average was above the ${os.cpus().length} CPUs: most of the wall time is waiting for a CPU, and
the CPU time is the figure that moves with the code.`
    : "";
const section = `${START}
## Executable jar and start-up (\`bench/startup.sh\`)

Each start is \`java -jar target/snowhook.jar\` without JVM options, or the layout \`scripts/cds.sh\` makes
(\`java -XX:SharedArchiveFile=target/app/snowhook.jsa -jar target/app/snowhook.jar\`: the jar extracted
by Spring Boot's tools jarmode and a static Class Data Sharing archive of the classes a training run
loaded, see the README's Quick start), on the embedded defaults (H2 ledger,
DuckDB warehouse, Azurite on loopback) in a fresh data folder, so Flyway creates the ledger and DuckDB its
file every time (the first start of a deployment; later starts only validate). Ready = the first 200 of
\`GET /actuator/health/readiness\` on the management port, polled every 20 ms, counted from the spawn of
\`java\`. Starts alternate (${baseline ? "before, " : ""}jar, CDS, ${baseline ? "before, " : ""}jar, CDS…), after one untimed warm-up start each.
Run: ${now} UTC, ${machine}; load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after.

| | |
|---|---|
${rows.join("\n")}

Where start-up goes (one start under JFR and Spring's \`BufferingApplicationStartup\`, before the changes
below): 44 % of the main thread's CPU samples load classes, 18 % read the nested jars of the executable jar,
17 % of the wall time parses the configuration classes; of the 16,785 classes loaded (\`-Xlog:class+load\`, up to
the stop), 1,000 were the Snowflake driver's (initialised by \`DriverManager\` although the warehouse is
DuckDB) and 884 Netty's. After the changes: 15,214 classes, none of either.
Since then: the Azure SDK runs on the JDK's HTTP client (no Netty, 20 MB and its natives out of the jar);
the ledger's pool and DuckDB connect through their driver, not \`DriverManager\` (the Snowflake driver is
not loaded before Snowflake is used); no WebSocket support; DuckDB's native library and the Azure blob
client load on a second thread while the context is built. The configuration checks are unchanged: every
bean is still created, validated and connected before the service is ready. The CDS layout changes only
where the classes come from, not what runs: the same beans, the same checks (a start with
\`--snowhook.loads.batch.max-files=0\` still exits 1, "APPLICATION FAILED TO START", naming the property).${busy}

Reproduce: \`flock /work/.bench.lock bench/startup.sh\` (\`RUNS=7\`; \`BASELINE=<older jar>\` times an older
jar in the same run); it is not part of \`./mvnw verify\`.
${END}`;

let text = readFileSync(doc, "utf8");
const a = text.indexOf(START);
const z = text.indexOf(END);
if (a >= 0 && z > a) {
  text = text.slice(0, a) + section + text.slice(z + END.length);
} else {
  text = text.replace(/\s*$/, "\n\n") + section + "\n";
}
writeFileSync(doc, text);
console.log(section);
