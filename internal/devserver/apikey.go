package devserver

import (
	"net/http"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// apiKeyGuard checks API keys and applies usage plans. Not emulated yet:
// every request passes (loader notices say so).
type apiKeyGuard struct{}

func newAPIKeyGuard(apis []*loader.API, o Options) (*apiKeyGuard, []string, error) {
	return &apiKeyGuard{}, nil, nil
}

func (kg *apiKeyGuard) check(g *gateway, r *http.Request, route *loader.Route, p *principal) *refusal {
	return nil
}
