#!/usr/bin/env bash
# ddb-es against a local DynamoDB (moto or dynalite):
#   create-tables creates both tables (custom names), refuses existing ones
#   without --force and recreates them with it, enables TTL with --ttl (moto);
#   describe shows them; count and dump read an empty store, then 3 events
#   written with boto3 in the layout of include/ddb/es/tables.hpp; usage and
#   configuration errors give exit 2 and 1.
#
#   ddb_es.sh moto|dynalite DDB_ES
#
# Under ctest the servers' state files are in DDB_TEST_STATE_DIR; run by hand,
# the script starts its own server and stops it at exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
backend=$1 tool=$2
case "$backend" in moto|dynalite) ;; *) echo "unknown backend $backend" >&2; exit 2 ;; esac

own_state=
if [ -n "${DDB_TEST_STATE_DIR:-}" ]; then
  state=$DDB_TEST_STATE_DIR/$backend.state
else
  own_state=$(mktemp -u "${TMPDIR:-/tmp}/ddb-es-$backend.XXXXXX")
  "$here/scripts/local-dynamodb" start "$backend" "$own_state" >/dev/null
  state=$own_state
fi

export AWS_ENDPOINT_URL_DYNAMODB=$("$here/scripts/local-dynamodb" endpoint "$state")
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
export AWS_EC2_METADATA_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_DEFAULT_REGION

suffix="$$_$RANDOM"
events=es_events_$suffix snapshots=es_snapshots_$suffix
tables=(--events-table "$events" --snapshots-table "$snapshots")
work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-es-test.XXXXXX")

cleanup() {
  python3 - "$events" "$snapshots" <<'PY' || true
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

fail() { echo "FAIL: $*" >&2; exit 1; }
# run EXPECTED_RC ARGS...: runs the tool, stdout in $work/out, stderr in $work/err.
run() {
  local want=$1 rc=0
  shift
  "$tool" "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"
    fail "ddb-es $* exited $rc, expected $want"
  fi
}
has() { grep -qxF -- "$2" "$work/$1" || { cat "$work/$1"; fail "no line '$2' in $1"; }; }
mentions() { grep -qF -- "$2" "$work/$1" || { cat "$work/$1"; fail "'$2' not in $1"; }; }

echo "== usage"
run 0 --help
mentions out "usage: ddb-es COMMAND"
run 2
mentions err "usage: ddb-es"
run 2 frobnicate
mentions err "unknown command 'frobnicate'"
run 2 count --from abc
mentions err "--from wants"
run 2 count --from 12x
run 2 count --from
run 2 dump --from -5
run 2 count --shards 0
run 2 describe --from 1
run 2 create-tables --bogus
run 2 count --uuid ''
run 2 create-tables --events-table 'a b'

echo "== configuration errors: one clear line, exit 1"
rc=0
env -u AWS_REGION "$tool" count >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "count without a region exited $rc"
mentions err "no AWS region"
[ "$(wc -l <"$work/err")" = 1 ] || fail "more than one line: $(cat "$work/err")"

echo "== create-tables"
run 0 create-tables "${tables[@]}"
cat "$work/err"
mentions err "$events"
mentions err "$snapshots"
run 0 describe "${tables[@]}"
cat "$work/out"
has out "$events (events table)"
has out "$snapshots (snapshots table)"
[ "$(grep -cxF '  status: ACTIVE' "$work/out")" = 2 ] || fail "both tables should be ACTIVE"
has out "  key: pk HASH (S), v RANGE (N)"
has out "  global index global: g HASH (S), id RANGE (N); projection ALL; ACTIVE"
has out "  key: pk HASH (S), sk RANGE (S)"
has out "  indexes: none"
has out "  items: 0"

echo "== create-tables again: refused without --force, recreated with it"
run 1 create-tables "${tables[@]}"
cat "$work/err"
mentions err "$events"
mentions err "exists"
run 0 create-tables --force "${tables[@]}"
cat "$work/err"
mentions err "deleting $events"
mentions err "deleting $snapshots"
mentions err "$events is active"
run 0 describe "${tables[@]}"
[ "$(grep -cxF '  status: ACTIVE' "$work/out")" = 2 ] || fail "both tables should be ACTIVE"

if [ "$backend" = moto ]; then # dynalite has no UpdateTimeToLive
  echo "== create-tables --ttl"
  run 0 create-tables --force --ttl "${tables[@]}"
  mentions err "TTL enabled on $events.expires_at"
  run 0 describe "${tables[@]}"
  cat "$work/out"
  has out "  ttl: ENABLED (expires_at)"
fi

echo "== a missing table"
run 1 describe --events-table "missing_$suffix" --snapshots-table "$snapshots"
has out "missing_$suffix (events table): does not exist"
run 1 count --events-table "missing_$suffix"
mentions err "ddb-es: "

echo "== count and dump of an empty store"
run 0 count --events-table "$events"
has out 0
run 0 dump --events-table "$events"
[ ! -s "$work/out" ] || fail "dump of an empty store printed $(cat "$work/out")"

echo "== 3 events written with boto3 in the store's layout"
# agg-$suffix v1, one event without an aggregate, agg-$suffix v2 (with a TTL):
# consecutive ids, so they sit on 3 different shards of the global index.
agg=agg-$suffix
python3 - "$events" "$agg" >"$work/ids" <<'PY'
import json, os, sys, time, boto3
table, agg = sys.argv[1:]
c = boto3.client("dynamodb", region_name="us-east-1",
                 endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
now_us = time.time_ns() // 1000
bucket_width = 86400 * 10**6 * 1000  # 24 h of ids (microseconds x 1000)
base = now_us * 1000
c.put_item(TableName=table, Item={"pk": {"S": "$meta"}, "v": {"N": "0"},
                                  "fb": {"N": str(base // bucket_width)}})
events = [(agg, 1, None), (None, 0, None), (agg, 2, int(time.time()) + 86400)]
for k, (uuid, version, expires) in enumerate(events):
    id = base + k
    at = now_us + k
    meta = {"created-at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at // 10**6))
                          + ".%06dZ" % (at % 10**6), "stored-event-id": id, "user": "u%d" % k}
    if uuid:
        meta.update({"aggregate-root-uuid": uuid, "aggregate-root-version": version})
    item = {"pk": {"S": uuid or "$e#%d" % id}, "v": {"N": str(version)}, "id": {"N": str(id)},
            "g": {"S": "%d#%d" % (id // bucket_width, id % 4)}, "cls": {"S": "thing_happened_%d" % k},
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

echo "ddb-es ($backend): OK"
