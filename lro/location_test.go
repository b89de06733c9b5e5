package lro

import (
	"net/url"
	"strings"
	"testing"
)

func TestVersionRoot(t *testing.T) {
	tests := []struct {
		request, want string
	}{
		{"https://graph.microsoft.com/v1.0/teams", "https://graph.microsoft.com/v1.0"},
		{"https://graph.microsoft.com/beta/teams('x')/clone?a=b", "https://graph.microsoft.com/beta"},
		{"http://127.0.0.1:8080/BETA/chats", "http://127.0.0.1:8080/BETA"},
		{"https://gateway.example/graph/v1.0/chats", "https://gateway.example/graph/v1.0"},
		{"https://api.example/v2/teams", "https://api.example/v2"},
		{"https://graph.microsoft.com/teams", ""},
		{"https://graph.microsoft.com/version1.0/teams", ""},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.request)
		root, ok := versionRoot(u)
		got := ""
		if ok {
			got = root.String()
		}
		if got != tt.want {
			t.Errorf("versionRoot(%s) = %q, want %q", tt.request, got, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	const root = "https://graph.microsoft.com/v1.0"
	const team = "/teams('d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77')/operations('6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b')"
	const chat = "/chats('19:c253a29b5f694b55a6baad8e83510af7@thread.v2')/operations('2432b57b')"
	tests := []struct {
		root, location string
		want           string // "" when refused
		refusal        string // part of the error
	}{
		{root, team, root + team, ""},
		{root, chat, root + chat, ""},
		// The segment form "channel: archive" shows (api-reference/v1.0/api/channel-archive.md).
		{root, "/teams/d5a1c2f0/operations/6f1e2d3c", root + "/teams/d5a1c2f0/operations/6f1e2d3c", ""},
		{root + "/", team, root + team, ""},
		{root, strings.TrimPrefix(team, "/"), root + team, ""},
		{root, "  " + team + "\t", root + team, ""},
		{"https://graph.microsoft.com/graph/beta", team, "https://graph.microsoft.com/graph/beta" + team, ""},
		{root, "/beta" + team, "https://graph.microsoft.com/beta" + team, ""},
		{root, "https://graph.microsoft.com/beta" + team, "https://graph.microsoft.com/beta" + team, ""},
		{root, "https://GRAPH.microsoft.com:443/beta" + team, "https://GRAPH.microsoft.com:443/beta" + team, ""},
		{root, "/teams('x')/operations('http://elsewhere.example/')", root + "/teams('x')/operations('http://elsewhere.example/')", ""},
		{root, team + "#frag", root + team, ""},

		{root, "", "", "no Location"},
		{root, "https://elsewhere.example/v1.0" + team, "", "another host"},
		{root, "//elsewhere.example/v1.0" + team, "", "another host"},
		{root, "http://graph.microsoft.com/v1.0" + team, "", "another host"},
		{root, "https://graph.microsoft.com:8443/v1.0" + team, "", "another host"},
		{root, "https://graph.microsoft.com.elsewhere.example/v1.0" + team, "", "another host"},
		{root, "https://user:secret@graph.microsoft.com/v1.0" + team, "", "user information"},
		{root, "HTTPS://elsewhere.example" + team, "", "another host"},
	}
	for _, tt := range tests {
		r, _ := url.Parse(tt.root)
		u, err := resolve(r, tt.location)
		switch {
		case tt.want != "" && err != nil:
			t.Errorf("resolve(%s, %q): %v", tt.root, tt.location, err)
		case tt.want != "" && u.String() != tt.want:
			t.Errorf("resolve(%s, %q) = %s, want %s", tt.root, tt.location, u, tt.want)
		case tt.want == "" && (err == nil || !strings.Contains(err.Error(), tt.refusal)):
			t.Errorf("resolve(%s, %q) = %v, %v; want an error about %q", tt.root, tt.location, u, err, tt.refusal)
		}
	}
}
