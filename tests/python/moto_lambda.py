"""Makes a function in moto's Lambda (without Docker: moto's "simple" Lambda, which answers
an invocation with a queued result, or else with the event it was given) and queues the
answers given. Cognate then invokes it through the Lambda Invoke API, a server not its own.

Arguments: moto's base URL, the function name, then JSON answers to queue. Prints the
function's ARN."""

import io
import json
import sys
import zipfile

import boto3
import requests


def main() -> None:
    base, name, answers = sys.argv[1], sys.argv[2], sys.argv[3:]
    requests.post(f"{base}/moto-api/config", json={"lambda": {"use_docker": False}}).raise_for_status()
    kw = dict(
        endpoint_url=base,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    role = boto3.client("iam", **kw).create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    arn = boto3.client("lambda", **kw).create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]
    if answers:
        requests.post(
            f"{base}/moto-api/static/lambda-simple/response",
            json={"results": answers, "region": "us-east-1"},
        ).raise_for_status()
    print(arn)


if __name__ == "__main__":
    main()
