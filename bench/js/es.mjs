// The AWS JS SDK v3 peer for bench_es (bench/es.cpp): the same event store
// work, sending the same DynamoDB requests as ddb::es's
// dynamodb_event_repository, against the same endpoint, in its own fresh
// events table of the same layout (include/ddb/es/tables.hpp).
//
//   node bench/js/es.mjs --endpoint URL [--aggregates A] [--events E]
//        [--batch K] [--payload BYTES] [--loads R] [--concurrency C]
//        [--append-concurrency C2] [--warmup W]
//
// append: each aggregate gets its E events in appends of K at expected
//   versions 0, K, 2K, ...: one event at version 0 is a conditional PutItem,
//   anything else one TransactWriteItems (a ConditionCheck on version n when
//   n > 0, then K Puts with attribute_not_exists(pk)) with the ClientRequestToken
//   ddb derives from the uuid, the base version and the event ids. Before the
//   first write the store's layout is read from the meta item (GetItem;
//   recorded by an UpdateItem when absent) and the first bucket is recorded
//   (UpdateItem), as ddb does once per repository.
// load: a strongly consistent, paginated Query pk = uuid per aggregate, each
//   item decoded as ddb's from_item does: attributes checked, v/ev/at to
//   Number, id to BigInt, p and m through JSON.parse.
// @aws-sdk/util-dynamodb is not installed (only @aws-sdk/client-dynamodb is
// pinned), so the attribute values are unmarshalled here by hand.
// C aggregates in flight; W extra aggregates appended and loaded first,
// untimed. CPU is process.cpuUsage() (user+system) around each phase.
// Prints the same JSON lines as bench_es with "impl":"js-sdk".
process.removeAllListeners("warning"); // the SDK's Node.js version notice
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { createHash, randomUUID } from "node:crypto";

const opts = { endpoint: "", aggregates: 50, events: 100, batch: 10, payload: 200, loads: 3, concurrency: 8, "append-concurrency": 0, warmup: 16 };
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i].replace(/^--/, "");
  const value = process.argv[i + 1];
  if (!(name in opts) || value === undefined) throw new Error(`bad option ${process.argv[i]}`);
  opts[name] = name === "endpoint" ? value : Number(value);
}
if (!opts.endpoint) throw new Error("--endpoint URL is required");
if (!(opts["append-concurrency"] >= 1)) opts["append-concurrency"] = opts.concurrency;

const client = new DynamoDBClient({
  endpoint: opts.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
});

const tag = `${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const table = `bench-es-js-events-${tag}`;

// ---- the store's layout and conventions (as src/es/*.cpp) ----

const PARTITIONS = 4n; // store_config::partitions, recorded in the meta item
const LAYOUT_VERSION = "2";
const BUCKET_WIDTH = 24n * 3600n * 1000000n * 1000n; // ids are microseconds x 1000
const MAX_ITEM_SIZE = 400 * 1024;
const MAX_TRANSACTION_BYTES = 4000000;

const nowMicros = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

// timestamp_id_generator: microseconds * 1000 + random [0, 999], strictly increasing.
let lastId = 0n;
function nextId() {
  const candidate = BigInt(nowMicros()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
  lastId = candidate > lastId ? candidate : lastId + 1n;
  return lastId;
}

const bucketOf = (id) => id / BUCKET_WIDTH;
// index_partition (src/es/partition.cpp): FNV-1a 64 of the partition key's
// bytes, modulo the partition count.
function indexPartition(pk, partitions) {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(pk, "utf8")) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h % partitions;
}
const globalKey = (e) => `${e.id / BUCKET_WIDTH}#${indexPartition(e.aggregateUuid, PARTITIONS)}`;

// ISO 8601, UTC, microseconds: 2024-05-01T12:00:00.123456Z
function iso8601(us) {
  const secs = Math.floor(us / 1000000);
  const frac = us - secs * 1000000;
  return new Date(secs * 1000).toISOString().slice(0, 19) + "." + String(frac).padStart(6, "0") + "Z";
}

function properties(version, payload) {
  const o = { kind: "deposited", amount: version, currency: "EUR", note: "" };
  const base = JSON.stringify(o).length;
  if (payload > base) o.note = "x".repeat(payload - base);
  return o;
}

// The metadata JSON: user metadata plus the store's keys; stored-event-id
// is a 64-bit integer, written as a JSON number (JSON.stringify cannot).
function metaText(userMeta, createdAt, id, uuid, version) {
  const head = JSON.stringify({ ...userMeta, "created-at": createdAt });
  return `${head.slice(0, -1)},"stored-event-id":${id},"aggregate-root-uuid":${JSON.stringify(uuid)},"aggregate-root-version":${version}}`;
}

