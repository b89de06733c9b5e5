package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// preferences reads the Prefer request headers (RFC 7240): each
// preference's name, lowercased, and its value, unquoted. Section 2: a
// preference given more than once counts only the first time; parameters
// after ';' are ignored, as teamsops defines none.
func preferences(h http.Header) map[string]string {
	prefs := map[string]string{}
	for _, line := range h.Values("Prefer") {
		for _, p := range strings.Split(line, ",") {
			p, _, _ = strings.Cut(p, ";")
			name, value, _ := strings.Cut(p, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if _, seen := prefs[name]; !seen {
				prefs[name] = strings.Trim(strings.TrimSpace(value), `"`)
			}
		}
	}
	return prefs
}

// maxWait caps "Prefer: wait": a held GET answers after at most this
// long, below the idle timeouts of common proxies and load balancers.
const maxWait = 60 * time.Second

// waitPreference returns how long the client asks a GET to be held
// ("Prefer: wait=N", RFC 7240 section 4.3), capped by maxWait. A missing
// or malformed value (not a delta-seconds, RFC 9110's 1*DIGIT) is
// ignored, as section 2 says a server must: 0.
func waitPreference(prefs map[string]string) time.Duration {
	v, ok := prefs["wait"]
	if !ok || v == "" || len(v) > 10 {
		return 0
	}
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return 0
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	// Compared in seconds first: ten digits of seconds overflow a Duration.
	if n > int(maxWait/time.Second) {
		return maxWait
	}
	return time.Duration(n) * time.Second
}
