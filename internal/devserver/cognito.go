package devserver

import (
	"fmt"
	"net/http"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// cognitoGuard checks COGNITO_USER_POOLS methods. Not emulated yet: every
// request passes.
type cognitoGuard struct{}

func newCognitoGuard(apis []*loader.API, o Options) (*cognitoGuard, []string, error) {
	var notices []string
	seen := map[*loader.Authorizer]bool{}
	for _, api := range apis {
		for _, r := range api.Routes {
			if au := r.Authorizer; au != nil && au.Type == "COGNITO_USER_POOLS" && !seen[au] {
				seen[au] = true
				notices = append(notices, fmt.Sprintf("%s/%s: COGNITO_USER_POOLS authorizer (requests are not authorized locally)", au.Stack, au.LogicalID))
			}
		}
	}
	return &cognitoGuard{}, notices, nil
}

func (cg *cognitoGuard) check(g *gateway, r *http.Request, route *loader.Route, p *principal) *refusal {
	return nil
}
