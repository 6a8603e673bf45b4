"""Decrypts custom sender codes as a Cognito custom sender Lambda written in Python does
(AWS developer guide, "Custom email sender Lambda trigger", its Python example): the AWS
Encryption SDK for Python, a strict KMS master key provider for the pool's key, and the
commitment policy REQUIRE_ENCRYPT_ALLOW_DECRYPT.

Arguments: the KMS key ARN, then base64 codes. The KMS endpoint comes from
AWS_ENDPOINT_URL_KMS (botocore's per-service override). Prints one JSON object per code:
the plaintext, the encryption context and the algorithm suite."""

import base64
import json
import sys

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk import CommitmentPolicy


def main() -> None:
    key_arn, codes = sys.argv[1], sys.argv[2:]
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT
    )
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[key_arn], botocore_session=botocore.session.Session()
    )
    for code in codes:
        plaintext, header = client.decrypt(
            source=base64.b64decode(code), key_provider=provider
        )
        print(
            json.dumps(
                {
                    "plaintext": plaintext.decode(),
                    "context": header.encryption_context,
                    "algorithm": header.algorithm.name,
                }
            )
        )


if __name__ == "__main__":
    main()
