// A TOKEN or REQUEST Lambda authorizer on Node.js for the devserver tests:
// the part of the token before the first "." picks the answer, as in
// testdata/authorizer (Go).
const policy = (principalId, effect, resource) => ({
  principalId,
  policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] },
});

export const handler = async (event) => {
  const token = event.type === "REQUEST" ? (event.headers || {})["X-Token"] || "" : event.authorizationToken;
  const mode = token.split(".")[0];
  const principal = "user-" + token;
  switch (mode) {
    case "allow":
      return { ...policy(principal, "Allow", event.methodArn), context: { str: "s", num: 42, bool: true } };
    case "deny":
      return policy(principal, "Deny", event.methodArn);
    case "error":
      throw new Error("the user database is down");
    default:
      throw new Error("Unauthorized");
  }
};
