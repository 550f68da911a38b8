#!/usr/bin/env bash
# ddb-es against a local DynamoDB (moto or dynalite):
#   create-tables creates the three tables (custom names), records the layout and
#   reports each step; describe shows them, the events table's items split
#   into events and the internal meta item, and the layout; count and dump
#   read an empty store, then 3 events written with boto3 in the layout of
#   include/ddb/es/tables.hpp, with --progress summaries and --quiet
#   silence; tail prints those events in id order as dump does (--limit,
#   --until-idle, --from, --aggregate, --class), stops with exit 0 on SIGINT
#   and SIGTERM, and prints an event written after it started;
#   checkpoints and parked read items written with boto3 in the
#   checkpoint_store layout (owner, fence, expiry, checkpoint, the lag of
#   each partition, live workers; parked events as text and JSON, --redrive
#   and --redrive-all set the items' rd); a store of the old layout
#   (written with boto3) is refused
#   naming migrate, and migrate rewrites it (progress, --partitions, a second
#   run does nothing); results written to a full disk
#   fail with exit 1; --force refuses without --yes when stdin is not a
#   terminal (nothing deleted), asks for the events table's name on a
#   terminal, and recreates the tables with --yes (and TTL with --ttl, moto);
#   create-tables run again on existing tables succeeds (idempotent); the
#   events table's stream (moto): create-tables --stream, describe and stream
#   show it (view type, latest ARN and label), stream --enable is idempotent,
#   refuses another view type, --disable turns it off (idempotent); dynalite
#   has no streams: the errors say so.
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
export AWS_ENDPOINT_URL_DYNAMODB=$endpoint AWS_ENDPOINT_URL_DYNAMODB_STREAMS=$endpoint
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

suffix="$$_$RANDOM"
events=es_events_$suffix snapshots=es_snapshots_$suffix checkpoints=es_checkpoints_$suffix
old_events=es_old_events_$suffix old_snapshots=es_old_snapshots_$suffix
tables=(--events-table "$events" --snapshots-table "$snapshots" --checkpoints-table "$checkpoints")
work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-es-test.XXXXXX")