function itemSize(item) {
  let n = 0;
  for (const [name, av] of Object.entries(item)) {
    n += Buffer.byteLength(name);
    if (av.S !== undefined) n += Buffer.byteLength(av.S);
    else if (av.N !== undefined) n += (av.N.length >> 1) + 1;
    else throw new Error(`itemSize: unexpected attribute type of ${name}`);
  }
  return n;
}

function toItem(e) {
  const item = {
    pk: { S: e.aggregateUuid },
    v: { N: String(e.aggregateVersion) },
    id: { N: e.id.toString() },
    g: { S: globalKey(e) },
    cls: { S: e.eventClass },
    ev: { N: String(e.eventVersion) },
    p: { S: JSON.stringify(e.eventProperties) },
    m: { S: metaText(e.userMeta, iso8601(e.createdAt), e.id, e.aggregateUuid, e.aggregateVersion) },
    at: { N: String(e.createdAt) },
  };
  const size = itemSize(item);
  if (size > MAX_ITEM_SIZE) throw new Error(`event too large: ${size} bytes`);
  return item;
}

function bad(id, what) {
  throw new Error(`stored event ${id}: ${what}`);
}
function need(item, name, type, id) {
  const av = item[name];
  if (av === undefined) bad(id, `attribute ${name} is missing`);
  const v = av[type];
  if (v === undefined) bad(id, `attribute ${name} has the wrong type`);
  return v;
}
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
function int64(item, name, id) {
  const text = need(item, name, "N", id);
  let v;
  try {
    v = BigInt(text);
  } catch {
    bad(id, `attribute ${name} is not a 64-bit integer`);
  }
  if (v < INT64_MIN || v > INT64_MAX) bad(id, `attribute ${name} is not a 64-bit integer`);
  return v;
}
// A 64-bit integer that JS numbers hold exactly (versions, microseconds).
function safeInteger(item, name, id) {
  const text = need(item, name, "N", id);
  const v = Number(text);
  if (!Number.isSafeInteger(v)) bad(id, `attribute ${name} is not an integer JS numbers hold`);
  return v;
}
function parseJson(text, name, id) {
  try {
    return JSON.parse(text);
  } catch (e) {
    bad(id, `attribute ${name} is not JSON: ${e.message}`);
  }
}

// detail::from_item
function fromItem(item) {
  const idText = item.id?.N ?? "(no id)";
  const id = int64(item, "id", idText);
  const pk = need(item, "pk", "S", idText);
  const version = safeInteger(item, "v", idText);
  const eventVersion = safeInteger(item, "ev", idText);
  if (eventVersion < 1 || eventVersion > 2147483647) bad(idText, "attribute ev (event version) is out of range");
  const eventClass = need(item, "cls", "S", idText);
  const eventProperties = parseJson(need(item, "p", "S", idText), "p", idText);
  const metaData = parseJson(need(item, "m", "S", idText), "m", idText);
  if (metaData === null || typeof metaData !== "object" || Array.isArray(metaData))
    bad(idText, "attribute m (metadata) is not a JSON object");
  metaData["stored-event-id"] = id; // JSON.parse rounded it to a double
  const createdAt = safeInteger(item, "at", idText);
  const expiresAt = item.expires_at === undefined ? undefined : safeInteger(item, "expires_at", idText);
  return {
    id,
    aggregateUuid: pk.startsWith("$e#") ? undefined : pk,
    aggregateVersion: version,
    eventVersion,
    eventClass,
    eventProperties,
    metaData,
    createdAt,
    expiresAt,
  };
}

// ---- the repository's writes and reads ----

let registeredBucket = null; // the lowest bucket recorded in the meta item
let layoutRead = null; // the meta item's layout, read once before the first write

const metaKey = { pk: { S: "$meta" }, v: { N: "0" } };
const layoutValues = {
  ":lv": { N: LAYOUT_VERSION },
  ":p": { N: PARTITIONS.toString() },
  ":bh": { N: "24" },
};

// bucket_registry::for_writes: the recorded layout (recorded first when the
// table has none, as create_tables would have).
function readLayout() {
  layoutRead ??= (async () => {
    const r = await client.send(new GetItemCommand({ TableName: table, Key: metaKey, ConsistentRead: true }));
    if (r.Item) return;
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: metaKey,
        UpdateExpression:
          "SET #n0 = if_not_exists(#n0, :lv), #n1 = if_not_exists(#n1, :p), #n2 = if_not_exists(#n2, :bh)",
        ConditionExpression: "attribute_not_exists(#n3) OR attribute_exists(#n0)",
        ExpressionAttributeNames: { "#n0": "lv", "#n1": "partitions", "#n2": "bh", "#n3": "pk" },
        ExpressionAttributeValues: layoutValues,
        ReturnValues: "ALL_NEW",
      }),
    );
  })();
  return layoutRead;
}

