// The AWS JS SDK v3 peer for bench_client: GetItem against the same canned
// endpoint, `concurrency` calls in flight for `seconds`, one Node.js process.
// Prints {"rps":..,"p50_us":..,"p99_us":..,"calls":..}.
process.removeAllListeners("warning"); // the SDK's Node.js version notice
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const [endpoint, concurrency, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const client = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
  maxAttempts: 1,
});
const input = { TableName: "stored_events", Key: { aggregate_uuid: { S: "6f1c2a9e" }, id: { N: "1" } } };
const latencies = [];
let stop = false;

async function worker() {
  while (!stop) {
    const t0 = process.hrtime.bigint();
    await client.send(new GetItemCommand(input));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}

// Warm up: connections, code paths.
for (let i = 0; i < 200; i++) await client.send(new GetItemCommand(input));
const started = process.hrtime.bigint();
setTimeout(() => { stop = true; }, seconds * 1000);
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
console.log(JSON.stringify({ rps: latencies.length / elapsed, p50_us: pct(0.5), p99_us: pct(0.99), calls: latencies.length }));
client.destroy();
