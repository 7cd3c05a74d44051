// Waits until snowhook has no QUEUED or LOADING load (GET /loads/summary); prints the seconds it waited.
// Usage: node drain.mjs <snowhook url> <operator token> <timeout seconds>
const [url, token, timeout] = process.argv.slice(2);
const started = Date.now();
const deadline = started + Number(timeout) * 1000;
const busy = (summary) =>
  Object.entries(summary.byStatus ?? summary.statuses ?? {})
    .filter(([status]) => status === "QUEUED" || status === "LOADING")
    .reduce((n, [, count]) => n + count, 0);
while (Date.now() < deadline) {
  const response = await fetch(`${url}/loads/summary`, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status !== 200) {
    console.error(`GET /loads/summary: HTTP ${response.status}`);
    process.exit(1);
  }
  if (busy(await response.json()) === 0) {
    console.log(((Date.now() - started) / 1000).toFixed(1));
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 500));
}
console.error(`snowhook still had queued or loading loads after ${timeout} s`);
process.exit(1);