tls_pid= tail_pid=
cleanup() {
  [ -z "$tls_pid" ] || kill "$tls_pid" 2>/dev/null || true
  [ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
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
has out "  stream: off"
lacks out "latest stream"
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
run 1 stream --events-table "missing_$suffix"
has out "missing_$suffix (events table): does not exist"
run 1 stream --enable NEW_IMAGE --events-table "missing_$suffix"
has out "missing_$suffix (events table): does not exist"

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

echo "== tail: the events in id order, with --from, --aggregate and --class"
# --horizon-ms 0: the events were written a moment ago, within the default
# safe horizon (4.5 s) that holds back young events.
run 0 dump --events-table "$events"
cp "$work/out" "$work/dumped"
run 0 tail --events-table "$events" --horizon-ms 0 --limit 3
cmp -s "$work/out" "$work/dumped" || fail "tail --limit 3 printed $(cat "$work/out"), dump $(cat "$work/dumped")"
empty err
run 0 tail --events-table "$events" --horizon-ms 0 --until-idle --progress
cmp -s "$work/out" "$work/dumped" || fail "tail --until-idle printed $(cat "$work/out")"
cat "$work/err"
mentions err "ddb-es: tail: following $events from id 0; events show once 0 ms old (the horizon)"
grep -qE '^ddb-es: tail: 3 events, caught up \([0-9]+ quer(y|ies), ([0-9.]+ s|[0-9]{1,2} ms)\)$' "$work/err" ||
  fail "no tail summary: $(cat "$work/err")"
run 0 tail --events-table "$events" --horizon-ms 0 --from "$id2" --limit 2
python3 -c 'import json,sys; v=[json.loads(l)["id"] for l in open(sys.argv[1])]; assert v==[int(a) for a in sys.argv[2:]], v' "$work/out" "$id2" "$id3"
run 0 tail --events-table "$events" --aggregate "$agg" --limit 2 # no horizon: the base table
python3 -c 'import json,sys; v=[(json.loads(l)["aggregate_uuid"], json.loads(l)["aggregate_version"]) for l in open(sys.argv[1])]; assert v==[(sys.argv[2], 1), (sys.argv[2], 2)], v' "$work/out" "$agg"
run 0 tail --events-table "$events" --aggregate "$agg" --from "$id3" --until-idle
python3 -c 'import json,sys; v=[json.loads(l)["id"] for l in open(sys.argv[1])]; assert v==[int(sys.argv[2])], v' "$work/out" "$id3"
run 0 tail --events-table "$events" --horizon-ms 0 --class thing_happened_2 --class thing_happened_1 --until-idle
python3 -c 'import json,sys; v=[json.loads(l)["event_class"] for l in open(sys.argv[1])]; assert v==["thing_happened_1", "thing_happened_2"], v' "$work/out"
run 0 tail --events-table "$events" --horizon-ms 0 --class nothing_of_that --until-idle --quiet
empty out
empty err
full tail --events-table "$events" --horizon-ms 0 --limit 1

echo "== tail runs until SIGINT or SIGTERM: exit 0"
for sig in INT TERM; do
  "$tool" tail --events-table "$events" --horizon-ms 0 --poll-ms 50 --progress \
    >"$work/tail_out" 2>"$work/tail_err" </dev/null &
  tail_pid=$!
  for _ in $(seq 300); do [ "$(wc -l <"$work/tail_out")" -ge 3 ] && break; sleep 0.1; done
  [ "$(wc -l <"$work/tail_out")" = 3 ] || fail "tail printed $(cat "$work/tail_out")"
  sleep 0.3 # polling, idle
  kill -s "$sig" "$tail_pid"
  rc=0; wait "$tail_pid" || rc=$?
  tail_pid=
  cat "$work/tail_err"
  [ "$rc" = 0 ] || fail "tail after SIG$sig exited $rc"
  grep -qF "ddb-es: tail: 3 events, interrupted (" "$work/tail_err" || fail "no summary after SIG$sig"
done

echo "== checkpoints and parked: items written with boto3 in the checkpoint_store layout"
# Projection "balances": partition 0 held by w1 (checkpoint at the first
# event), 1 free (never committed), 2 held by w2 whose lease expired
# (checkpoint at the second event), 3 without an item; w1's heartbeat is
# live, w2's expired; one parked event (the third). The lag each partition
# should show is computed from where the events are (FNV-1a of the key mod 4).
python3 - "$checkpoints" "$events" "$agg" "$id1" "$id2" "$id3" >"$work/lags" <<'PY'
import os, sys, time, boto3
table, events, agg, id1, id2, id3 = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:])
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
def partition(pk, n):
    h = 0xcbf29ce484222325
    for b in pk.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h % n
now = int(time.time() * 1000)
S = lambda v: {"S": v}
N = lambda v: {"N": str(v)}
def lease(p, cp, keys, fence, owner=None, until=0, at=None):
    item = {"pk": S("balances"), "sk": S("p#%05d" % p), "fence": N(fence), "until": N(until),
            "cp": N(cp), "cpk": {"L": [S(k) for k in keys]}}
    if owner:
        item["owner"] = S(owner)
    if at:
        item["at"] = N(at)
    c.put_item(TableName=table, Item=item)
    return cp, keys
cps = {0: lease(0, id1, [agg + "#1"], 3, "w1", now + 60000, now - 2000),
       1: lease(1, 0, [], 2),
       2: lease(2, id2, ["$e#%d#0" % id2], 1, "w2", now - 10000, now - 20000)}
for owner, until in (("w1", now + 60000), ("w2", now - 10000)):
    c.put_item(TableName=table, Item={"pk": S("balances"), "sk": S("w#" + owner),
                                      "owner": S(owner), "until": N(until)})
