#!/usr/bin/env bash
# Runs examples/stream_tail against moto: a table with a stream, the tail
# started, then three changes (an insert, an update, a delete) made with
# botocore; the tail must print one line per change with the event name and
# the keys as DynamoDB JSON, in order, and exit 0 on SIGTERM. A table
# without a stream: the tail exits 1 saying so. No argument: usage, exit 2.
#   stream_tail.sh STREAM_TAIL
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tail_bin=$1
state=$(mktemp -u "${TMPDIR:-/tmp}/ddb-stream-tail.XXXXXX")
out=$(mktemp "${TMPDIR:-/tmp}/ddb-stream-tail-out.XXXXXX")
err=$(mktemp "${TMPDIR:-/tmp}/ddb-stream-tail-err.XXXXXX")
tpid=
cleanup() {
  [ -n "$tpid" ] && kill -KILL "$tpid" 2>/dev/null || true
  "$here/scripts/local-dynamodb" stop "$state"
  rm -f "$out" "$err"
}
trap cleanup EXIT
. "$here/tests/support/shell.sh"
clean_aws
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDLOCALTEST AWS_SECRET_ACCESS_KEY=local-secret
endpoint=$("$here/scripts/local-dynamodb" start moto "$state")
export AWS_ENDPOINT_URL=$endpoint # DynamoDB and DynamoDB Streams
table="tail-$$-$RANDOM"

rc=0
"$tail_bin" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "no argument: exit $rc, expected 2"

ddb() { python3 - "$endpoint" "$table" "$@"; }
ddb create <<'PY'
import sys, boto3
endpoint, table, what = sys.argv[1:4]
c = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
spec = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
c.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
               StreamSpecification=spec)
c.create_table(TableName=table + "-plain", BillingMode="PAY_PER_REQUEST",
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
c.put_item(TableName=table, Item={"pk": {"S": "before"}})
PY

"$tail_bin" "$table" >"$out" 2>"$err" &
tpid=$!
# LATEST: the tail sees changes made after it holds its iterators; probe
# items are written until one shows, then the changes.
ddb probe "$out" <<'PY'
import sys, time, boto3
endpoint, table, what, out = sys.argv[1:5]
c = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
for i in range(300):
    c.put_item(TableName=table, Item={"pk": {"S": "probe-%d" % i}})
    time.sleep(0.2)
    if "probe" in open(out).read():
        break
else:
    sys.exit("stream_tail printed no probe in 60 s")
c.put_item(TableName=table, Item={"pk": {"S": "carol"}, "n": {"N": "1"}})
c.update_item(TableName=table, Key={"pk": {"S": "carol"}}, UpdateExpression="SET n = :v",
              ExpressionAttributeValues={":v": {"N": "2"}})
c.delete_item(TableName=table, Key={"pk": {"S": "carol"}})
PY
expected='INSERT {"pk":{"S":"carol"}}
MODIFY {"pk":{"S":"carol"}}
REMOVE {"pk":{"S":"carol"}}'
for _ in $(seq 1 100); do
  [ "$(grep -vc probe "$out")" -ge 3 ] && break
  sleep 0.1
done
kill -TERM "$tpid"
trc=0
wait "$tpid" || trc=$?
tpid=
echo "== stream_tail printed:"; cat "$out"; cat "$err" >&2
grep -q '^INSERT {"pk":{"S":"probe-[0-9]*"}}$' "$out" || fail "no probe line"
[ "$(grep -v '"probe-' "$out")" = "$expected" ] || fail "stream_tail printed something else (the change before it started must not show)"
[ "$trc" = 0 ] || fail "stream_tail exit $trc after SIGTERM, expected 0"

rc=0
"$tail_bin" "$table-plain" >"$out" 2>"$err" || rc=$?
cat "$err"
[ "$rc" = 1 ] || fail "a table without a stream: exit $rc, expected 1"
grep -q "$table-plain" "$err" || fail "the error does not name the table"
echo "stream_tail: ok"
