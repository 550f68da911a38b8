#!/usr/bin/env bash
# ddb-sign prints the Authorization header botocore computes for the same
# request; --help and --version; usage errors exit 2 with a short hint;
# output that cannot be written (/dev/full) exits 1 with the errno text.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tool=$1
export AWS_ACCESS_KEY_ID=AKIDTOOLTEST AWS_SECRET_ACCESS_KEY='tool/secret+key' AWS_SESSION_TOKEN=tooltoken
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
export AWS_EC2_METADATA_DISABLED=true
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB AWS_PROFILE
body='{"TableName":"t","Key":{"pk":{"S":"é"}}}'
out=$("$tool" --region ap-south-1 --target GetItem --time 20260101T010203Z --body "$body")
ours=$(sed -n 's/^authorization: //p' <<<"$out")
# The signature is the tool's purpose; the secret and the session token are never printed.
if grep -qF -e 'tool/secret+key' -e 'tooltoken' <<<"$out"; then
  echo "ddb-sign printed a secret or the session token:" >&2; echo "$out" >&2; exit 1
fi
grep -q '^x-amz-security-token:\*\* REDACTED \*\*$' <<<"$out" # in the canonical request
theirs=$(python3 - "$body" <<'PY' | python3 "$here/tests/sigv4/botocore_sign.py" | python3 -c 'import json,sys; print(json.load(sys.stdin)["authorization"])'
import json, sys
print(json.dumps({"method": "POST", "url": "https://dynamodb.ap-south-1.amazonaws.com/",
  "body": sys.argv[1], "headers": [["host", "dynamodb.ap-south-1.amazonaws.com"],
  ["content-type", "application/x-amz-json-1.0"], ["x-amz-target", "DynamoDB_20120810.GetItem"]],
  "access_key": "AKIDTOOLTEST", "secret_key": "tool/secret+key", "token": "tooltoken",
  "region": "ap-south-1", "service": "dynamodb", "amz_date": "20260101T010203Z"}))
PY
)
echo "ddb-sign: $ours"
echo "botocore: $theirs"
# (Two tests: under set -e a failure before && would not stop the script.)
[ -n "$ours" ] || { echo "FAIL: ddb-sign printed no authorization" >&2; exit 1; }
[ "$ours" = "$theirs" ] || { echo "FAIL: ddb-sign and botocore disagree" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-sign-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# run EXPECTED_RC ARGS...: stdout in $work/out, stderr in $work/err.
run() {
  local want=$1 rc=0
  shift
  "$tool" "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"
    fail "ddb-sign $* exited $rc, expected $want"
  fi
}
mentions() { grep -qF -- "$2" "$work/$1" || { cat "$work/$1"; fail "'$2' not in $1"; }; }

# The same request from a file: the same signature.
printf '%s' "$body" >"$work/body.json"
run 0 --region ap-south-1 --target GetItem --time 20260101T010203Z --body-file "$work/body.json"
mentions out "authorization: $ours"

run 0 --version
version=$(sed -n 's/^project(ddb VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
[ -n "$version" ] && [ "$(cat "$work/out")" = "ddb-sign $version" ] || fail "--version: $(cat "$work/out")"
run 0 --help
for text in "usage: ddb-sign" "canonical request" "SignatureDoesNotMatch" "Nothing is sent" \
            "--target OPERATION" "--body-file FILE" "--time yyyymmddThhmmssZ" "--header" \
            "environment:" "AWS_ACCESS_KEY_ID" "AWS_REGION" "example:" "Exit status"; do
  mentions out "$text"
done

for args in "--time yesterday" "--time 20260101T010203Zjunk" "--frobnicate" "--target" \
            "--header nocolon" "--body {} --body-file /dev/null" "--body-file $work/missing" \
            "positional"; do
  # shellcheck disable=SC2086 # split on purpose
  run 2 $args
  mentions err "ddb-sign: "
  mentions err "Try 'ddb-sign --help'."
  [ "$(wc -l <"$work/err")" -le 3 ] || fail "ddb-sign $args: a long complaint: $(cat "$work/err")"
done
mentions err "unexpected argument 'positional'"

for args in "--help" "--version" "--region ap-south-1 --time 20260101T010203Z"; do
  rc=0
  # shellcheck disable=SC2086
  "$tool" $args >/dev/full 2>"$work/err" || rc=$?
  [ "$rc" = 1 ] || fail "ddb-sign $args > /dev/full exited $rc"
  grep -qxF "ddb-sign: writing to stdout: No space left on device" "$work/err" ||
    fail "ddb-sign $args > /dev/full: $(cat "$work/err")"
done
echo "ddb-sign: OK"
