package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/streamgate/streamgate/internal/devserver"
)

// token is `sgdev token`: it mints a token of the runner's local issuer for
// a user pool of the assemblies' Cognito authorizers, and prints it, to be
// sent as the Authorization header. The runner need not be running: both
// sign with the same kept key.
func token(args []string) int {
	fs := flag.NewFlagSet("sgdev token", flag.ContinueOnError)
	assemblies := fs.String("assembly", "cdk.out", "cloud assembly directories, comma-separated (as the runner's)")
	pool := fs.String("pool", "", "the user pool: stack/logical id, logical id or local id (default: the only one)")
	user := fs.String("user", "", "the user name (default: local-user)")
	groups := fs.String("groups", "", "cognito:groups, comma-separated")
	scopes := fs.String("scopes", "", "an access token's scopes, comma-separated (implies -access; a method with authorization scopes needs one of them)")
	access := fs.Bool("access", false, "mint an access token (default: an ID token)")
	email := fs.String("email", "", "an ID token's email")
	ttl := fs.Duration("ttl", time.Hour, "the token's lifetime")
	key := fs.String("cognito-key", "", "the local issuer's key, as the runner's -cognito-key (default: sgdev-cognito/issuer-key.pem in the user cache directory)")
	var claims listFlag
	fs.Var(&claims, "claim", "a further claim, NAME=VALUE (repeatable), e.g. -claim custom:tenant=acme")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sgdev token [flags]\n\nPrints a token that the runner's Cognito authorizers accept:\n  curl -H \"Authorization: $(sgdev token -user alice)\" http://127.0.0.1:3000/prod/...\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o := devserver.CognitoToken{Pool: *pool, User: *user, Groups: split(*groups), Scopes: split(*scopes), Access: *access, Email: *email, TTL: *ttl}
	for _, c := range claims {
		name, value, ok := strings.Cut(c, "=")
		if !ok || name == "" {
			fmt.Fprintf(os.Stderr, "sgdev token: -claim %q: want NAME=VALUE, e.g. -claim custom:tenant=acme\n", c)
			return 2
		}
		if o.Claims == nil {
			o.Claims = map[string]any{}
		}
		o.Claims[name] = value
	}
	tok, err := devserver.MintCognitoToken(strings.Split(*assemblies, ","), *key, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sgdev token:", err)
		return 1
	}
	fmt.Println(tok)
	return 0
}

func split(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
