// The AWS JS SDK v3 peer of bench_client: GetItem (or PutItem) against the
// same canned endpoint with the same request (bench/canned/<op>-request.json),
// `concurrency` calls in flight for `seconds`, one Node.js process, the SDK's
// defaults (its HTTP agent keeps up to 50 sockets alive).
//   node bench/js/getitem.mjs URL CONCURRENCY SECONDS [getitem|putitem]
// Prints one JSON line shaped like bench_client's:
//   {"bench":"client","impl":"js-sdk","op":..,"concurrency":..,"calls":..,"seconds":..,
//    "rps":..,"p50_us":..,"p90_us":..,"p99_us":..,"p999_us":..,"cpu_s":..,"cpu_us_per_call":..}
// CPU is process.cpuUsage() (user+system, getrusage) over the timed phase.
process.removeAllListeners("warning"); // the SDK's Node.js version notice
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { readFileSync } from "node:fs";

const [endpoint, concurrency, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const op = process.argv[5] ?? "getitem";
const Command = { getitem: GetItemCommand, putitem: PutItemCommand }[op];
if (!endpoint || !(concurrency >= 1) || !(seconds > 0) || !Command)
  throw new Error("usage: getitem.mjs URL CONCURRENCY SECONDS [getitem|putitem]");
const input = JSON.parse(readFileSync(new URL(`../canned/${op}-request.json`, import.meta.url), "utf8"));
const client = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
  maxAttempts: 1,
});
const check = (out) => {
  if (op === "getitem" && !out.Item) throw new Error("GetItem: no Item");
};

// Warm-up: about 300 calls in all (JIT, code paths), at least one per worker
// (connections); the SDK is slow enough that more would dominate short runs.
const warmCalls = Math.max(1, Math.ceil(300 / concurrency));
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < warmCalls; i++) check(await client.send(new Command(input)));
  }),
);

const latencies = [];
let stop = false;
async function worker() {
  while (!stop) {
    const t0 = process.hrtime.bigint();
    check(await client.send(new Command(input)));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}
const cpu0 = process.cpuUsage();
const started = process.hrtime.bigint();
setTimeout(() => {
  stop = true;
}, seconds * 1000);
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
const r1 = (x) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    bench: "client",
    impl: "js-sdk",
    op,
    concurrency,
    calls: latencies.length,
    seconds: Number(elapsed.toFixed(3)),
    rps: r1(latencies.length / elapsed),
    p50_us: r1(pct(0.5)),
    p90_us: r1(pct(0.9)),
    p99_us: r1(pct(0.99)),
    p999_us: r1(pct(0.999)),
    cpu_s: Number(cpuS.toFixed(4)),
    cpu_us_per_call: Number(((cpuS * 1e6) / latencies.length).toFixed(2)),
  }),
);
client.destroy();
