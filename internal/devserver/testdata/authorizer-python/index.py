# A TOKEN or REQUEST Lambda authorizer on Python for the devserver tests,
# shaped as API Gateway's documentation writes one: the part of the token
# before the first "." picks the answer, as in testdata/authorizer (Go).


def generate_policy(principal_id, effect, resource):
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }


def lambda_handler(event, context):
    if event["type"] == "REQUEST":
        token = (event.get("headers") or {}).get("X-Token", "")
    else:
        token = event["authorizationToken"]
    mode = token.split(".")[0]
    principal = "user-" + token
    if mode == "allow":
        policy = generate_policy(principal, "Allow", event["methodArn"])
        policy["context"] = {"str": "s", "num": 42, "bool": True}
        return policy
    if mode == "deny":
        return generate_policy(principal, "Deny", event["methodArn"])
    if mode == "error":
        raise RuntimeError("the user database is down")
    raise Exception("Unauthorized")
