#!/usr/bin/env bash
# ddb-es against a local DynamoDB (moto or dynalite):
#   create-tables creates the three tables (custom names), records the layout and
#   reports each step; describe shows them, the events table's items split
#   into events and the internal meta item, and the layout; count and dump
#   read an empty store, then 3 events written with boto3 in the layout of
#   include/ddb/es/tables.hpp, with --progress summaries and --quiet
#   silence; a store of the old layout (written with boto3) is refused
#   naming migrate, and migrate rewrites it (progress, --partitions, a second
#   run does nothing); results written to a full disk
#   fail with exit 1; --force refuses without --yes when stdin is not a
#   terminal (nothing deleted), asks for the events table's name on a
#   terminal, and recreates the tables with --yes (and TTL with --ttl, moto);
#   create-tables run again on existing tables succeeds (idempotent).
#   Usage errors and calls that cannot succeed: ddb_es_offline.sh.
#
#   ddb_es.sh moto|dynalite DDB_ES
#
# Under ctest the servers' state files are in DDB_TEST_STATE_DIR; run by hand,
# the script starts its own server and stops it at exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
backend=$1 tool=$2 tool_name=ddb-es
. "$here/tests/support/shell.sh"
case "$backend" in moto|dynalite) ;; *) echo "unknown backend $backend" >&2; exit 2 ;; esac

own_state=
if [ -n "${DDB_TEST_STATE_DIR:-}" ]; then
  state=$DDB_TEST_STATE_DIR/$backend.state
else
  own_state=$(mktemp -u "${TMPDIR:-/tmp}/ddb-es-$backend.XXXXXX")
  "$here/scripts/local-dynamodb" start "$backend" "$own_state" >/dev/null
  state=$own_state
fi

endpoint=$("$here/scripts/local-dynamodb" endpoint "$state")
clean_aws
export AWS_ENDPOINT_URL_DYNAMODB=$endpoint
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

suffix="$$_$RANDOM"
events=es_events_$suffix snapshots=es_snapshots_$suffix checkpoints=es_checkpoints_$suffix
old_events=es_old_events_$suffix old_snapshots=es_old_snapshots_$suffix
tables=(--events-table "$events" --snapshots-table "$snapshots" --checkpoints-table "$checkpoints")
work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-es-test.XXXXXX")

tls_pid=
cleanup() {
  [ -z "$tls_pid" ] || kill "$tls_pid" 2>/dev/null || true
  python3 - "$events" "$snapshots" "$checkpoints" "other_$suffix" "$old_events" "$old_snapshots" <<'PY' || true
import os, sys, boto3
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
for t in sys.argv[1:]:
    try:
        c.delete_table(TableName=t)
    except c.exceptions.ResourceNotFoundException:
        pass
PY
  rm -rf "$work"
  if [ -n "$own_state" ]; then
    "$here/scripts/local-dynamodb" stop "$own_state"
    rm -f "$own_state.log"
  fi
}
trap cleanup EXIT

echo "== create-tables"
run 0 create-tables "${tables[@]}"
cat "$work/err"
mentions err "$events"
mentions err "$snapshots"
mentions err "$checkpoints"
run 0 describe "${tables[@]}"
cat "$work/out"
has out "$events (events table)"
has out "$snapshots (snapshots table)"
has out "$checkpoints (checkpoints table)"
[ "$(grep -cxF '  status: ACTIVE' "$work/out")" = 3 ] || fail "the tables should be ACTIVE"
has out "  key: pk HASH (S), v RANGE (N)"
has out "  global index global: g HASH (S), id RANGE (N); projection ALL; ACTIVE"
has out "  key: pk HASH (S), sk RANGE (S)"
has out "  indexes: none"
has out "  layout: version 2, 4 index partitions, 24-hour buckets"
# The meta item holds the layout. moto's ItemCount is current; dynalite's
# stays 0, as DynamoDB's lags for hours.
no_events() {
  if [ "$backend" = moto ]; then
    has out "  items: 1 (0 events, 1 internal), approximate"
  else
    has out "  items: 0 (approximate and out of date: the table holds 1 internal item; 'ddb-es count' counts the events)"
  fi
}
no_events
[ "$(grep -cF '  items: 0' "$work/out")" = "$([ "$backend" = moto ] && echo 2 || echo 3)" ] ||
  fail "the tables should be empty"
mentions out "approximate: DynamoDB refreshes"
full describe "${tables[@]}"

