"""Uploads a body to a PresignedUploadAPI's DirectUpload route (PUT
/objects/{name}) the way a Python team would: requests sends it, and
botocore's own SigV4 signer signs it for execute-api (the route is
AWS_IAM). Prints the answer as one line of JSON.

usage: AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... python3 direct_upload.py URL SIZE [REGION]

The body is SIZE bytes of a fixed pattern; its SHA-256 is printed, so the
caller can compare what was stored.
"""

import hashlib
import json
import os
import sys

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    url, size = sys.argv[1], int(sys.argv[2])
    region = sys.argv[3] if len(sys.argv) > 3 else "us-east-1"
    body = (bytes(range(251)) * (size // 251 + 1))[:size]
    headers = {"Content-Type": "application/octet-stream"}
    # botocore signs a request of its own; requests then sends the same
    # method, URL, headers and body.
    signed = AWSRequest(method="PUT", url=url, data=body, headers=headers)
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(credentials, "execute-api", region).add_auth(signed)
    resp = requests.put(url, data=body, headers=dict(signed.headers.items()), timeout=120)
    print(json.dumps({
        "status": resp.status_code,
        "body": resp.text,
        "headers": dict(resp.headers),
        "sha256": hashlib.sha256(body).hexdigest(),
        "client": "requests " + requests.__version__,
    }))


if __name__ == "__main__":
    main()
