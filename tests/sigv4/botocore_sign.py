#!/usr/bin/env python3
"""Independent oracle for ddb's SigV4 signer: signs each request read from
stdin (one JSON object per line) with botocore's SigV4Auth at the given fixed
time and prints one JSON line {"authorization": ...} per request."""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for line in sys.stdin:
    r = json.loads(line)
    fixed = datetime.datetime.strptime(r["amz_date"], "%Y%m%dT%H%M%SZ")
    # botocore reads the clock inside add_auth; pin it to the test's time.
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True, _t=fixed: _t
    req = AWSRequest(method=r["method"], url=r["url"], data=r["body"].encode("utf-8"))
    for name, value in r["headers"]:
        req.headers[name] = value
    creds = Credentials(r["access_key"], r["secret_key"], r["token"] or None)
    botocore.auth.SigV4Auth(creds, r["service"], r["region"]).add_auth(req)
    print(json.dumps({"authorization": req.headers["Authorization"]}), flush=True)
