package localrun

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/streamgate/streamgate/client/sigv4"
	"github.com/streamgate/streamgate/internal/devserver"
)

// The runner guards routes as API Gateway does: AWS_IAM methods need a
// SigV4 signature by a key it knows, Lambda authorizers run, Cognito user
// pool authorizers verify tokens, and methods that require an API key
// check it against the usage plans. A team's test calls a protected route
// with Client (signed with the local credential), a token from
// CognitoToken, or the key APIKey names.

// The local credential every runner accepts on AWS_IAM methods, as the IAM
// user LocalUserARN of account LocalAccountID. It is documented, fixed and
// useless on AWS.
const (
	LocalAccessKeyID     = devserver.LocalAccessKeyID
	LocalSecretAccessKey = devserver.LocalSecretAccessKey
	LocalAccountID       = devserver.LocalAccountID
	LocalUserARN         = devserver.LocalUserARN
)

// LocalCredentials are the local credential as the AWS SDK for Go takes
// them (credentials.StaticCredentialsProvider{Value: LocalCredentials()}).
func LocalCredentials() aws.Credentials { return devserver.LocalCredentials() }

// IAMKey is a credential the runner accepts on AWS_IAM methods besides the
// local one and the developer's, and who it stands for.
type IAMKey struct {
	// AccessKeyID is requestContext.identity.accessKey. Required.
	AccessKeyID string
	// SecretAccessKey verifies the signatures. Required.
	SecretAccessKey string
	// SessionToken is the X-Amz-Security-Token a request must carry; ""
	// for a long-term key.
	SessionToken string
	// AccountID is requestContext.identity.accountId. Default:
	// LocalAccountID.
	AccountID string
	// ARN is requestContext.identity.userArn: a user
	// (arn:aws:iam::ACCOUNT:user/NAME) or a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). Default: a user
	// named after where the key came from.
	ARN string
}

// CognitoToken is what CognitoToken mints: a token of the runner's local
// issuer for a user pool of the assembly, which its Cognito authorizers
// accept.
type CognitoToken struct {
	// Pool is the user pool: its stack/logical id, logical id or local id.
	// Default: the only pool of the assembly.
	Pool string
	// User is the user name. Default: "local-user".
	User string
	// Groups are cognito:groups. Default: none.
	Groups []string
	// Scopes are an access token's scopes (a method with authorization
	// scopes needs an access token that has one). Default: none, an ID
	// token (or, with Access, aws.cognito.signin.user.admin).
	Scopes []string
	// Access mints an access token; Scopes imply it. Default: an ID token.
	Access bool
	// Email is an ID token's email. Default: none.
	Email string
	// Claims are further claims ("custom:tenant": "acme"). Default: none.
	Claims map[string]any
	// TTL is the token's lifetime. Default: one hour, as Cognito's.
	TTL time.Duration
}

func (t CognitoToken) devserver() devserver.CognitoToken {
	return devserver.CognitoToken{Pool: t.Pool, User: t.User, Groups: t.Groups, Scopes: t.Scopes, Access: t.Access,
		Email: t.Email, Claims: t.Claims, TTL: t.TTL}
}

func iamKeys(keys []IAMKey) []devserver.IAMKey {
	var out []devserver.IAMKey
	for _, k := range keys {
		out = append(out, devserver.IAMKey{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey,
			SessionToken: k.SessionToken, AccountID: k.AccountID, ARN: k.ARN, Source: "localrun.Options.IAMKeys"})
	}
	return out
}

// Client is an HTTP client that signs every request with SigV4 for
// execute-api with the local credential, as an AWS SDK would: AWS_IAM
// routes take it as LocalUserARN, and other routes ignore the signature.
// Its requests' bodies are read into memory to be hashed (API Gateway
// takes at most 10 MB).
func (r *Runner) Client() *http.Client {
	return &http.Client{Transport: &sigv4.Transport{
		Credentials: credentials.StaticCredentialsProvider{Value: LocalCredentials()},
		Region:      r.region,
	}}
}

// CognitoToken mints a token that the runner's Cognito authorizers accept
// (unless Options.CognitoJWKS made them trust real pools), for the
// Authorization header.
func (r *Runner) CognitoToken(t CognitoToken) (string, error) {
	return r.srv.CognitoToken(t.devserver())
}

// APIKey is the value of the template's API key name (its logical id,
// stack/logical id or Name) that the runner takes in x-api-key: the
// template's literal value, Options.APIKeys', or one the runner made; ""
// when no usage plan has such a key.
func (r *Runner) APIKey(name string) string { return r.srv.APIKey(name) }
