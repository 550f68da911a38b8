#!/usr/bin/env bash
# Runs the demo program against a local DynamoDB it starts on a free port.
#   demo.sh moto|dynalite DEMO     the demo must succeed
#   demo.sh moto-auth DEMO         moto checks every SigV4 signature (IAM auth
#                                  on): the demo must succeed with the right
#                                  key, and be refused with a wrong secret
#   demo.sh moto-follower BANK FOLLOWER
#                                  bank_account with bank_follower beside it
#                                  (as scripts/demo runs them): the follower's
#                                  balances table must match, both exit 0
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mode=$1 demo=$2
state=$(mktemp -u "${TMPDIR:-/tmp}/ddb-demo-$mode.XXXXXX")
trap '"$here/scripts/local-dynamodb" stop "$state"' EXIT
. "$here/tests/support/shell.sh"
clean_aws
export AWS_REGION=us-east-1

case "$mode" in
  moto|dynalite)
    endpoint=$("$here/scripts/local-dynamodb" start "$mode" "$state")
    export AWS_ENDPOINT_URL_DYNAMODB=$endpoint
    export AWS_ACCESS_KEY_ID=AKIDLOCALTEST AWS_SECRET_ACCESS_KEY=local-secret
    out=$("$demo")
    echo "$out"
    # ddb_demo says which credential source and endpoint form served.
    if [ "$(basename "$demo")" = ddb_demo ]; then
      grep -q "^credentials: chain: .*; served by environment" <<<"$out" ||
        fail "the demo does not say the environment served the credentials"
      grep -q "^endpoint: configured http://127.0.0.1:[0-9]*/\? (AWS_ENDPOINT_URL_DYNAMODB)" <<<"$out" ||
        fail "the demo does not say which endpoint form it used"
      ! grep -q "local-secret" <<<"$out" || fail "the demo printed the secret"
    fi
    ;;
  moto-follower)
    follower=$3
    endpoint=$("$here/scripts/local-dynamodb" start moto "$state")
    export AWS_ENDPOINT_URL_DYNAMODB=$endpoint
    export AWS_ACCESS_KEY_ID=AKIDLOCALTEST AWS_SECRET_ACCESS_KEY=local-secret
    suffix="t-$$-$RANDOM"
    "$follower" --suffix "$suffix" &
    fpid=$!
    rc=0
    "$demo" --suffix "$suffix" --with-follower || rc=$?
    kill -TERM "$fpid" 2>/dev/null || true
    frc=0
    wait "$fpid" || frc=$?
    "$demo" --suffix "$suffix" --delete-tables
    echo "bank_account exit $rc, bank_follower exit $frc"
    [ "$rc" = 0 ] && [ "$frc" = 0 ]
    ;;
  moto-auth)
    export INITIAL_NO_AUTH_ACTION_COUNT=4
    endpoint=$("$here/scripts/local-dynamodb" start moto "$state")
    export AWS_ENDPOINT_URL_DYNAMODB=$endpoint
    read -r id secret < <(python3 "$here/tests/support/moto_iam_key.py" "$AWS_ENDPOINT_URL_DYNAMODB")
    echo "== right key: every request is signature-checked by moto"
    AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret "$demo"
    echo "== wrong secret: moto must refuse"
    out=$(AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY="${secret}x" "$demo" || true)
    echo "$out"
    grep -q "demo: FAILED" <<<"$out"
    err=$(AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY="${secret}x" "$demo" 2>&1 >/dev/null || true)
    echo "$err"
    grep -q "ListTables: SignatureDoesNotMatch" <<<"$err"
    echo "demo refused with a wrong secret: OK"
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
