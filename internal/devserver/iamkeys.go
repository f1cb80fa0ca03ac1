package devserver

import (
	"bufio"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The credentials the runner knows for AWS_IAM methods: a fixed local one,
// documented so tests and examples can sign with it; the developer's own
// (the AWS_* variables, the shared credentials and config files); and the
// keys given with -iam-key (Options.IAMKeys). Without an AWS account the
// runner cannot ask STS who a key belongs to, so the identity it reports
// for the developer's keys says it is local (account 000000000000, a user
// or role named sgdev-local...), unless -iam-key gives the account and ARN.

// The local credential: an IAM user's access key that every runner knows.
// It signs for nothing on AWS.
const (
	// LocalAccessKeyID has the format of an IAM user's access key id
	// (AKIA and 16 upper-case letters or digits).
	LocalAccessKeyID = "AKIASTREAMGATELOCAL0"
	// LocalSecretAccessKey is LocalAccessKeyID's secret.
	LocalSecretAccessKey = "streamgate/local/SECRET/for/sgdev/only00"
	// LocalAccountID is the account of the runner's APIs and of the local
	// credentials.
	LocalAccountID = localAccountID
	// LocalUserARN is the local credential's user:
	// requestContext.identity.userArn.
	LocalUserARN = "arn:aws:iam::" + LocalAccountID + ":user/streamgate-local"
	// LocalUserID is the local user's unique id (AIDA and 17 characters,
	// as IAM makes them): requestContext.identity.caller and user.
	LocalUserID = "AIDASTREAMGATELOCAL00"
)

// The local session credential: temporary credentials of a role session,
// as STS AssumeRole returns them (ASIA key, session token), for trying
// session tokens locally.
const (
	// LocalSessionAccessKeyID has the format of temporary credentials'
	// access key id (ASIA...).
	LocalSessionAccessKeyID = "ASIASTREAMGATELOCAL0"
	// LocalSessionSecretAccessKey is LocalSessionAccessKeyID's secret.
	LocalSessionSecretAccessKey = "streamgate/local/SESSION/for/sgdev/only0"
	// LocalSessionToken is the X-Amz-Security-Token requests signed with
	// LocalSessionAccessKeyID must carry.
	LocalSessionToken = "IQoJb3JpZ2luX2VjEstreamgate/local/session/token/for/sgdev/only"
	// LocalSessionRoleARN is the session's ARN:
	// requestContext.identity.userArn.
	LocalSessionRoleARN = "arn:aws:sts::" + LocalAccountID + ":assumed-role/streamgate-local/sgdev"
	// LocalSessionCaller is the session's caller and user: the role's
	// unique id (AROA...) and the session name.
	LocalSessionCaller = "AROASTREAMGATELOCAL00:sgdev"
)

// IAMKey is a credential the runner accepts on AWS_IAM methods, and who it
// stands for.
type IAMKey struct {
	// AccessKeyID is the key's id (the Credential's first part) and
	// requestContext.identity.accessKey. Required.
	AccessKeyID string
	// SecretAccessKey verifies the signatures made with the key. Required.
	SecretAccessKey string
	// SessionToken is the X-Amz-Security-Token a request must carry;
	// "" for a long-term key, which must carry none.
	SessionToken string
	// AccountID is requestContext.identity.accountId. Default:
	// LocalAccountID.
	AccountID string
	// ARN is requestContext.identity.userArn: an IAM user
	// (arn:aws:iam::ACCOUNT:user/NAME), a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or the account's
	// root (arn:aws:iam::ACCOUNT:root). Default: a user (a role session for
	// an ASIA key) whose name says where the runner found the key.
	ARN string
	// CallerID is the caller's unique id as IAM makes them (AIDA... for a
	// user, AROA... for a role). Default: derived from the access key id.
	CallerID string
	// Expires is when a session credential stops working (the request is
	// then refused as expired); zero: never.
	Expires time.Time
	// Source says where the runner found the key, for its notice and the
	// default ARN. Default: "Options.IAMKeys".
	Source string
}

// ParseIAMKey reads -iam-key's value: ACCESS_KEY_ID:SECRET[:ACCOUNT[:ARN]]
// (an ARN has colons: it is the rest of the value).
func ParseIAMKey(s string) (IAMKey, error) {
	parts := strings.SplitN(s, ":", 4)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return IAMKey{}, fmt.Errorf("-iam-key %q: want ACCESS_KEY_ID:SECRET[:ACCOUNT[:ARN]], e.g. AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:123456789012:arn:aws:iam::123456789012:user/alice", redactSecret(s, parts))
	}
	k := IAMKey{AccessKeyID: parts[0], SecretAccessKey: parts[1], Source: "-iam-key"}
	if len(parts) > 2 {
		k.AccountID = parts[2]
		if len(k.AccountID) != 12 || strings.Trim(k.AccountID, "0123456789") != "" {
			return IAMKey{}, fmt.Errorf("-iam-key %s: account %q is not 12 digits", k.AccessKeyID, k.AccountID)
		}
	}
	if len(parts) > 3 {
		k.ARN = parts[3]
		if _, _, err := arnPrincipal(k.ARN); err != nil {
			return IAMKey{}, fmt.Errorf("-iam-key %s: %v", k.AccessKeyID, err)
		}
	}
	return k, nil
}

