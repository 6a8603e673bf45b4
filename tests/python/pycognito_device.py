"""pycognito's device support against a running Cognate: its device verifier
(generate_hash_device) confirmed through boto3's ConfirmDevice, then a sign-in whose
remembered device skips TOTP MFA with pycognito's SRP math for both the password and the
device (process_challenge, process_device_challenge). pycognito's own confirm_device posts to
AWS's fixed URL, and its authenticate_user answers DEVICE_SRP_AUTH without the Session that
Cognito requires, so the calls go through boto3 with the endpoint override. Started by
crates/cognate/tests/api/devices/interop.rs with COGNATE_BASE, POOL_ID, CLIENT_ID, USERNAME,
PASSWORD, TOTP_SECRET."""

import os
import time

import boto3
import pyotp
from pycognito.aws_srp import AWSSRP, generate_hash_device, long_to_hex
from pycognito.exceptions import SoftwareTokenMFAChallengeException

env = os.environ
pool, client, username, password = env["POOL_ID"], env["CLIENT_ID"], env["USERNAME"], env["PASSWORD"]
idp = boto3.client("cognito-idp", endpoint_url=env["COGNATE_BASE"], region_name=pool.split("_")[0])
totp = pyotp.TOTP(env["TOTP_SECRET"])

# A first sign-in: MFA, then the device offered.
try:
    AWSSRP(username, password, pool, client, client=idp).authenticate_user()
    raise AssertionError("no MFA was asked")
except SoftwareTokenMFAChallengeException as e:
    challenge = e.get_tokens()
done = idp.respond_to_auth_challenge(
    ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
    ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": totp.now()})
result = done["AuthenticationResult"]
device_key = result["NewDeviceMetadata"]["DeviceKey"]
group_key = result["NewDeviceMetadata"]["DeviceGroupKey"]

# pycognito's device verifier, confirmed.
device_password, verifier_config = generate_hash_device(group_key, device_key)
confirmed = idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device_key,
                               DeviceSecretVerifierConfig=verifier_config, DeviceName="pycognito")
assert confirmed["UserConfirmationNecessary"] is False, confirmed

# The remembered device signs in without a code.
srp = AWSSRP(username, password, pool, client, client=idp, device_key=device_key,
             device_group_key=group_key, device_password=device_password)
params = srp.get_auth_params()
step = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
answer = srp.process_challenge(step["ChallengeParameters"], params)
step = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                     ChallengeResponses=answer)
assert step["ChallengeName"] == "DEVICE_SRP_AUTH", step
step = idp.respond_to_auth_challenge(
    ClientId=client, ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
    ChallengeResponses={"USERNAME": username, "DEVICE_KEY": device_key,
                        "SRP_A": long_to_hex(srp.large_a_value)})
assert step["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER", step
tokens = idp.respond_to_auth_challenge(
    ClientId=client, ChallengeName="DEVICE_PASSWORD_VERIFIER", Session=step["Session"],
    ChallengeResponses=srp.process_device_challenge(step["ChallengeParameters"]))
assert tokens["AuthenticationResult"]["AccessToken"], tokens
assert "NewDeviceMetadata" not in tokens["AuthenticationResult"], tokens

# Refresh with the device key; the device listed.
refreshed = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
    "REFRESH_TOKEN": tokens["AuthenticationResult"]["RefreshToken"], "DEVICE_KEY": device_key})
access = refreshed["AuthenticationResult"]["AccessToken"]
devices = idp.list_devices(AccessToken=access)["Devices"]
assert [d["DeviceKey"] for d in devices] == [device_key], devices
print("pycognito: device verifier confirmed; remembered device skipped MFA; refresh; listed")
