package devserver

// Routing: the request's path below the stage and the method it matches,
// as API Gateway picks it.

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// requestPath is the path of r's request-target as the client sent it,
// percent-encoding kept (API Gateway passes "%2B" on as "%2B" in path,
// pathParameters and requestContext.path: [voker] in event.go, and the
// captures of its ingress-paths.json), with each run of slashes collapsed
// to one, as API Gateway does before it finds the stage and the resource.
func requestPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || p == "*" {
		p = r.URL.EscapedPath()
	} else if !strings.HasPrefix(p, "/") {
		// absolute-form: scheme://authority/path
		if u, err := url.Parse(p); err == nil {
			p = u.EscapedPath()
		}
	}
	p, _, _ = strings.Cut(p, "?")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// match finds the route for method and path: literal segments before
// {params}, {proxy+} last, as API Gateway chooses; ANY matches every method.
func match(routes []*loader.Route, method, path string) (*loader.Route, map[string]string) {
	segs := splitPath(path)
	var best *loader.Route
	var bestParams map[string]string
	bestScore := -1
	for _, rt := range routes {
		if rt.Method != method && rt.Method != "ANY" {
			continue
		}
		params, score, ok := matchPath(splitPath(rt.Path), segs)
		if !ok {
			continue
		}
		if rt.Method == method {
			score++ // an exact method beats ANY on the same resource
		}
		if score > bestScore {
			best, bestParams, bestScore = rt, params, score
		}
	}
	return best, bestParams
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// matchPath scores a match: 4 per literal segment, 2 per parameter, 0 for
// a greedy tail.
func matchPath(tmpl, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			if i >= len(segs) {
				return nil, 0, false
			}
			params[t[1:len(t)-2]] = strings.Join(segs[i:], "/")
			return params, score, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			// As received: API Gateway does not decode path parameters
			// ([voker] in event.go: {"proxy": "capture/space%20value"}).
			params[t[1:len(t)-1]] = segs[i]
			score += 2
			continue
		}
		if lit, err := url.PathUnescape(segs[i]); t != segs[i] && (err != nil || t != lit) {
			return nil, 0, false
		}
		score += 4
	}
	if len(tmpl) != len(segs) {
		return nil, 0, false
	}
	return params, score*16 + len(tmpl), true
}

// stagePath is the path of r below the stage ("/" for the stage's root);
// ok is false when r is not below the stage.
func stagePath(r *http.Request, stage string) (path string, ok bool) {
	path, ok = strings.CutPrefix(requestPath(r), "/"+stage)
	if !ok || path != "" && !strings.HasPrefix(path, "/") {
		return "", false
	}
	if path == "" {
		path = "/"
	}
	return path, true
}
