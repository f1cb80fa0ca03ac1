package localrun_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/streamgate/streamgate/localrun"
)

// A team's test calls an AWS_IAM route with r.Client(), which signs each
// request with SigV4 and the local credential, as the AWS SDK for Go
// would: the function sees the caller as localrun.LocalUserARN in
// requestContext.identity.userArn. In a test, localrun.Start(t, opts)
// starts the runner and stops it when the test ends; Run is the same
// outside tests.
func ExampleRunner_Client() {
	r, err := localrun.Run(context.Background(), localrun.Options{Assemblies: []string{"cdk.out"}})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	resp, err := r.Client().Get(r.URL("TeamStreams") + "/reports/today") // an AWS_IAM route
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status) // unsigned, http.Get would get 403 {"message":"Missing Authentication Token"}
}

// A team's test calls a Cognito-protected streaming route with a token of
// the runner's local issuer, which its Cognito authorizers accept, and
// reads the stream record by record. The claims reach the function as
// requestContext.authorizer.claims ("cognito:username": "alice",
// "cognito:groups": "admins,editors").
func ExampleRunner_CognitoToken() {
	r, err := localrun.Run(context.Background(), localrun.Options{Assemblies: []string{"cdk.out"}})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	token, err := r.CognitoToken(localrun.CognitoToken{User: "alice", Groups: []string{"admins", "editors"}})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("GET", r.URL("TeamStreams")+"/records?count=3", nil)
	req.Header.Set("Authorization", token) // the bare token, or "Bearer " + token
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	for sc := bufio.NewScanner(resp.Body); sc.Scan(); {
		fmt.Println(sc.Text()) // each record as it arrives
	}
}