func redactSecret(s string, parts []string) string {
	if len(parts) >= 2 {
		return parts[0] + ":****"
	}
	return s
}

// arnPrincipal reads the kind of principal and its name from an ARN:
// ("user", "alice"), ("assumed-role", "Role/session") or ("root", "").
func arnPrincipal(arn string) (kind, name string, err error) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || (f[2] != "iam" && f[2] != "sts") {
		return "", "", fmt.Errorf("%q is not an IAM user, role session or root ARN (arn:aws:iam::123456789012:user/alice, arn:aws:sts::123456789012:assumed-role/Role/session)", arn)
	}
	res := f[5]
	switch {
	case f[2] == "iam" && res == "root":
		return "root", "", nil
	case f[2] == "iam" && strings.HasPrefix(res, "user/"):
		return "user", res[strings.LastIndex(res, "/")+1:], nil
	case f[2] == "sts" && strings.HasPrefix(res, "assumed-role/") && strings.Count(res, "/") == 2:
		return "assumed-role", strings.TrimPrefix(res, "assumed-role/"), nil
	}
	return "", "", fmt.Errorf("%q is not an IAM user, role session or root ARN (arn:aws:iam::123456789012:user/alice, arn:aws:sts::123456789012:assumed-role/Role/session)", arn)
}

// withDefaults fills the account, ARN and caller id a key does not give.
func (k IAMKey) withDefaults() IAMKey {
	if k.AccountID == "" {
		k.AccountID = LocalAccountID
		if k.ARN != "" {
			if f := strings.SplitN(k.ARN, ":", 6); len(f) == 6 && f[4] != "" {
				k.AccountID = f[4]
			}
		}
	}
	if k.ARN == "" {
		name := "sgdev-local-" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
				return r
			}
			return '-'
		}, k.Source)
		if strings.HasPrefix(k.AccessKeyID, "ASIA") {
			k.ARN = "arn:aws:sts::" + k.AccountID + ":assumed-role/" + name + "/local-session"
		} else {
			k.ARN = "arn:aws:iam::" + k.AccountID + ":user/" + name
		}
	}
	if k.CallerID == "" {
		kind, _, _ := arnPrincipal(k.ARN)
		prefix := "AIDA"
		if kind == "assumed-role" {
			prefix = "AROA"
		}
		sum := sha256.Sum256([]byte(k.AccessKeyID))
		k.CallerID = prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
	}
	return k
}

// identity is requestContext.identity for a request signed with k, as API
// Gateway fills it: an IAM user's caller and user are its unique id
// (AIDA...), a role session's the role's unique id and the session name
// (AROA...:session), the root's the account id; userArn is the
// principal's ARN. (Recorded from REST APIs by blog.daringkoala.com,
// "AWS API Gateway REST Lambda Integration Payloads", 2023: "caller":
// "AIDA2CRXO3S2JFSU7S42X", "user": the same, "userArn":
// "arn:aws:iam::111122223333:user/john.doe"; for an assumed role
// "AROA2DREO3S2A6XFQAO5U:john.doe".)
func (k IAMKey) identity() callerIdentity {
	kind, name, _ := arnPrincipal(k.ARN)
	caller := k.CallerID
	switch kind {
	case "assumed-role":
		if !strings.Contains(caller, ":") {
			caller += ":" + name[strings.Index(name, "/")+1:]
		}
	case "root":
		caller = k.AccountID
	}
	s := func(v string) *string { return &v }
	return callerIdentity{AccessKey: s(k.AccessKeyID), AccountID: s(k.AccountID), Caller: s(caller), User: s(caller), UserArn: s(k.ARN)}
}