async function registerBucket(bucket) {
  if (registeredBucket !== null && registeredBucket <= bucket) return;
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: metaKey,
        UpdateExpression:
          "SET #n0 = :v0, #n1 = if_not_exists(#n1, :lv), #n2 = if_not_exists(#n2, :p), #n3 = if_not_exists(#n3, :bh)",
        ConditionExpression:
          "(attribute_not_exists(#n0) OR #n0 > :v1) AND (attribute_not_exists(#n4) OR attribute_exists(#n1))",
        ExpressionAttributeNames: { "#n0": "fb", "#n1": "lv", "#n2": "partitions", "#n3": "bh", "#n4": "pk" },
        ExpressionAttributeValues: { ":v0": { N: bucket.toString() }, ":v1": { N: bucket.toString() }, ...layoutValues },
        ReturnValues: "ALL_NEW",
      }),
    );
  } catch (e) {
    if (e.name !== "ConditionalCheckFailedException") throw e;
  }
  if (registeredBucket === null || bucket < registeredBucket) registeredBucket = bucket;
}

async function writeChunk(uuid, base, chunk, items) {
  if (base === 0 && chunk.length === 1) {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: items[0],
        ConditionExpression: "attribute_not_exists(#n0)",
        ExpressionAttributeNames: { "#n0": "pk" },
      }),
    );
    return;
  }
  const actions = [];
  if (base > 0)
    actions.push({
      ConditionCheck: {
        TableName: table,
        Key: { pk: { S: uuid }, v: { N: String(base) } },
        ConditionExpression: "attribute_exists(#n0)",
        ExpressionAttributeNames: { "#n0": "pk" },
      },
    });
  let ids = `${uuid}#${base}`;
  for (let i = 0; i < chunk.length; i++) {
    actions.push({
      Put: {
        TableName: table,
        Item: items[i],
        ConditionExpression: "attribute_not_exists(#n0)",
        ExpressionAttributeNames: { "#n0": "pk" },
      },
    });
    ids += `#${chunk[i].id}`;
  }
  const token = createHash("sha256").update(ids).digest("hex").slice(0, 36);
  await client.send(new TransactWriteItemsCommand({ TransactItems: actions, ClientRequestToken: token }));
}

// append(uuid, exact(n), events); conflicts are not expected here and throw.
async function appendExact(uuid, n, events) {
  await readLayout();
  const now = nowMicros();
  const stored = [];
  const items = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!e.eventClass) throw new Error("an event needs an event_class");
    const s = {
      id: nextId(),
      aggregateUuid: uuid,
      aggregateVersion: n + 1 + i,
      eventVersion: e.eventVersion ?? 1,
      eventClass: e.eventClass,
      eventProperties: e.properties,
      userMeta: e.metaData ?? {},
      createdAt: now,
    };
    stored.push(s);
    items.push(toItem(s));
  }
  await registerBucket(bucketOf(stored[0].id));
  let begin = 0;
  while (begin < stored.length) {
    const base = n + begin;
    const limit = 100 - (base > 0 ? 1 : 0);
    let end = begin;
    let bytes = 0;
    while (end < stored.length && end - begin < limit) {
      const size = itemSize(items[end]);
      if (end > begin && bytes + size > MAX_TRANSACTION_BYTES) break;
      bytes += size;
      ++end;
    }
    await writeChunk(uuid, base, stored.slice(begin, end), items.slice(begin, end));
    begin = end;
  }
  return stored;
}

async function* retrieveAll(uuid) {
  const input = {
    TableName: table,
    KeyConditionExpression: "#n0 = :v0",
    ExpressionAttributeNames: { "#n0": "pk" },
    ExpressionAttributeValues: { ":v0": { S: uuid } },
    ConsistentRead: true,
  };
  for (;;) {
    const page = await client.send(new QueryCommand(input));
    for (const item of page.Items ?? []) yield fromItem(item);
    if (!page.LastEvaluatedKey) return;
    input.ExclusiveStartKey = page.LastEvaluatedKey;
  }
}

// ---- the benchmark ----

let appends = 0;
let loaded = 0;
let touched = 0n;

