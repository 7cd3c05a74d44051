// Writes bench/intake.sh's figures: a table per run, the median ratio, the machine; into docs/benchmarks.md
// between <!-- bench:intake-<ledger>:start --> and <!-- bench:intake-<ledger>:end --> (appended when absent),
// leaving every other section alone. Prints the section.
import fs from "node:fs";
import path from "node:path";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1] ?? "";
const rounds = Number(args.rounds);
const read = (label) => JSON.parse(fs.readFileSync(path.join(args.results, `${label}.json`), "utf8"));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, d = 0) =>
  n == null || Number.isNaN(n) ? "—" : n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const uptime = fs.existsSync(path.join(args.results, "uptime.txt"))
  ? fs.readFileSync(path.join(args.results, "uptime.txt"), "utf8").trim().split("\n")
  : [];

const rows = [];
const ratios = [];
const a = [];
const b = [];
let non2xx = 0;
let socketErrors = 0;
for (let r = 1; r <= rounds; r++) {
  const ra = read(`A${r}`);
  const rb = read(`B${r}`);
  a.push(ra);
  b.push(rb);
  ratios.push(ra.rps / rb.rps);
  non2xx += ra.non2xx + rb.non2xx;
  socketErrors += ra.socket_errors + rb.socket_errors;
  const load = (who) => (uptime.find((l) => l.includes(`before ${who}${r}:`)) ?? "").split(": ")[1] ?? "";
  rows.push(`| A${r} snowhook | ${fmt(ra.rps)} | ${fmt(ra.p50_ms, 1)} | ${fmt(ra.p99_ms, 1)} | ${fmt(ra.max_ms, 1)} | ${fmt(ra.requests)} | ${ra.non2xx} | ${ra.socket_errors} | ${fmt(ra.cpu_ms_per_request, 2)} | ${load("A")} |`);
  rows.push(`| B${r} bare endpoint | ${fmt(rb.rps)} | ${fmt(rb.p50_ms, 1)} | ${fmt(rb.p99_ms, 1)} | ${fmt(rb.max_ms, 1)} | ${fmt(rb.requests)} | ${rb.non2xx} | ${rb.socket_errors} | ${fmt(rb.cpu_ms_per_request, 2)} | ${load("B")} |`);
}
const ratio = median(ratios);
const p99 = Math.max(...a.map((r) => r.p99_ms));
const statuses = (() => {
  try {
    const s = JSON.parse(args.statuses);
    return Object.entries(s.byStatus).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
  } catch {
    return "(unavailable)";
  }
})();
const name = args.ledger === "postgres" ? "PostgreSQL" : "H2";
const section = `### ${name} ledger

Run: ${args.started}; ${args.machine}. The machine is shared with other builds and test runs: compare A with B of the same round, not with other runs.

| | |
|---|---|
| ledger | ${args["ledger-desc"]} |
| load | wrk, ${args.connections} connections, ${args.threads} threads, ${args.duration} per run, rounds A B × ${rounds} after a warm-up of each; every request a new blob, the whole Argo event (storage event base64-encoded twice), no Content-Type, \`Authorization: Bearer\` |
| JVM flags, both | \`${args["java-flags"]}\` |
| **median ratio A/B of req/s** | **${fmt(ratio, 2)}** (rounds: ${ratios.map((x) => fmt(x, 2)).join(", ")}) |
| **snowhook p99, worst run** | **${fmt(p99, 1)} ms** |
| non-2xx answers, all runs | ${non2xx} (socket errors ${socketErrors}) |
| CPU per request, median (ms of process CPU time) | snowhook ${fmt(median(a.map((r) => r.cpu_ms_per_request)), 2)} during the run, ${fmt(median(a.map((r) => r.cpu_ms_per_request_with_loads)), 2)} with its load until the workers drained the queue (Azurite ${fmt(median(a.map((r) => r.azurite_cpu_ms_per_request)), 2)}); bare endpoint ${fmt(median(b.map((r) => r.cpu_ms_per_request)), 2)} |
| workers draining each A run's loads after it (s) | ${a.map((r) => fmt(r.drain_s, 1)).join(", ")} |
| snowhook's loads at the end | ${statuses} |
| requests acknowledged per ledger commit (group commit) | ${args["commit-groups"] || "(unavailable)"} |

| run | req/s | p50 ms | p99 ms | max ms | requests | non-2xx | socket errors | CPU ms/request | load average before |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---|
${rows.join("\n")}
`;
console.log(section);
if (args.doc) {
  const start = `<!-- bench:intake-${args.ledger}:start -->`;
  const end = `<!-- bench:intake-${args.ledger}:end -->`;
  let doc = fs.readFileSync(args.doc, "utf8");
  const block = `${start}\n${section}${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(args.doc, doc);
}
