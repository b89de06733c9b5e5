package identity

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	// tenantPlaceholder stands for a token's tid in an issuer string, as
	// in the issuer of Entra's multi-tenant ("common") discovery document.
	tenantPlaceholder = "{tenantid}"
	// refetchInterval limits how often an unknown kid makes the validator
	// fetch a JWKS URL again.
	refetchInterval = time.Minute
	// maxJWKSSize bounds a fetched key set.
	maxJWKSSize = 1 << 20
)

// jwksClient fetches trusted issuers' key sets.
var jwksClient = &http.Client{Timeout: 10 * time.Second}

// TrustedIssuer is an external token issuer whose tokens the validator
// accepts: its issuer string (the tokens' iss, where "{tenantid}" stands
// for the token's tid, e.g. "https://login.microsoftonline.com/{tenantid}/v2.0")
// and where its public keys are: a JWKS file, or a JWKS URL.
type TrustedIssuer struct {
	Issuer   string
	JWKSFile string
	JWKSURL  string
}

// ParseTrustedIssuer parses a command-line value ISSUER=JWKS, where JWKS
// is a URL if it starts with http:// or https:// and a file path
// otherwise. The issuer ends at the first "=", so a URL may contain more.
func ParseTrustedIssuer(spec string) (TrustedIssuer, error) {
	issuer, src, ok := strings.Cut(spec, "=")
	issuer, src = strings.TrimSpace(issuer), strings.TrimSpace(src)
	if !ok || issuer == "" || src == "" {
		return TrustedIssuer{}, fmt.Errorf("trusted issuer %q: want ISSUER=JWKS_FILE_OR_URL", spec)
	}
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return TrustedIssuer{Issuer: issuer, JWKSURL: src}, nil
	}
	return TrustedIssuer{Issuer: issuer, JWKSFile: src}, nil
}

// trustedSource holds a trusted issuer's current keys.
type trustedSource struct {
	cfg TrustedIssuer

	fetchMu sync.Mutex // one refetch at a time
	fetched time.Time  // guarded by fetchMu

	mu   sync.RWMutex
	keys map[string]*rsa.PublicKey
}

func newTrustedSource(ctx context.Context, cfg TrustedIssuer, now time.Time) (*trustedSource, error) {
	if cfg.Issuer == "" || (cfg.JWKSFile == "") == (cfg.JWKSURL == "") {
		return nil, fmt.Errorf("trusted issuer %q: want an issuer and either a JWKS file or a JWKS URL", cfg.Issuer)
	}
	var data []byte
	var err error
	if cfg.JWKSFile != "" {
		data, err = os.ReadFile(cfg.JWKSFile)
	} else {
		data, err = fetchJWKS(ctx, cfg.JWKSURL)
	}
	if err != nil {
		return nil, fmt.Errorf("trusted issuer %q: %w", cfg.Issuer, err)
	}
	keys, err := parseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("trusted issuer %q: %w", cfg.Issuer, err)
	}
	return &trustedSource{cfg: cfg, fetched: now, keys: keys}, nil
}

func (s *trustedSource) key(kid string) *rsa.PublicKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keys[kid]
}

// refresh fetches the JWKS URL again, at most once per refetchInterval,
// and returns the key kid if the new set has it. A failed fetch keeps the
// keys the source had.
func (s *trustedSource) refresh(ctx context.Context, kid string, now time.Time) *rsa.PublicKey {
	if s.cfg.JWKSURL == "" {
		return nil
	}
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	if k := s.key(kid); k != nil { // fetched while this call waited
		return k
	}
	if now.Sub(s.fetched) < refetchInterval {
		return nil
	}
	s.fetched = now
	data, err := fetchJWKS(ctx, s.cfg.JWKSURL)
	if err != nil {
		return nil
	}
	keys, err := parseJWKS(data)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
	return keys[kid]
}

func fetchJWKS(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := jwksClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	} else if len(data) > maxJWKSSize {
		return nil, fmt.Errorf("GET %s: key set larger than %d bytes", url, maxJWKSSize)
	}
	return data, nil
}

// parseJWKS returns the RSA signing keys of a JWKS by kid. Keys of other
// types or uses are skipped, so that one odd key does not hide the rest.
func parseJWKS(data []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey)
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if json.Unmarshal(raw, &k) != nil || k.KeyID == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != string(jose.RS256) {
			continue
		}
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			keys[k.KeyID] = pub
		case *rsa.PrivateKey:
			keys[k.KeyID] = &pub.PublicKey
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no RSA signing key with a kid")
	}
	return keys, nil
}
