# A TOKEN authorizer written as API Gateway's documentation writes one in
# Python: "allow" and "deny" get a policy, "unauthorized" raises
# Exception("Unauthorized") (API Gateway answers 401), anything else fails.


def lambda_handler(event, context):
    token = event["authorizationToken"]
    if token == "allow":
        return generate_policy("user", "Allow", event["methodArn"])
    if token == "deny":
        return generate_policy("user", "Deny", event["methodArn"])
    if token == "unauthorized":
        raise Exception("Unauthorized")
    raise Exception("Error: Invalid token")


def generate_policy(principal_id, effect, resource):
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }
