package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// The sign-in scenario's requests: the demo console's client credentials
// token request, and the demo CLI's authorization request, whose answer
// is the sign-in page.
const (
	scenarioTokens = "signin-token"
	scenarioPage   = "signin-page"
	// scenarioFlood is the seed's GET while 30 connections send wrong
	// client secrets: the GET's latency beside the "get" rows' shows what
	// an unauthenticated flood costs everyone else.
	scenarioFlood = "get-under-flood"
	floodConns    = 30
)

// demoCLI is the demo tenant's public client (its tenant file).
const demoCLI = "c8a1e3b2-5d4f-4e6a-9b7c-2f1e0d3c4b5a"

// newFormRequest is newRequest for a form body.
func newFormRequest(host, target string, form url.Values) []byte {
	body := form.Encode()
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: teamsops-bench\r\n", target, host)
	b.WriteString("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.WriteString(body)
	return b.Bytes()
}

// answers accepts a status and a body containing want: tokens and pages
// differ in every answer, so sameAs cannot check them.
func answers(status int, want string) func(reply) string {
	return func(r reply) string {
		if r.status != status || !bytes.Contains(r.body, []byte(want)) {
			return r.String()
		}
		return ""
	}
}

// signInScenario measures the token endpoint issuing client credentials
// tokens (after the first request, which pays for bcrypt once) and the
// sign-in page, closed loop at the most connections.
func (b *bench) signInScenario(ctx context.Context, target string, procs []*process, token string) error {
	addr := procs[0].addr
	conns := slices.Max(b.cfg.conns)
	tokens := newFormRequest(addr, "/"+demo.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {demo.ConsoleApp}, "client_secret": {demo.ConsoleSecret},
		"scope": {"https://graph.microsoft.com/.default openid profile offline_access"}})
	page := newRequest(http.MethodGet, addr, "/"+demo.TenantID+"/oauth2/v2.0/authorize?"+url.Values{
		"client_id": {demoCLI}, "response_type": {"code"}, "redirect_uri": {"http://localhost:8400"},
		"scope": {"https://graph.microsoft.com/User.Read openid profile offline_access"}, "state": {"bench"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGHSc7_Lt4"}, "code_challenge_method": {"S256"}}.Encode(), "", nil)
	for _, s := range []struct {
		name  string
		req   []byte
		check func(reply) string
	}{
		{scenarioTokens, tokens, answers(http.StatusOK, `"access_token"`)},
		{scenarioPage, page, answers(http.StatusOK, `name="loginfmt"`)},
	} {
		if r, err := firstReply(addr, s.req); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		} else if msg := s.check(r); msg != "" {
			return fmt.Errorf("%s: %s", s.name, msg)
		}
		l := load{addr: addr, req: s.req, check: s.check, warmup: b.cfg.warmup, duration: b.cfg.duration}
		if _, err := b.measure(target, s.name, conns, 0, procs, func() sample { return closedLoop(ctx, l, conns) }); err != nil {
			return err
		}
	}
	return b.flood(ctx, target, procs, token)
}

// flood measures the seed's GET on 4 connections while floodConns more
// send the console's client id with wrong secrets, each answered 401 or,
// once throttled, 429.
func (b *bench) flood(ctx context.Context, target string, procs []*process, token string) error {
	addr := procs[0].addr
	wrong := newFormRequest(addr, "/"+demo.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {demo.ConsoleApp}, "client_secret": {"wrong secret"},
		"scope": {"https://graph.microsoft.com/.default"}})
	refused := func(r reply) string {
		if r.status != http.StatusUnauthorized && r.status != http.StatusTooManyRequests {
			return r.String()
		}
		return ""
	}
	get := newRequest(http.MethodGet, addr, seedPath, token, nil)
	want, err := firstReply(addr, get)
	if err != nil {
		return err
	}
	floodCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		closedLoop(floodCtx, load{addr: addr, req: wrong, check: refused, duration: b.cfg.warmup + b.cfg.duration + time.Minute}, floodConns)
	}()
	l := load{addr: addr, req: get, check: sameAs(want), warmup: b.cfg.warmup, duration: b.cfg.duration}
	_, err = b.measure(target, scenarioFlood, 4, 0, procs, func() sample { return closedLoop(ctx, l, 4) })
	stop()
	<-done
	return err
}
