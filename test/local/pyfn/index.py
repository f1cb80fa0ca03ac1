# A Python function behind an API Gateway proxy integration, written as
# AWS's documentation writes one (lambda_handler(event, context) returning
# statusCode, headers and a JSON body), for test/local: it answers with
# what the runtime gave it; ?fail=1 raises, which API Gateway answers 502.
import json
import os
import platform


def lambda_handler(event, context):
    query = event.get("queryStringParameters") or {}
    if query.get("fail"):
        raise ValueError("failed on purpose")
    authorizer = event["requestContext"].get("authorizer") or {}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Runtime": os.environ.get("AWS_EXECUTION_ENV", "")},
        "body": json.dumps({
            "path": event["path"],
            "python": platform.python_version(),
            "requestId": context.aws_request_id,
            "functionName": context.function_name,
            "remainingMillis": context.get_remaining_time_in_millis(),
            "principalId": authorizer.get("principalId"),
            "greeting": os.environ.get("GREETING"),
        }),
    }