key = agg + "#2"
c.put_item(TableName=table, Item={
    "pk": S("balances"), "sk": S("x#%020d#%s" % (id3, key)), "key": S(key), "id": N(id3),
    "cls": S("thing_happened_2"), "err": S("boom\nat line 2"), "n": N(3), "at": N(now - 300000)})
# A second projection with a parked event only.
c.put_item(TableName=table, Item={
    "pk": S("audit"), "sk": S("x#%020d#%s" % (id1, agg + "#1")), "key": S(agg + "#1"),
    "id": N(id1), "cls": S("thing_happened_0"), "err": S("no"), "n": N(1), "at": N(now)})
stored = [(id1, agg, 1), (id2, "$e#%d" % id2, 0), (id3, agg, 2)]
for p in range(4):
    cp, keys = cps.get(p, (0, []))
    lag = [e for e in stored if partition(e[1], 4) == p and
           (e[0] > cp or (e[0] == cp and "%s#%d" % (e[1], e[2]) not in keys))]
    print(p, len(lag))
PY
cat "$work/lags"
run 0 checkpoints --checkpoints-table "$checkpoints"
cat "$work/out"
has out "audit: 0 partitions (0 held, 0 expired, 0 free), 0 live workers, 1 parked event"
has out "balances: 3 partitions (1 held, 1 expired, 1 free), 1 live worker, 1 parked event"
lines out 2
run 0 checkpoints --projection balances --events-table "$events" --checkpoints-table "$checkpoints"
cat "$work/out"
has out "projection balances (checkpoints table $checkpoints; events table $events, 4 index partitions)"
grep -qE '^partition 0: owner w1, fence 3, lease expires in [0-9.]+ s$' "$work/out" || fail "partition 0"
grep -qE "^  checkpoint: id $id1 \[$agg#1\] of [0-9T:.-]+Z \([0-9a-z. ]+ old\), committed [0-9.]+ s ago$" "$work/out" ||
  fail "checkpoint of partition 0"
has out "partition 1: free, fence 2"
has out "  checkpoint: none (from the first event)"
grep -qE '^partition 2: owner w2, fence 1, lease expired [0-9.]+ s ago \(free to take\)$' "$work/out" ||
  fail "partition 2"
grep -qF "  checkpoint: id $id2 [\$e#$id2#0] of " "$work/out" || fail "checkpoint of partition 2"
has out "partition 3: no item yet (never taken)"
has out "live workers: w1 (partition 0)"
has out "parked events: 1 ('ddb-es parked --projection balances' lists them)"
python3 - "$work/out" "$work/lags" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
want = dict(map(int, l.split()) for l in open(sys.argv[2]))
parts = re.split(r"^partition (\d+): ", text, flags=re.M)[1:]
got = {}
for p, body in zip(parts[0::2], parts[1::2]):
    m = re.search(r"^  lag: (none|(\d+) events? after the checkpoint, the oldest [0-9.]+ (s|ms) old)", body, re.M)
    assert m, body
    got[int(p)] = int(m.group(2) or 0)
assert got == want, (got, want)
print("checkpoints: the lag of each partition as expected:", got)
PY
run 1 checkpoints --projection nobody --events-table "$events" --checkpoints-table "$checkpoints"
mentions err "ddb-es: projection nobody has no items in the checkpoints table $checkpoints ('ddb-es checkpoints' lists the projections)"
run 0 checkpoints --projection audit --events-table "$events" --checkpoints-table "$checkpoints"
has out "partition 0: no item yet (never taken)"
has out "live workers: none"
has out "parked events: 1 ('ddb-es parked --projection audit' lists them)"
run 1 checkpoints --checkpoints-table "missing_$suffix"
mentions err "ddb-es: the checkpoints table missing_$suffix does not exist ('ddb-es create-tables' makes it; --checkpoints-table names another)"
run 1 checkpoints --projection balances --events-table "missing_$suffix" --checkpoints-table "$checkpoints"
mentions err "ddb-es: the events table missing_$suffix does not exist"

run 0 parked --projection balances --checkpoints-table "$checkpoints"
cat "$work/out"
grep -qE "^$id3 $agg#2 thing_happened_2: 3 attempts, parked [0-9T:.-]+Z \(5 min( [0-9]+ s)? ago\)$" "$work/out" ||
  fail "no parked line"
has out "  error: boom"
has out "    at line 2"
has out "1 parked event of projection balances"
run 0 parked --projection balances --checkpoints-table "$checkpoints" --json
python3 - "$work/out" "$id3" "$agg" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])
assert list(e) == ["id", "key", "event_class", "attempts", "parked_at", "redrive", "error"], e
assert e["id"] == int(sys.argv[2]) and e["key"] == sys.argv[3] + "#2", e
assert e["event_class"] == "thing_happened_2" and e["attempts"] == 3, e
assert e["redrive"] is False and e["error"] == "boom\nat line 2", e
print("parked --json: OK")
PY
mentions err "1 parked event of projection balances"
run 0 parked --projection balances --checkpoints-table "$checkpoints" --redrive "$id3" "$agg#2"
cat "$work/out"
has out "re-drive requested: $id3 $agg#2"
mentions out "the workers of projection balances handle them on their next lease round"
check_rd() { # PROJECTION ID KEY: the parked item's rd attribute is true
  python3 - "$checkpoints" "$@" <<'PY'
import os, sys, boto3
table, projection, id, key = sys.argv[1:]
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
item = c.get_item(TableName=table, ConsistentRead=True, Key={
    "pk": {"S": projection}, "sk": {"S": "x#%020d#%s" % (int(id), key)}})["Item"]
assert item.get("rd") == {"BOOL": True}, item
assert item["err"]["S"] and item["n"]["N"], item # the rest kept
PY
}
check_rd balances "$id3" "$agg#2"
run 0 parked --projection balances --checkpoints-table "$checkpoints"
mentions out ", re-drive requested"
has out "1 parked event of projection balances (1 with a re-drive requested)"
run 1 parked --projection balances --checkpoints-table "$checkpoints" --redrive "$id3" "$agg#2" \
  --redrive 12 "nobody#1"
has out "re-drive requested: $id3 $agg#2"
mentions err "ddb-es: not parked in projection balances: 12 nobody#1"
run 0 parked --projection audit --checkpoints-table "$checkpoints" --redrive-all
cat "$work/out"
mentions out "$id1 $agg#1 thing_happened_0: 1 attempt, parked "
mentions out "1 parked event of projection audit (1 with a re-drive requested, 1 just now): the workers of projection audit handle them on their next lease round"
mentions out "no worker of it is live now"
check_rd audit "$id1" "$agg#1"
run 0 parked --projection nobody --checkpoints-table "$checkpoints"
has out "no parked events for projection nobody"
run 1 parked --projection balances --checkpoints-table "missing_$suffix"
mentions err "the checkpoints table missing_$suffix does not exist"
full parked --projection balances --checkpoints-table "$checkpoints"
full checkpoints --checkpoints-table "$checkpoints"

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

echo "== tail picks up an event written after it started"
# On the migrated store (5 index partitions): a tail from after its events,
# started before the event is written (its first note says it runs).
next_id=$(( $(tail -n 1 "$work/old_ids") + 1 ))
"$tool" tail --events-table "$old_events" --from "$next_id" --horizon-ms 1000 --poll-ms 50 \
  --limit 1 --progress >"$work/tail_out" 2>"$work/tail_err" </dev/null &
