package http

import (
	"encoding/json"
	"testing"

	"github.com/teamsops/teamsops"
)

// wantInvalidOnly fails unless err is nil or an EINVALID with a message.
func wantInvalidOnly(t *testing.T, body []byte, err error) bool {
	t.Helper()
	if err == nil {
		return true
	}
	if teamsops.ErrorCode(err) != teamsops.EINVALID || teamsops.ErrorMessage(err) == "" {
		t.Fatalf("%q: error %#v is not EINVALID", body, err)
	}
	return false
}

// wantValidRequest is wantInvalidOnly for a decoder of a request: a body
// it accepts must also be a valid request. It reports whether the body was
// accepted.
func wantValidRequest(t *testing.T, body []byte, req interface{ Validate() error }, err error) bool {
	t.Helper()
	if !wantInvalidOnly(t, body, err) {
		return false
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("%q: accepted, but the request is not valid: %v", body, err)
	}
	return true
}

func TestDecodeCreateTeam(t *testing.T) {
	tmpl := `"template@odata.bind":"https://graph.microsoft.com/v1.0/teamsTemplates('standard')"`
	tests := []struct {
		body string
		ok   bool
	}{
		{`{` + tmpl + `,"displayName":"My Sample Team","description":"My Sample Team’s Description"}`, true},
		{`{` + tmpl + `,"displayName":"T","visibility":"Private","channels":[{"displayName":"Training","isFavoriteByDefault":true,"tabs":[]}],"funSettings":{"allowGiphy":true,"giphyContentRating":"Moderate"}}`, true},
		{`{` + tmpl + `,"group@odata.bind":"https://graph.microsoft.com/v1.0/groups('71392b2f-1765-406e-86af-5907d9bdb2ab')"}`, true},
		{`{` + tmpl + `,"group@odata.bind":"groups('g')","displayName":"x"}`, false},
		{`{"displayName":"no template"}`, false},
		{`{"template@odata.bind":"teamsTemplates('educationClass')","displayName":"x"}`, false},
		{`{` + tmpl + `}`, false},
		{`{` + tmpl + `,"displayName":"x","funSettings":{"allowGiphy":"yes"}}`, false},
		{`{` + tmpl + `,"displayName":"x","memberSettings":{"allowEverything":true}}`, false},
		{`{` + tmpl + `,"displayName":"x","visibility":"hidden"}`, false},
		{`{` + tmpl + `,"displayName":"x","channels":[{"displayName":"A"},{"displayName":"a"}]}`, false},
		{`{` + tmpl + `,"displayName":"x","unknown":1}`, false},
	}
	for _, tt := range tests {
		_, err := decodeCreateTeam([]byte(tt.body), testBase)
		if (err == nil) != tt.ok || !wantInvalidOnly(t, []byte(tt.body), err) && tt.ok {
			t.Errorf("%s: %v", tt.body, err)
		}
	}
}

func TestDecodeSettingsShape(t *testing.T) {
	got, err := decodeSettings(map[string]json.RawMessage{
		"funSettings":    json.RawMessage(`{"giphyContentRating":"strict","allowGiphy":false}`),
		"memberSettings": json.RawMessage(`{"allowDeleteChannels":false}`),
	})
	want := `{"memberSettings":{"allowDeleteChannels":false},"funSettings":{"allowGiphy":false,"giphyContentRating":"strict"}}`
	if err != nil || got != want {
		t.Errorf("decodeSettings = %s, %v; want %s", got, err, want)
	}
}

// FuzzDecodeCreateTeam: decoding never panics, refuses with EINVALID only,
// and every body it accepts is a valid request.
func FuzzDecodeCreateTeam(f *testing.F) {
	for _, s := range []string{
		`{"template@odata.bind":"teamsTemplates('standard')","displayName":"T","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],"user@odata.bind":"users('a')"}]}`,
		`{"template@odata.bind":"teamsTemplates('standard')","group@odata.bind":"groups('g')","messagingSettings":{"allowTeamMentions":false}}`,
		`{"template@odata.bind":"teamsTemplates/standard","displayName":"T","channels":[{"displayName":"c","tabs":[{}]}],"installedApps":[{"teamsApp@odata.bind":"appCatalogs/teamsApps/x"}]}`,
		`{}`, `[]`, `null`, `{"channels":[null]}`, `{"funSettings":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		nt, err := decodeCreateTeam(body, testBase)
		if wantValidRequest(t, body, nt, err) && nt.Settings != "" && !json.Valid([]byte(nt.Settings)) {
			t.Fatalf("%q: settings %q are not JSON", body, nt.Settings)
		}
	})
}

// FuzzDecodeClone: as FuzzDecodeCreateTeam, for "team: clone".
func FuzzDecodeClone(f *testing.F) {
	for _, s := range []string{
		`{"displayName":"Library Assist","description":"Self help community for library","mailNickname":"libassist","partsToClone":"apps,tabs,settings,channels,members","visibility":"public"}`,
		`{"displayName":"x","partsToClone":"apps","description":null}`, `{"displayName":"x","partsToClone":"everything"}`,
		`{}`, `null`, `{"displayName":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		nc, err := decodeClone(body)
		wantValidRequest(t, body, nc, err)
	})
}

// FuzzDecodeArchive: the optional body of archive never panics and is
// refused with EINVALID only.
func FuzzDecodeArchive(f *testing.F) {
	for _, s := range []string{``, `{"shouldSetSpoSiteReadOnlyForMembers":true}`, `{"shouldSetSpoSiteReadOnlyForMembers":null}`, `{"x":1}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodeArchive(body)
		wantInvalidOnly(t, body, err)
	})
}

// FuzzDecodeGroupTeam: the body of "Create team from group".
func FuzzDecodeGroupTeam(f *testing.F) {
	for _, s := range []string{``, `{"memberSettings":{"allowCreateUpdateChannels":true},"funSettings":{"allowGiphy":true,"giphyContentRating":"strict"}}`, `{"displayName":"x"}`, `{"guestSettings":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		settings, err := decodeGroupTeam(body)
		if wantInvalidOnly(t, body, err) && settings != "" && !json.Valid([]byte(settings)) {
			t.Fatalf("%q: settings %q are not JSON", body, settings)
		}
	})
}

// FuzzDecodeCreateChannel: the body of "Create channel".
func FuzzDecodeCreateChannel(f *testing.F) {
	for _, s := range []string{
		`{"displayName":"Architecture Discussion","description":"d","membershipType":"standard"}`,
		`{"@odata.type":"#Microsoft.Graph.channel","membershipType":"shared","displayName":"S","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","user@odata.bind":"users('a')","roles":["owner"]}]}`,
		`{"displayName":"a/b"}`, `{}`, `{"isFavoriteByDefault":"yes","displayName":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		nc, err := decodeCreateChannel(body, testBase)
		wantValidRequest(t, body, nc, err)
	})
}
