package devserver

import (
	"net/http"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// iamGuard checks AWS_IAM methods. Not emulated yet: every request passes.
type iamGuard struct{}

func newIAMGuard(apis []*loader.API, o Options) (*iamGuard, []string, error) {
	for _, api := range apis {
		for _, r := range api.Routes {
			if r.Authorization == "AWS_IAM" {
				return &iamGuard{}, []string{"AWS_IAM authorization is skipped locally: requests need no SigV4 signature"}, nil
			}
		}
	}
	return &iamGuard{}, nil, nil
}

func (ig *iamGuard) check(g *gateway, r *http.Request, route *loader.Route, body []byte, p *principal) *refusal {
	return nil
}