tail_pid=$!
started=$(date +%s%N)
for _ in $(seq 300); do grep -qF "tail: following" "$work/tail_err" && break; sleep 0.1; done
echo "tail started in $(( ($(date +%s%N) - started) / 1000000 )) ms"
grep -qF "ddb-es: tail: following $old_events from id $next_id; events show once 1.0 s old (the horizon)" \
  "$work/tail_err" || fail "tail did not start: $(cat "$work/tail_err")"
sleep 0.5 # a few empty polls
python3 - "$old_events" "$agg" >"$work/live_id" <<'PY'
import json, os, sys, time, boto3
table, agg = sys.argv[1:]
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
def partition(pk, n):
    h = 0xcbf29ce484222325
    for b in pk.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h % n
id = time.time_ns() // 1000 * 1000
pk = "live-" + agg
c.put_item(TableName=table, Item={
    "pk": {"S": pk}, "v": {"N": "1"}, "id": {"N": str(id)},
    "g": {"S": "%d#%d" % (id // (86400 * 10**9), partition(pk, 5))}, "cls": {"S": "live"},
    "ev": {"N": "1"}, "p": {"S": "{}"}, "m": {"S": "{}"}, "at": {"N": str(id // 1000)}})
print(id)
PY
written=$(date +%s%N)
for _ in $(seq 200); do kill -0 "$tail_pid" 2>/dev/null || break; sleep 0.1; done
rc=0; wait "$tail_pid" || rc=$?
tail_pid=
echo "tail printed the event $(( ($(date +%s%N) - written) / 1000000 )) ms after it was written (horizon 1 s)"
cat "$work/tail_err"
[ "$rc" = 0 ] || fail "tail --limit 1 exited $rc"
python3 -c 'import json,sys; v=[(json.loads(l)["id"], json.loads(l)["event_class"]) for l in open(sys.argv[1])]; assert v==[(int(open(sys.argv[2]).read()), "live")], v' \
  "$work/tail_out" "$work/live_id"
grep -qF "ddb-es: tail: 1 event, --limit reached (" "$work/tail_err" || fail "no summary"

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

if [ "$backend" = moto ]; then
  echo "== the events table's stream: create-tables --stream, describe, stream --enable/--disable"
  run 0 create-tables --force --yes --stream new_and_old_images "${tables[@]}"
  cat "$work/err"
  mentions err "$events has a stream (NEW_AND_OLD_IMAGES): arn:aws:dynamodb:"
  run 0 describe "${tables[@]}"
  has out "  stream: enabled, NEW_AND_OLD_IMAGES"
  mentions out "  latest stream: arn:aws:dynamodb:us-east-1:123456789012:table/$events/stream/"
  arn=$(sed -n 's/^  latest stream: \(arn:[^ ]*\) (label .*)$/\1/p' "$work/out")
  [ -n "$arn" ] || fail "no stream ARN"
  echo "== tail --source streams: the history from the index, then the stream"
  "$tool" tail --source streams --events-table "$events" --horizon-ms 0 --poll-ms 50 \
    --limit 2 --progress >"$work/tail_out" 2>"$work/tail_err" </dev/null &
  tail_pid=$!
  for _ in $(seq 300); do grep -qF "tail: following" "$work/tail_err" && break; sleep 0.1; done
  grep -qF "ddb-es: tail: following $events from id 0 (its stream); events show once 0 ms old (the horizon)" \
    "$work/tail_err" || fail "tail --source streams did not start: $(cat "$work/tail_err")"
  python3 - "$events" >"$work/live_ids" <<'PY'
import os, sys, time, boto3
table = sys.argv[1]
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
def partition(pk, n):
    h = 0xcbf29ce484222325
    for b in pk.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h % n
for n in range(2):
    time.sleep(0.5)
    id = time.time_ns() // 1000 * 1000
    pk = "stream-%d" % n
    c.put_item(TableName=table, Item={
        "pk": {"S": pk}, "v": {"N": "1"}, "id": {"N": str(id)},
        "g": {"S": "%d#%d" % (id // (86400 * 10**9), partition(pk, 4))}, "cls": {"S": "live"},
        "ev": {"N": "1"}, "p": {"S": "{}"}, "m": {"S": "{}"}, "at": {"N": str(id // 1000)}})
    print(id)
PY
  for _ in $(seq 200); do kill -0 "$tail_pid" 2>/dev/null || break; sleep 0.1; done
  rc=0; wait "$tail_pid" || rc=$?
  tail_pid=
  cat "$work/tail_err"
  [ "$rc" = 0 ] || fail "tail --source streams --limit 2 exited $rc"
  python3 -c 'import json,sys; v=[json.loads(l)["id"] for l in open(sys.argv[1])]; assert v==[int(l) for l in open(sys.argv[2])], v' \
    "$work/tail_out" "$work/live_ids"
  grep -qE "^ddb-es: tail: 2 events, --limit reached \([0-9]+ requests?, " "$work/tail_err" ||
    fail "no summary counting requests"
  run 2 tail --source kinesis --events-table "$events"
  mentions err "--source wants 'index' or 'streams', got 'kinesis'"
  run 0 stream --events-table "$events"
  has out "$events (events table)"
  has out "  stream: enabled, NEW_AND_OLD_IMAGES"
  mentions out "  latest stream: $arn (label "
  empty err
  run 0 stream --enable NEW_AND_OLD_IMAGES --events-table "$events"
  has err "ddb-es: $events has a stream (NEW_AND_OLD_IMAGES): $arn"
  lines err 1 # already as asked: no UpdateTable
  run 1 stream --enable KEYS_ONLY --events-table "$events"
  mentions err "stream enabled with view type NEW_AND_OLD_IMAGES, not KEYS_ONLY as asked"
  mentions err "'ddb-es stream --disable'"
  run 0 stream --disable --events-table "$events"
  has err "ddb-es: disabling the stream on $events"
  has err "ddb-es: $events has no stream"
  has out "  stream: off"
  has out "  latest stream (disabled: its records stay readable for 24 hours): $arn (label ${arn##*/})"
  run 0 stream --disable --quiet --events-table "$events"
  empty err
  has out "  stream: off"
  # moto: a table whose stream was disabled fails every later write (500) and
  # refuses to enable a stream again; a fresh table is used from here on.
  run 0 create-tables --force --yes --quiet "${tables[@]}"
  run 1 tail --source streams --events-table "$events" --until-idle
  mentions err "$events"
  mentions err "no stream"
  run 0 stream --enable keys_only --events-table "$events"
  has err "ddb-es: enabling the stream (KEYS_ONLY) on $events"
  mentions err "ddb-es: $events has a stream (KEYS_ONLY): arn:aws:dynamodb:"
  has out "  stream: enabled, KEYS_ONLY"
  run 0 create-tables "${tables[@]}" # a stream not asked for is kept
  mentions err "found $events (schema matches; stream KEYS_ONLY enabled, none configured: left as it is)"
  run 0 create-tables --force --yes --quiet "${tables[@]}"
else
  echo "== the events table's stream: dynalite has no DynamoDB Streams"
  echo "dynalite ignores StreamSpecification on CreateTable and refuses it on UpdateTable:"
  echo "checking that ddb-es says so (exit 1); the stream's behaviour is tested on moto"
  run 1 create-tables --stream NEW_IMAGE "${tables[@]}"
  mentions err "ddb-es: events table $events: the stream could not be enabled (NEW_IMAGE): UpdateTable answered ValidationException: "
  mentions err "The endpoint may not support DynamoDB Streams"
  run 1 stream --enable NEW_IMAGE --events-table "$events"
  mentions err "the stream could not be enabled (NEW_IMAGE)"
  run 0 stream --disable --events-table "$events"
  has out "  stream: off"
  has err "ddb-es: $events has no stream"
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