// localKeys are the local credentials every runner knows.
func localKeys() []IAMKey {
	return []IAMKey{
		{AccessKeyID: LocalAccessKeyID, SecretAccessKey: LocalSecretAccessKey, AccountID: LocalAccountID, ARN: LocalUserARN,
			CallerID: LocalUserID, Source: "the local credential"},
		{AccessKeyID: LocalSessionAccessKeyID, SecretAccessKey: LocalSessionSecretAccessKey, SessionToken: LocalSessionToken,
			AccountID: LocalAccountID, ARN: LocalSessionRoleARN, CallerID: LocalSessionCaller, Source: "the local session credential"},
	}
}

// developerKeys are the developer's AWS credentials: the AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN variables (with
// AWS_CREDENTIAL_EXPIRATION, which `aws configure export-credentials
// --format env` writes), and every profile with static keys in the shared
// credentials file (AWS_SHARED_CREDENTIALS_FILE, default
// ~/.aws/credentials) and config file (AWS_CONFIG_FILE, default
// ~/.aws/config). Profiles that get their credentials from SSO, a role or a
// process are left out: their temporary keys come from STS, which the
// runner cannot ask; a note says which.
func developerKeys(getenv func(string) string) (keys []IAMKey, notes []string) {
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		k := IAMKey{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "AWS_ACCESS_KEY_ID"}
		if exp := getenv("AWS_CREDENTIAL_EXPIRATION"); exp != "" {
			if t, err := time.Parse(time.RFC3339, exp); err == nil {
				k.Expires = t
			}
		}
		keys = append(keys, k)
	}
	home := getenv("HOME")
	credFile := getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credFile == "" && home != "" {
		credFile = filepath.Join(home, ".aws", "credentials")
	}
	configFile := getenv("AWS_CONFIG_FILE")
	if configFile == "" && home != "" {
		configFile = filepath.Join(home, ".aws", "config")
	}
	var indirect []string
	for _, f := range []struct {
		path   string
		config bool
	}{{credFile, false}, {configFile, true}} {
		if f.path == "" {
			continue
		}
		profiles, err := readINI(f.path)
		if err != nil {
			continue // no such file: nothing to know
		}
		for _, name := range slices.Sorted(maps.Keys(profiles)) {
			p := profiles[name]
			profile := name
			if f.config {
				if profile != "default" && !strings.HasPrefix(profile, "profile ") {
					continue // [sso-session x], [services x]
				}
				profile = strings.TrimPrefix(profile, "profile ")
			}
			id, secret := p["aws_access_key_id"], p["aws_secret_access_key"]
			if id == "" || secret == "" {
				if p["sso_session"] != "" || p["sso_start_url"] != "" || p["role_arn"] != "" || p["credential_process"] != "" {
					indirect = append(indirect, profile)
				}
				continue
			}
			keys = append(keys, IAMKey{AccessKeyID: id, SecretAccessKey: secret, SessionToken: p["aws_session_token"], Source: "profile " + profile})
		}
	}
	if len(indirect) > 0 {
		notes = append(notes, fmt.Sprintf("AWS_IAM: profiles %s get temporary credentials from STS (SSO, a role or a process), which the runner cannot verify: sign with a key it knows", strings.Join(indirect, ", ")))
	}
	return keys, notes
}

// readINI reads the sections of an AWS shared config or credentials file:
// [section], key = value, # and ; comments. Nested sub-sections
// (s3 =\n  max_concurrent_requests = 10) are skipped.
func readINI(path string) (map[string]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			name := strings.TrimSpace(line[1 : len(line)-1])
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			cur = out[name]
			continue
		}
		if cur == nil || raw[0] == ' ' || raw[0] == '\t' {
			continue // before any section, or a nested value
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		cur[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return out, sc.Err()
}

// LocalCredentials are the local credential (LocalAccessKeyID,
// LocalSecretAccessKey) as the AWS SDK for Go takes them: every runner
// accepts requests signed with them, as the IAM user LocalUserARN.
func LocalCredentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: LocalAccessKeyID, SecretAccessKey: LocalSecretAccessKey, Source: "streamgate local credential"}
}

// LocalSessionCredentials are the local session credential
// (LocalSessionAccessKeyID with LocalSessionToken): every runner accepts
// requests signed with them, as the role session LocalSessionRoleARN.
func LocalSessionCredentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: LocalSessionAccessKeyID, SecretAccessKey: LocalSessionSecretAccessKey, SessionToken: LocalSessionToken,
		Source: "streamgate local session credential"}
}
