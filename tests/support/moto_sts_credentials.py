#!/usr/bin/env python3
"""Prints N sets of temporary credentials ("ACCESS_KEY_ID SECRET SESSION_TOKEN",
one per line) that a moto server with IAM authentication on accepts: an IAM
user and a role with allow-all policies are created while moto still admits
unauthenticated calls (start moto with INITIAL_NO_AUTH_ACTION_COUNT=6), then
each set comes from STS AssumeRole signed with the user's key."""
import json
import sys

import boto3

endpoint, count = sys.argv[1], int(sys.argv[2])
boot = dict(endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam = boto3.client("iam", **boot)
allow_all = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
trust = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
policy = iam.create_policy(PolicyName="ddb-test-all", PolicyDocument=allow_all)["Policy"]["Arn"]
iam.create_user(UserName="ddb-test")
iam.attach_user_policy(UserName="ddb-test", PolicyArn=policy)
key = iam.create_access_key(UserName="ddb-test")["AccessKey"]
role = iam.create_role(RoleName="ddb-test-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
iam.attach_role_policy(RoleName="ddb-test-role", PolicyArn=policy)

sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"])
for i in range(count):
    c = sts.assume_role(RoleArn=role, RoleSessionName=f"chaos-{i}")["Credentials"]
    print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], flush=True)
