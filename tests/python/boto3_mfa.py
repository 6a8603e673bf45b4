"""boto3 (the client behind aws-cli and most Python apps) through TOTP MFA against a running
Cognate, codes from pyotp: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
then InitiateAuth → SOFTWARE_TOKEN_MFA → RespondToAuthChallenge, a replayed code refused.
Started by crates/cognate/tests/api/mfa/interop.rs with COGNATE_BASE, POOL_ID, CLIENT_ID,
USERNAME, PASSWORD."""

import os
import time

import boto3
import pyotp
from botocore.exceptions import ClientError

env = os.environ
idp = boto3.client("cognito-idp", endpoint_url=env["COGNATE_BASE"],
                   region_name=env["POOL_ID"].split("_")[0])
client, username, password = env["CLIENT_ID"], env["USERNAME"], env["PASSWORD"]


def sign_in():
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


token = sign_in()["AuthenticationResult"]["AccessToken"]
secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
totp = pyotp.TOTP(secret)
# The previous step's code: the current one stays fresh for the sign-in below.
verified = idp.verify_software_token(AccessToken=token, UserCode=totp.at(time.time() - 30),
                                     FriendlyDeviceName="py")
assert verified["Status"] == "SUCCESS", verified
idp.set_user_mfa_preference(AccessToken=token,
                            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
user = idp.get_user(AccessToken=token)
assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"], user
assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA", user

challenge = sign_in()
assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge
assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "py", challenge
code = totp.now()
done = idp.respond_to_auth_challenge(
    ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
    ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code})
assert done["AuthenticationResult"]["AccessToken"]

again = sign_in()
try:
    idp.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=again["Session"],
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code})
    raise AssertionError("a replayed code signed in")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ExpiredCodeException", e.response
    assert e.response["Error"]["Message"] == "Your software token has already been used once.", e.response

print("boto3 + pyotp: TOTP associated, verified, preferred; MFA sign-in; replay refused")
