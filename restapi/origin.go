package restapi

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Browser requests from other sites. A web page the user opens may send requests to any
// worker the browser can reach; without a check, a no-CORS POST from that page could create
// connectors. So a request whose Origin is not the worker's own is refused (403) unless
// access.control.allow.origin lists it; allowed ones get the CORS answers of the Jetty
// CrossOriginFilter Kafka uses. Requests without Origin (curl, other workers, Go and Java
// clients) are not browser cross-site requests and pass, unless the browser's Sec-Fetch-Site
// says they are.

// CORS defaults, as Jetty's CrossOriginFilter has them.
const (
	corsAllowedHeaders = "X-Requested-With,Content-Type,Accept,Origin,If-Match"
	corsMaxAge         = "1800"
	defaultCORSMethods = "GET,POST,HEAD"
)

// originPolicy is the parsed access.control.allow.origin / access.control.allow.methods.
type originPolicy struct {
	any      bool             // "*": every origin
	origins  map[string]bool  // exact origins, normalized
	patterns []*regexp.Regexp // origins with '*' wildcards, e.g. http://*.example.com
	methods  []string
}

func newOriginPolicy(allowOrigin, allowMethods string) *originPolicy {
	p := &originPolicy{origins: map[string]bool{}}
	for _, o := range strings.Split(allowOrigin, ",") {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
		case o == "*":
			p.any = true
		case strings.Contains(o, "*"):
			// As Jetty: '*' matches any run of characters, everything else literally.
			parts := strings.Split(strings.ToLower(o), "*")
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			p.patterns = append(p.patterns, regexp.MustCompile("^"+strings.Join(parts, ".*")+"$"))
		default:
			if n, ok := normalizeOrigin(o); ok {
				p.origins[n] = true
			} else {
				p.origins[o] = true
			}
		}
	}
	if strings.TrimSpace(allowMethods) == "" {
		allowMethods = defaultCORSMethods
	}
	for _, m := range strings.Split(allowMethods, ",") {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
			p.methods = append(p.methods, m)
		}
	}
	return p
}

func (p *originPolicy) allowsOrigin(origin string) bool {
	if p.any {
		return true
	}
	n, ok := normalizeOrigin(origin)
	if !ok {
		return p.origins[origin] // e.g. "null", if someone lists it
	}
	if p.origins[n] {
		return true
	}
	for _, re := range p.patterns {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}

func (p *originPolicy) allowsMethod(m string) bool {
	for _, a := range p.methods {
		if a == m {
			return true
		}
	}
	return false
}

// normalizeOrigin returns scheme://host[:port] in lower case, without the scheme's default
// port, or false if s is not such an origin.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || u.Opaque != "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	return scheme + "://" + hostPort(scheme, u.Host), true
}

// hostPort lower-cases host[:port] and drops the scheme's default port.
func hostPort(scheme, host string) string {
	host = strings.ToLower(host)
	if (scheme == "http" && strings.HasSuffix(host, ":80")) || (scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return host
}

// ownOrigin is the origin a browser gives a page served by this worker at the address the
// request was sent to: the request's scheme and Host header.
func ownOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + hostPort(scheme, r.Host)
}

// foreignFetch reports whether a request without Origin is, by the browser's own account
// (Sec-Fetch-Site), made by another site's page rather than a top-level navigation: e.g. an
// <img> or no-CORS fetch of /connectors. Following a link (Sec-Fetch-Mode: navigate) with
// GET only shows the user the answer, so it passes.
func foreignFetch(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return false
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	return !(safe && r.Header.Get("Sec-Fetch-Mode") == "navigate")
}

// checkOrigin refuses cross-site browser requests that p does not allow, and answers CORS for
// those it does.
func (s *server) checkOrigin(p *originPolicy, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			if foreignFetch(r) && !p.any {
				s.writeError(w, r, Forbidden("Cross-site browser request (Sec-Fetch-Site: %s) refused: access.control.allow.origin does not allow other sites", r.Header.Get("Sec-Fetch-Site")))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if n, ok := normalizeOrigin(origin); ok && n == ownOrigin(r) {
			next.ServeHTTP(w, r) // same origin: not a CORS request
			return
		}
		if !p.allowsOrigin(origin) {
			s.writeError(w, r, Forbidden("Cross-origin request from %s refused: only this worker's own origin %s and the origins in access.control.allow.origin are allowed", origin, ownOrigin(r)))
			return
		}
		h := w.Header()
		if !p.any {
			h.Add("Vary", "Origin")
		}
		if reqMethod := r.Header.Get("Access-Control-Request-Method"); r.Method == http.MethodOptions && reqMethod != "" {
			// Preflight: as Jetty, grant it only for allowed methods and headers (the browser
			// then refuses the request itself), and pass it on for the OPTIONS answer.
			if p.allowsMethod(strings.ToUpper(strings.TrimSpace(reqMethod))) && corsHeadersAllowed(r.Header.Get("Access-Control-Request-Headers")) {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
				h.Set("Access-Control-Max-Age", corsMaxAge)
				h.Set("Access-Control-Allow-Methods", strings.Join(p.methods, ","))
				h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
			}
			next.ServeHTTP(w, r)
			return
		}
		if !p.allowsMethod(r.Method) {
			// A browser would not send it after the preflight; something else forging Origin would.
			s.writeError(w, r, Forbidden("Cross-origin %s request from %s refused: access.control.allow.methods allows only %s", r.Method, origin, strings.Join(p.methods, ",")))
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		next.ServeHTTP(w, r)
	})
}

// corsHeadersAllowed reports whether every header a preflight asks for is in
// corsAllowedHeaders (case-insensitively).
func corsHeadersAllowed(requested string) bool {
	for _, h := range strings.Split(requested, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		ok := false
		for _, a := range strings.Split(corsAllowedHeaders, ",") {
			if strings.EqualFold(a, h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
