// The AWS JS SDK v3 peer of bench_stream_latency: the same measurement with
// @aws-sdk/client-dynamodb (the writer) and @aws-sdk/client-dynamodb-streams
// (the reader: GetShardIterator LATEST, then a plain GetRecords loop that
// waits the idle interval after an empty page, as read_shard does), both in
// this one process (one event loop, as ddb's one io_context).
//   node bench/js/stream_latency.mjs ENDPOINT ITEMS RATE IDLE_MS_LIST
// One JSON line per interval, shaped like bench_stream_latency's:
//   {"bench":"stream_latency","impl":"js-sdk","idle_ms":..,"items":..,"rate_per_s":..,
//    "p50_ms":..,"p99_ms":..,"max_ms":..,"empty_polls":..,"batches":..}
process.removeAllListeners("warning"); // the SDK's Node.js version notice
import {
  DynamoDBClient,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBStreamsClient,
  DescribeStreamCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
} from "@aws-sdk/client-dynamodb-streams";

const [endpoint, items, rate, idleList] = [
  process.argv[2],
  Number(process.argv[3]),
  Number(process.argv[4]),
  (process.argv[5] || "0,50,250,1000").split(",").map(Number),
];
if (!endpoint || !(items > 0) || !(rate > 0))
  throw new Error("usage: stream_latency.mjs ENDPOINT ITEMS RATE IDLE_MS_LIST");
const common = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
};
const db = new DynamoDBClient(common);
const streams = new DynamoDBStreamsClient(common);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic

const table = `bench-stream-latency-js-${process.pid}`;
const created = await db.send(
  new CreateTableCommand({
    TableName: table,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
  }),
);
while ((await db.send(new DescribeTableCommand({ TableName: table }))).Table.TableStatus !== "ACTIVE")
  await sleep(20);
const arn = created.TableDescription.LatestStreamArn;
const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription
  .Shards[0].ShardId;

async function writer(tag, sent) {
  const start = now();
  for (let i = 0; i < items; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 0) await sleep(wait);
    sent[i] = now();
    await db.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `${tag}-${i}` }, i: { N: String(i) }, body: { S: "x".repeat(200) } },
      }),
    );
  }
}

function percentile(v, p) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
}

for (const idle of idleList) {
  const tag = `idle${idle}`;
  const sent = new Array(items);
  const seen = new Array(items).fill(false);
  const latencies = [];
  let emptyPolls = 0, batches = 0, writing = null;
  let it = (
    await streams.send(
      new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: "LATEST" }),
    )
  ).ShardIterator;
  while (latencies.length < items) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
    const arrived = now();
    it = page.NextShardIterator;
    if (!page.Records.length) {
      emptyPolls++;
      if (!writing) writing = writer(tag, sent); // positioned: the writer starts
      await sleep(idle);
      continue;
    }
    batches++;
    for (const r of page.Records) {
      const pk = r.dynamodb.NewImage?.pk?.S;
      if (!pk || !pk.startsWith(tag + "-")) continue;
      const i = Number(pk.slice(tag.length + 1));
      if (seen[i]) continue;
      seen[i] = true;
      latencies.push(arrived - sent[i]);
    }
  }
  await writing;
  console.log(
    JSON.stringify({
      bench: "stream_latency",
      impl: "js-sdk",
      idle_ms: idle,
      items,
      rate_per_s: rate,
      p50_ms: Number(percentile(latencies, 0.5).toFixed(2)),
      p99_ms: Number(percentile(latencies, 0.99).toFixed(2)),
      max_ms: Number(percentile(latencies, 1).toFixed(2)),
      empty_polls: emptyPolls,
      batches,
    }),
  );
}
await db.send(new DeleteTableCommand({ TableName: table }));
db.destroy();
streams.destroy();
