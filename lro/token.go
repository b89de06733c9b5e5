package lro

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// maxTokenLen bounds a resume token: a Graph operation URL is a few
// hundred bytes.
const maxTokenLen = 8 << 10

// resumeState is what a resume token holds: where the operation is, and
// the last status seen (for people reading a token; Resume polls anyway).
// It holds no credentials: the client given to Resume brings its own.
type resumeState struct {
	Version int    `json:"v"`
	URL     string `json:"url"`
	Status  Status `json:"status,omitempty"`
}

// encodeToken is base64url (no padding) of the state's JSON: opaque, and
// safe in a file, an environment variable or a URL.
func encodeToken(u *url.URL, status Status) string {
	b, _ := json.Marshal(resumeState{Version: 1, URL: u.String(), Status: status})
	return base64.RawURLEncoding.EncodeToString(b)
}

var errToken = errors.New("lro: malformed resume token")

// decodeToken reads a token encodeToken wrote and returns the operation's
// URL, refusing anything else.
func decodeToken(token string) (*url.URL, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, errToken
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, errToken
	}
	var s resumeState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, errToken
	}
	if s.Version != 1 {
		return nil, fmt.Errorf("%w: version %d, want 1", errToken, s.Version)
	}
	u, err := parseBase(s.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errToken, err)
	}
	return u, nil
}