if [ "$backend" = moto ]; then # the backend does not matter here
  echo "== --ca-file: trusting the CA of a TLS proxy in front of the server"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  python3 - "$work/cert.pem" "$work/key.pem" "$AWS_ENDPOINT_URL_DYNAMODB" >"$work/tls_port" <<'PY' &
import socket, ssl, sys, threading, urllib.parse
cert, key, upstream = sys.argv[1:]
u = urllib.parse.urlsplit(upstream)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
def pipe(a, b):
    try:
        while (data := a.recv(65536)):
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def serve(raw):
    try:
        tls = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        return raw.close()  # the client refused the certificate
    up = socket.create_connection((u.hostname, u.port))
    threading.Thread(target=pipe, args=(up, tls), daemon=True).start()
    pipe(tls, up)
while True:
    threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()
PY
  tls_pid=$!
  tls_port=$(wait_for_port "$work/tls_port" "the TLS proxy")
  tls_url=https://127.0.0.1:$tls_port
  rc=0
  AWS_ENDPOINT_URL_DYNAMODB=$tls_url "$tool" describe "${tables[@]}" --max-attempts 1 \
    >"$work/out" 2>"$work/err" </dev/null || rc=$?
  cat "$work/err"
  [ "$rc" = 1 ] || fail "an untrusted certificate was accepted (exit $rc)"
  mentions err "certificate"
  AWS_ENDPOINT_URL_DYNAMODB=$tls_url run 0 describe "${tables[@]}" --ca-file "$work/cert.pem"
  has out "$events (events table)"
  # The flag wins over AWS_CA_BUNDLE.
  AWS_ENDPOINT_URL_DYNAMODB=$tls_url AWS_CA_BUNDLE=$work/missing.pem \
    run 0 describe "${tables[@]}" --ca-file "$work/cert.pem"
  has out "$events (events table)"
  kill "$tls_pid"
  tls_pid=
fi

echo "== a missing table"
run 1 describe --events-table "missing_$suffix" --snapshots-table "$snapshots"
has out "missing_$suffix (events table): does not exist"
run 1 count --events-table "missing_$suffix"
mentions err "ddb-es: GetItem failed after 1 attempt over "

echo "== count and dump of an empty store"
run 0 count --events-table "$events"
has out 0
run 0 dump --events-table "$events"
[ ! -s "$work/out" ] || fail "dump of an empty store printed $(cat "$work/out")"
empty err # stderr is not a terminal: no progress
run 0 count --events-table "$events" --progress
has out 0
mentions err "ddb-es: count: 0 events in 0 buckets ("

echo "== 3 events written with boto3 in the store's layout"
# agg-$suffix v1, one event without an aggregate, agg-$suffix v2 (with a TTL):
# the aggregate's events in one index partition (FNV-1a 64 of the key mod 4).
agg=agg-$suffix
python3 - "$events" "$agg" >"$work/ids" <<'PY'
import json, os, sys, time, boto3
table, agg = sys.argv[1:]
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
def partition(pk, n):
    h = 0xcbf29ce484222325
    for b in pk.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h % n
