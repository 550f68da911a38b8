#!/usr/bin/env bash
# ddb-sign prints the Authorization header botocore computes for the same
# request, and rejects a malformed --time with a non-zero exit.
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
[ -n "$ours" ] && [ "$ours" = "$theirs" ]
if "$tool" --time yesterday >/dev/null 2>&1; then echo "bad --time accepted" >&2; exit 1; fi
echo "ddb-sign: OK"
