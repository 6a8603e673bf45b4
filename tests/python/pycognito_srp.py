"""pycognito's authenticate() (SRP) against a running Cognate, with only the endpoint
override: by username and by email alias through a confidential client (SECRET_HASH on both
steps), tokens verified against Cognate's JWKS and issuer, refresh, and a wrong password
refused. Started by crates/cognate/tests/api/srp/interop.rs with COGNATE_BASE, POOL_ID,
CLIENT_ID, CLIENT_SECRET, USERNAME, EMAIL, PASSWORD."""

import os

from botocore.exceptions import ClientError
from pycognito import Cognito

env = os.environ
base, pool, client, secret = env["COGNATE_BASE"], env["POOL_ID"], env["CLIENT_ID"], env["CLIENT_SECRET"]
username, email, password = env["USERNAME"], env["EMAIL"], env["PASSWORD"]


def user(name):
    return Cognito(pool, client, client_secret=secret, username=name,
                   boto3_client_kwargs={"endpoint_url": base})


for name in (username, email):
    u = user(name)
    u.authenticate(password=password)  # SRP; verifies the tokens it receives
    assert u.access_claims["username"] == username, u.access_claims
    assert u.id_claims["email"] == email, u.id_claims
    if name == username:
        # pycognito hashes the name it was given; Cognito's refresh wants the internal
        # username's SECRET_HASH, so an alias cannot refresh through a confidential client
        # there either.
        u.renew_access_token()
        assert u.access_token

try:
    user(username).authenticate(password="Wrong-Pass-1")
    raise AssertionError("a wrong password signed in")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response
    assert e.response["Error"]["Message"] == "Incorrect username or password.", e.response

print("pycognito: SRP sign-in by username and by email alias, refresh; wrong password refused")
