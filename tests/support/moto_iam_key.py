#!/usr/bin/env python3
"""Creates an IAM user with an allow-all policy in a moto server started with
INITIAL_NO_AUTH_ACTION_COUNT=4 and prints "ACCESS_KEY_ID SECRET". After these
four calls moto checks every request's SigV4 signature against that key."""
import json
import sys

import boto3

endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="ddb-test")
policy = iam.create_policy(PolicyName="ddb-test-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
iam.attach_user_policy(UserName="ddb-test", PolicyArn=policy["Policy"]["Arn"])
key = iam.create_access_key(UserName="ddb-test")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
