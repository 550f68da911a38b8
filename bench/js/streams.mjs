// The AWS JS SDK v3 peer of bench_streams: GetRecords through
// @aws-sdk/client-dynamodb-streams, answered from memory with the page
// bench_streams wrote (its requestHandler returns the bytes: the SDK's
// middleware, signing, JSON parse and unmarshalling run, no socket), one call
// after the other for `seconds`.
//   node bench/js/streams.mjs PAGE_FILE SECONDS
// Prints one JSON line shaped like bench_streams':
//   {"bench":"streams_decode","impl":"js-sdk","records_per_page":..,"page_bytes":..,
//    "pages":..,"cpu_s":..,"cpu_us_per_record":..}
// CPU is process.cpuUsage() (user+system) over the timed phase.
process.removeAllListeners("warning"); // the SDK's Node.js version notice
import { DynamoDBStreamsClient, GetRecordsCommand } from "@aws-sdk/client-dynamodb-streams";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";

const [file, seconds] = [process.argv[2], Number(process.argv[3])];
if (!file || !(seconds > 0)) throw new Error("usage: streams.mjs PAGE_FILE SECONDS");
const page = readFileSync(file);
const expected = JSON.parse(page.toString("utf8")).Records.length;

const client = new DynamoDBStreamsClient({
  endpoint: "https://streams.dynamodb.eu-west-1.amazonaws.com",
  region: "eu-west-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
  maxAttempts: 1,
  requestHandler: {
    handle: async () => ({
      // An HttpResponse as the SDK checks it (status, headers, a stream).
      response: {
        statusCode: 200,
        reason: "OK",
        headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "BENCH" },
        body: Readable.from([page]),
      },
    }),
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  },
});

async function one() {
  const out = await client.send(new GetRecordsCommand({ ShardIterator: "it" }));
  if (out.Records.length !== expected || !out.Records[0].dynamodb.NewImage)
    throw new Error("GetRecords: wrong records");
}

for (let i = 0; i < 10; i++) await one(); // warm-up (JIT)
let pages = 0;
const cpu0 = process.cpuUsage();
const until = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
while (process.hrtime.bigint() < until || pages < 5) {
  await one();
  pages++;
}
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    bench: "streams_decode",
    impl: "js-sdk",
    records_per_page: expected,
    page_bytes: page.length,
    pages,
    cpu_s: Number(cpuS.toFixed(4)),
    cpu_us_per_record: Number(((cpuS * 1e6) / (pages * expected)).toFixed(3)),
  }),
);
client.destroy();
