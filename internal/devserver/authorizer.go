package devserver

import (
	"fmt"
	"net/http"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// authorizerGuard runs the Lambda authorizers (TOKEN, REQUEST). Not
// emulated yet: every request passes.
type authorizerGuard struct{}

func newAuthorizerGuard(apis []*loader.API, o Options) (*authorizerGuard, []string, error) {
	var notices []string
	seen := map[*loader.Authorizer]bool{}
	for _, api := range apis {
		for _, r := range api.Routes {
			if au := r.Authorizer; au != nil && au.Type != "COGNITO_USER_POOLS" && !seen[au] {
				seen[au] = true
				notices = append(notices, fmt.Sprintf("%s/%s: %s authorizer (requests are not authorized locally)", au.Stack, au.LogicalID, au.Type))
			}
		}
	}
	return &authorizerGuard{}, notices, nil
}

func (ag *authorizerGuard) check(g *gateway, r *http.Request, route *loader.Route, requestID string, p *principal) *refusal {
	return nil
}
