#!/usr/bin/env bash
# ddb-sign prints the Authorization header botocore computes for the same
# request; --help and --version; usage errors exit 2 with a short hint;
# output that cannot be written (/dev/full) exits 1 with the errno text.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tool=$1 tool_name=ddb-sign
. "$here/tests/support/shell.sh"
clean_aws
export AWS_ACCESS_KEY_ID=AKIDTOOLTEST AWS_SECRET_ACCESS_KEY='tool/secret+key' AWS_SESSION_TOKEN=tooltoken
body='{"TableName":"t","Key":{"pk":{"S":"é"}}}'
out=$("$tool" --region ap-south-1 --target GetItem --time 20260101T010203Z --body "$body")
ours=$(sed -n 's/^authorization: //p' <<<"$out")
# The signature is the tool's purpose; the secret and the session token are never printed.
if grep -qF -e 'tool/secret+key' -e 'tooltoken' <<<"$out"; then
  echo "$out" >&2; fail "ddb-sign printed a secret or the session token"
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
[ -n "$ours" ] || fail "ddb-sign printed no authorization"
[ "$ours" = "$theirs" ] || fail "ddb-sign and botocore disagree"

work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-sign-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The same request from a file: the same signature.
printf '%s' "$body" >"$work/body.json"
run 0 --region ap-south-1 --target GetItem --time 20260101T010203Z --body-file "$work/body.json"
mentions out "authorization: $ours"

run 0 --version
version=$(project_version)
[ -n "$version" ] || fail "no version in CMakeLists.txt"
has out "ddb-sign $version"
lines out 1
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
  # shellcheck disable=SC2086
  full $args
done
echo "ddb-sign: OK"
