package main

// What "teamsops listen" asks of the server: Graph requests with a token
// of its own, the issuer's keys, and the receiver's certificate.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// graph sends a request to the server's /v1.0 API with the access token.
func (l *listener) graph(ctx context.Context, method, path string, body any) (int, map[string]any, error) {
	token, err := l.token(ctx)
	if err != nil {
		return 0, nil, err
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.c.server+"/v1.0"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&m)
	return res.StatusCode, m, nil
}

// loadKeys reads the tenant's issuer and signing keys from the server's
// discovery document, to verify validation tokens with.
func (l *listener) loadKeys(ctx context.Context) error {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, l.c.server+"/"+url.PathEscape(l.c.tenant)+"/v2.0/.well-known/openid-configuration", &disc); err != nil {
		return fmt.Errorf("discovery document: %w", err)
	}
	l.issuer = disc.Issuer
	// The keys are read from the server itself: the document names them
	// on the server's public URL, which may not be reachable from here.
	if err := getJSON(ctx, l.c.server+"/"+url.PathEscape(l.c.tenant)+"/discovery/v2.0/keys", &l.jwks); err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	return nil
}

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(v)
}

// newEncryptionCertificate generates the receiver's RSA key and a
// self-signed certificate for it: Graph uses only its public key
// (change-notifications-with-resource-data.md, "Managing encryption keys").
func newEncryptionCertificate() (*rsa.PrivateKey, string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:   pkix.Name{CommonName: "teamsops listen"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, "", err
	}
	return key, base64.StdEncoding.EncodeToString(der), nil
}

// tokenClaim reads a claim of a JWT without verifying it: the tenant of
// --token, which the server verifies anyway.
func tokenClaim(token, claim string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	s, _ := claims[claim].(string)
	return s
}
