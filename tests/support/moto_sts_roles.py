#!/usr/bin/env python3
"""Sets up STS roles in a moto server started with INITIAL_NO_AUTH_ACTION_COUNT=7
and prints "ACCESS_KEY_ID SECRET OPEN_ROLE_ARN CLOSED_ROLE_ARN": an IAM user
with an allow-all policy (its key), a role whose trust policy lets anyone
assume it (with an allow-all policy: its credentials may call DynamoDB), and
a role whose trust policy names only another account (the user may not
assume it). After these seven calls moto checks every request's SigV4
signature and the IAM policies."""
import json
import sys

import boto3

endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


allow_all = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
policy = iam.create_policy(PolicyName="ddb-sts-all", PolicyDocument=allow_all)["Policy"]["Arn"]
iam.create_user(UserName="ddb-sts-user")
iam.attach_user_policy(UserName="ddb-sts-user", PolicyArn=policy)
key = iam.create_access_key(UserName="ddb-sts-user")["AccessKey"]
open_role = iam.create_role(RoleName="ddb-open-role",
                            AssumeRolePolicyDocument=trust("*"))["Role"]["Arn"]
iam.attach_role_policy(RoleName="ddb-open-role", PolicyArn=policy)
closed_role = iam.create_role(
    RoleName="ddb-closed-role",
    AssumeRolePolicyDocument=trust("arn:aws:iam::111111111111:root"))["Role"]["Arn"]
print(key["AccessKeyId"], key["SecretAccessKey"], open_role, closed_role)
