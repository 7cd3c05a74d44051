// Starts one snowhook process and reports, as one JSON line, how long it took from the spawn of `java` to
// (a) the readiness probe answering 200 on the management port and (b) Spring Boot's "Started … in N seconds"
// log line, and the CPU time (user + system) the process had used when it was ready. Used by bench/startup.sh; the process is stopped (SIGTERM) once both are seen.
//
//   node bench/startup-timer.mjs <readiness url> <timeout s> <log file> -- java <args…>
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";

const [url, timeoutSeconds, logFile, dashes, command, ...args] = process.argv.slice(2);
if (dashes !== "--" || !command) {
  console.error("usage: startup-timer.mjs <readiness url> <timeout s> <log file> -- <command> <args…>");
  process.exit(2);
}

const log = createWriteStream(logFile);
const t0 = performance.now();
const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
let exited = null;
const exit = new Promise((resolve) =>
  child.on("exit", (code, signal) => resolve((exited = { code, signal }))),
);

let startedAt = null;
let startedLine = null;
let buffered = "";
child.stdout.on("data", (chunk) => {
  log.write(chunk);
  if (startedAt !== null) return;
  buffered += chunk.toString();
  const match = buffered.match(/Started \S+ in ([\d.]+) seconds \(process running for ([\d.]+)\)/);
  if (match) {
    startedAt = performance.now();
    startedLine = { springSeconds: +match[1], processSeconds: +match[2] };
  }
  buffered = buffered.slice(-4096);
});
child.stderr.on("data", (chunk) => log.write(chunk));

const deadline = t0 + timeoutSeconds * 1000;
let readyAt = null;
let cpuSeconds = null;
/** User + system CPU time of the process so far (/proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (+fields[11] + +fields[12]) / 100;
  } catch {
    return null;
  }
}
while (performance.now() < deadline && exited === null) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    if (response.status === 200) {
      readyAt = performance.now();
      cpuSeconds = cpuOf(child.pid);
      break;
    }
  } catch {}
  await new Promise((r) => setTimeout(r, 20));
}
// the "Started" line is logged just before readiness turns UP; give it a moment if the probe was first
for (let i = 0; i < 100 && startedAt === null && exited === null; i++) {
  await new Promise((r) => setTimeout(r, 20));
}
const result = {
  readySeconds: readyAt === null ? null : (readyAt - t0) / 1000,
  startedLineSeconds: startedAt === null ? null : (startedAt - t0) / 1000,
  cpuSeconds,
  ...(startedLine ?? {}),
  exited,
};
if (exited === null) child.kill("SIGTERM");
await exit;
log.end();
console.log(JSON.stringify(result));
process.exit(readyAt === null ? 1 : 0);