now_us = time.time_ns() // 1000
bucket_width = 86400 * 10**6 * 1000  # 24 h of ids (microseconds x 1000)
base = now_us * 1000
c.put_item(TableName=table, Item={"pk": {"S": "$meta"}, "v": {"N": "0"}, "lv": {"N": "2"},
                                  "partitions": {"N": "4"}, "bh": {"N": "24"},
                                  "fb": {"N": str(base // bucket_width)}})
events = [(agg, 1, None), (None, 0, None), (agg, 2, int(time.time()) + 86400)]
for k, (uuid, version, expires) in enumerate(events):
    id = base + k
    at = now_us + k
    meta = {"created-at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at // 10**6))
                          + ".%06dZ" % (at % 10**6), "stored-event-id": id, "user": "u%d" % k}
    if uuid:
        meta.update({"aggregate-root-uuid": uuid, "aggregate-root-version": version})
    pk = uuid or "$e#%d" % id
    item = {"pk": {"S": pk}, "v": {"N": str(version)}, "id": {"N": str(id)},
            "g": {"S": "%d#%d" % (id // bucket_width, partition(pk, 4))},
            "cls": {"S": "thing_happened_%d" % k},
            "ev": {"N": str(k + 1)}, "p": {"S": json.dumps({"n": k, "text": "é"})},
            "m": {"S": json.dumps(meta)}, "at": {"N": str(at)}}
    if expires:
        item["expires_at"] = {"N": str(expires)}
    c.put_item(TableName=table, Item=item)
    print(id, at, expires or "")
PY
cat "$work/ids"
read -r id1 _ <<<"$(sed -n 1p "$work/ids")"
read -r id2 _ <<<"$(sed -n 2p "$work/ids")"
read -r id3 _ <<<"$(sed -n 3p "$work/ids")"

run 0 count --events-table "$events"
has out 3
run 0 count --uuid "$agg" --events-table "$events"
has out 2
run 0 count --from "$id2" --events-table "$events"
has out 2
run 0 count --from "$id3" --uuid "$agg" --events-table "$events"
has out 1
run 0 count --uuid "nobody-$suffix" --events-table "$events"
has out 0

run 0 dump --events-table "$events"
cat "$work/out"
python3 - "$work/out" "$work/ids" "$agg" <<'PY'
import json, sys, time
lines = open(sys.argv[1]).read().splitlines()
ids = [l.split() for l in open(sys.argv[2]).read().splitlines()]
agg = sys.argv[3]
assert len(lines) == 3, lines
def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 10**6)) + ".%06dZ" % (us % 10**6)
for k, (line, row) in enumerate(zip(lines, ids)):
    e = json.loads(line)
    id, at = int(row[0]), int(row[1])
    keys = ["id", "aggregate_uuid", "aggregate_version", "event_version", "event_class",
            "event_properties", "meta_data", "created_at"] + (["expires_at"] if k == 2 else [])
    assert list(e) == keys, (k, list(e))
    assert e["id"] == id, (e["id"], id)
    assert e["aggregate_uuid"] == [agg, None, agg][k], e
    assert e["aggregate_version"] == [1, 0, 2][k], e
    assert e["event_version"] == k + 1, e
    assert e["event_class"] == "thing_happened_%d" % k, e
    assert e["event_properties"] == {"n": k, "text": "é"}, e
    assert e["meta_data"]["user"] == "u%d" % k and e["meta_data"]["stored-event-id"] == id, e
    assert e["created_at"] == iso(at) == e["meta_data"]["created-at"], (e["created_at"], iso(at))
    if k == 2:
        assert e["expires_at"] == iso(int(row[2]) * 10**6), e
print("dump: 3 events by ascending id, fields OK")
PY

run 0 dump --uuid "$agg" --events-table "$events"
[ "$(wc -l <"$work/out")" = 2 ] || fail "dump --uuid: $(cat "$work/out")"
python3 -c 'import json,sys; v=[json.loads(l)["aggregate_version"] for l in open(sys.argv[1])]; assert v==[1,2], v' "$work/out"
run 0 dump --from "$id2" --events-table "$events"
python3 -c 'import json,sys; v=[json.loads(l)["id"] for l in open(sys.argv[1])]; assert v==[int(a) for a in sys.argv[2:]], v' "$work/out" "$id2" "$id3"

echo "== describe: the meta item is not an event"
run 0 describe "${tables[@]}"
cat "$work/out"
# moto's ItemCount is current; dynalite's stays 0, as DynamoDB's lags for hours.
if [ "$backend" = moto ]; then
  has out "  items: 4 (3 events, 1 internal), approximate"
else
  has out "  items: 0 (approximate and out of date: the table holds 1 internal item; 'ddb-es count' counts the events)"
fi

echo "== progress on request, silence with --quiet"
run 0 count --events-table "$events" --progress
has out 3
cat "$work/err"
grep -qE '^ddb-es: count: 3 events in [12] buckets? \(([48]) queries, ([0-9.]+ s|[0-9]{1,2} ms)\)$' "$work/err" ||
  fail "no count summary: $(cat "$work/err")"
run 0 dump --events-table "$events" --progress
[ "$(wc -l <"$work/out")" = 3 ] || fail "dump --progress: $(cat "$work/out")"
grep -qE '^ddb-es: dump: 3 events from [12] buckets? \([0-9]+ queries, ([0-9.]+ s|[0-9]{1,2} ms)\)$' "$work/err" ||
  fail "no dump summary: $(cat "$work/err")"
run 0 count --uuid "$agg" --events-table "$events" --progress
mentions err "ddb-es: count: 2 events of aggregate $agg (1 query, "
for c in count dump; do
  run 0 "$c" --events-table "$events" --quiet
  empty err
done

echo "== a store of the old layout: refused, naming migrate; migrate rewrites it"
old_tables=(--events-table "$old_events" --snapshots-table "$old_snapshots")
run 0 create-tables "${old_tables[@]}" --partitions 2 --quiet
run 0 describe "${old_tables[@]}"
has out "  layout: version 2, 2 index partitions, 24-hour buckets"
# 4 events in the old layout (g = <bucket>#<id mod 3>, a meta item with
# shards), as a store written before layout version 2.
python3 - "$old_events" "$agg" >"$work/old_ids" <<'PY'
import json, os, sys, time, boto3
table, agg = sys.argv[1:]
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
bucket_width = 86400 * 10**6 * 1000
base = time.time_ns() // 1000 * 1000
c.put_item(TableName=table, Item={"pk": {"S": "$meta"}, "v": {"N": "0"}, "shards": {"N": "3"},
                                  "bh": {"N": "24"}, "fb": {"N": str(base // bucket_width)}})
for k, (uuid, version) in enumerate([(agg, 1), ("other-" + agg, 1), (None, 0), (agg, 2)]):
    id = base + k * 1000
    pk = uuid or "$e#%d" % id
    c.put_item(TableName=table, Item={
        "pk": {"S": pk}, "v": {"N": str(version)}, "id": {"N": str(id)},
        "g": {"S": "%d#%d" % (id // bucket_width, id % 3)}, "cls": {"S": "old_%d" % k},
        "ev": {"N": "1"}, "p": {"S": "{}"}, "m": {"S": "{}"}, "at": {"N": str(id // 1000)}})
    print(id)
PY
run 0 describe "${old_tables[@]}"
has out "  layout: old (3 shards by id, 24-hour buckets): stop every writer, then run 'ddb-es migrate --events-table $old_events'"
for c in count dump; do
  run 1 "$c" --events-table "$old_events"
  mentions err "ddb-es: table $old_events has the old global-index layout"
  mentions err "run 'ddb-es migrate --events-table $old_events'"
done
run 1 dump --uuid "$agg" --events-table "$old_events"
mentions err "ddb-es migrate"
run 0 create-tables "${old_tables[@]}"
mentions err "$old_events has the old index layout (shards by id): stop every writer, then run 'ddb-es migrate --events-table $old_events'"
run 0 migrate --events-table "$old_events" --partitions 5 --progress
cat "$work/out" "$work/err"
grep -qE "^$old_events: migrated to layout version 2 with 5 index partitions \(was 3 shards by id\); [0-4] events? rewritten, [0-4] already right, 0 deleted meanwhile$" "$work/out" ||
  fail "no migrate outcome: $(cat "$work/out")"
grep -qE '^ddb-es: migrate: 5 items scanned, [0-4] events? rewritten, [0-4] already right \(([0-9.]+ s|[0-9]{1,2} ms)\)$' "$work/err" ||
  fail "no migrate summary: $(cat "$work/err")"
python3 - "$old_events" <<'PY'
import os, sys, boto3
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
def partition(pk, n):
    h = 0xcbf29ce484222325
    for b in pk.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h % n
items = c.scan(TableName=sys.argv[1], ConsistentRead=True)["Items"]
meta = [i for i in items if i["pk"]["S"] == "$meta"][0]
assert meta["lv"]["N"] == "2" and meta["partitions"]["N"] == "5" and "shards" not in meta, meta
events = [i for i in items if i["pk"]["S"] != "$meta"]
assert len(events) == 4, events
for e in events:
    id = int(e["id"]["N"])
    want = "%d#%d" % (id // (86400 * 10**9), partition(e["pk"]["S"], 5))
    assert e["g"]["S"] == want, (e["g"]["S"], want)
print("migrate: every g is <bucket>#<FNV-1a(pk) mod 5>; meta lv 2, 5 partitions")
PY
run 0 count --events-table "$old_events"
has out 4
run 0 dump --events-table "$old_events"
python3 -c 'import json,sys; v=[json.loads(l)["id"] for l in open(sys.argv[1])]; assert v==[int(l) for l in open(sys.argv[2])], v' "$work/out" "$work/old_ids"
run 0 dump --uuid "$agg" --events-table "$old_events"
lines out 2
run 0 describe "${old_tables[@]}"
has out "  layout: version 2, 5 index partitions, 24-hour buckets"
run 0 migrate --events-table "$old_events"
has out "$old_events: the current layout already (5 index partitions): nothing to do"
run 2 migrate --events-table "$old_events" --partitions 7
mentions err "changing the partition count is not supported"

echo "== results to a full disk: exit 1 with the errno text"
full count --events-table "$events"
full dump --events-table "$events"
full describe "${tables[@]}"

echo "== --force: refused without --yes when stdin is not a terminal; nothing deleted"
run 2 create-tables --force "${tables[@]}"
cat "$work/err"
mentions err "add --yes"
mentions err "$events"
mentions err "$checkpoints"
mentions err "nothing was deleted"
run 0 count --events-table "$events"
has out 3

echo "== --force on a terminal: asks for the events table's name"
# confirm ANSWER: create-tables --force with a terminal as stdin; types ANSWER.
confirm() {
  python3 - "$1" "$tool" create-tables --force "${tables[@]}" >"$work/confirm" 2>&1 <<'PY'
import os, subprocess, sys
answer, argv = sys.argv[1], sys.argv[2:]
master, slave = os.openpty()
p = subprocess.Popen(argv, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
os.write(master, (answer + "\n").encode())
out, err = p.communicate(timeout=60)
sys.stdout.write(err.decode())
sys.exit(p.returncode)
PY
}
rc=0; confirm "not_$events" || rc=$?
cat "$work/confirm"
[ "$rc" = 1 ] || fail "a wrong name confirmed --force (exit $rc)"
grep -qF "Type the events table's name ($events) to confirm" "$work/confirm" || fail "no question"
grep -qF "not confirmed: nothing was deleted" "$work/confirm" || fail "no refusal"
run 0 count --events-table "$events"
has out 3
rc=0; confirm "$events" || rc=$?
cat "$work/confirm"
[ "$rc" = 0 ] || fail "the right name did not confirm --force (exit $rc)"
grep -qF "deleting $events" "$work/confirm" || fail "nothing deleted"
run 0 count --events-table "$events"
has out 0

echo "== --force --yes recreates the tables"
python3 - "$events" <<'PY'
import os, sys, boto3
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
c.put_item(TableName=sys.argv[1], Item={"pk": {"S": "$meta"}, "v": {"N": "0"}, "fb": {"N": "1"}})
PY
run 0 create-tables --force --yes "${tables[@]}"
cat "$work/err"
mentions err "deleting $events"
mentions err "deleting $snapshots"
mentions err "deleting $checkpoints"
mentions err "$events is active"
run 0 describe "${tables[@]}"
[ "$(grep -cxF '  status: ACTIVE' "$work/out")" = 3 ] || fail "the tables should be ACTIVE"
no_events

if [ "$backend" = moto ]; then # dynalite has no UpdateTimeToLive
  echo "== create-tables --force --yes --ttl"
  run 0 create-tables --force --yes --ttl "${tables[@]}"
  mentions err "TTL enabled on $events.expires_at"
  run 0 describe "${tables[@]}"
  cat "$work/out"
  has out "  ttl: ENABLED (expires_at)"
fi

echo "== create-tables on existing tables: succeeds, says what it found"
run 0 create-tables "${tables[@]}"
cat "$work/err"
mentions err "$events"
mentions err "$snapshots"
mentions err "found $events"
mentions err "found $snapshots"
mentions err "found $checkpoints"
run 0 create-tables --quiet "${tables[@]}"
empty err
run 0 describe "${tables[@]}"
[ "$(grep -cxF '  status: ACTIVE' "$work/out")" = 3 ] || fail "the tables should be ACTIVE"

echo "== create-tables on a table of another schema: an error, nothing created"
python3 - "$events" <<'PY'
import os, sys, boto3
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
c.delete_table(TableName=sys.argv[1])
c.get_waiter("table_not_exists").wait(TableName=sys.argv[1], WaiterConfig={"Delay": 0.2})
c.create_table(TableName=sys.argv[1], BillingMode="PAY_PER_REQUEST",
               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
PY
run 1 create-tables --events-table "$events" --snapshots-table "other_$suffix" \
  --checkpoints-table "$checkpoints"
cat "$work/err"
mentions err "ddb-es: "
mentions err "$events"
run 1 describe --events-table "$events" --snapshots-table "other_$suffix" \
  --checkpoints-table "$checkpoints"
has out "other_$suffix (snapshots table): does not exist"
mentions out "the store's meta item cannot be read: "

echo "ddb-es ($backend): OK"