async function runWorkers(uuids, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < uuids.length) await work(uuids[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function appendAll(uuids) {
  await runWorkers(uuids, opts["append-concurrency"], async (uuid) => {
    for (let n = 0; n < opts.events; n += opts.batch) {
      const k = Math.min(opts.batch, opts.events - n);
      const events = [];
      for (let i = 1; i <= k; i++)
        events.push({ eventClass: "BankAccount.Deposited", properties: properties(n + i, opts.payload) });
      const stored = await appendExact(uuid, n, events);
      if (stored.length !== k) throw new Error("append stored a wrong number of events");
      ++appends;
    }
  });
}

async function loadAll(uuids) {
  await runWorkers(uuids, opts.concurrency, async (uuid) => {
    let expect = 0;
    for await (const e of retrieveAll(uuid)) {
      ++expect;
      if (e.aggregateVersion !== expect || e.eventProperties.amount !== expect)
        throw new Error("loaded an unexpected event");
      touched += (e.id % 7n) + BigInt(e.eventVersion + Object.keys(e.metaData).length + e.eventClass.length);
      ++loaded;
    }
    if (expect !== opts.events) throw new Error(`loaded ${expect} events of ${uuid}, expected ${opts.events}`);
  });
}

async function createTable() {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "v", AttributeType: "N" },
        { AttributeName: "g", AttributeType: "S" },
        { AttributeName: "id", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "v", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "global",
          KeySchema: [
            { AttributeName: "g", KeyType: "HASH" },
            { AttributeName: "id", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (let i = 0; i < 3000; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexes = d.Table.GlobalSecondaryIndexes ?? [];
    if (d.Table.TableStatus === "ACTIVE" && indexes.every((g) => (g.IndexStatus ?? "ACTIVE") === "ACTIVE")) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`table ${table} did not become active`);
}

async function deleteTable() {
  await client.send(new DeleteTableCommand({ TableName: table }));
  for (let i = 0; i < 3000; i++) {
    try {
      await client.send(new DescribeTableCommand({ TableName: table }));
    } catch (e) {
      if (e.name === "ResourceNotFoundException") return;
      throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function report(bench, concurrency, events, requests, cpu, wallS) {
  const cpuS = cpu.user + cpu.sys;
  console.log(
    JSON.stringify({
      bench,
      impl: "js-sdk",
      events,
      cpu_s: Number(cpuS.toFixed(4)),
      cpu_us_per_event: Number(((cpuS * 1e6) / events).toFixed(2)),
      wall_s: Number(wallS.toFixed(3)),
      events_per_s: Math.round(events / wallS),
      user_s: Number(cpu.user.toFixed(4)),
      sys_s: Number(cpu.sys.toFixed(4)),
      requests,
      cpu_us_per_request: Number(((cpuS * 1e6) / requests).toFixed(2)),
      aggregates: opts.aggregates,
      events_per_aggregate: opts.events,
      batch: opts.batch,
      payload: opts.payload,
      concurrency,
    }),
  );
}

function measure() {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return {
    cpu: () => {
      const d = process.cpuUsage(cpu0);
      return { user: d.user / 1e6, sys: d.system / 1e6 };
    },
    wall: () => Number(process.hrtime.bigint() - t0) / 1e9,
  };
}

await createTable();
let failed = false;
try {
  const warm = Array.from({ length: opts.warmup }, () => randomUUID());
  const uuids = Array.from({ length: opts.aggregates }, () => randomUUID());
  if (warm.length) {
    await appendAll(warm);
    await loadAll(warm);
  }

  appends = 0;
  const m = measure();
  await appendAll(uuids);
  const appendCpu = m.cpu(), appendWall = m.wall();
  const appended = opts.aggregates * opts.events;
  report("es_append", opts["append-concurrency"], appended, appends, appendCpu, appendWall);

  loaded = 0;
  const l = measure();
  for (let r = 0; r < opts.loads; r++) await loadAll(uuids);
  const loadCpu = l.cpu(), loadWall = l.wall();
  if (loaded !== appended * opts.loads) throw new Error(`loaded ${loaded} events, expected ${appended * opts.loads}`);
  report("es_load", opts.concurrency, loaded, opts.aggregates * opts.loads, loadCpu, loadWall);
  if (touched === 0n) console.error("es.mjs: nothing touched");
} catch (e) {
  console.error(`es.mjs: ${e.stack ?? e}`);
  failed = true;
}
try {
  await deleteTable();
} catch (e) {
  console.error(`es.mjs: deleting the table: ${e}`);
  failed = true;
}
client.destroy();
process.exitCode = failed ? 1 : 0;
