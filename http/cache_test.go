package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
)

// setChatMembers rewrites the demo chat's members through store.
func setChatMembers(t *testing.T, store teamsops.Store, users ...string) {
	t.Helper()
	chat, err := store.Chat(t.Context(), demo.TenantID, demo.ChatID)
	if err != nil {
		t.Fatal(err)
	}
	chat.Members = nil
	for _, u := range users {
		chat.Members = append(chat.Members, teamsops.Member{UserID: u, Roles: []string{"owner"}})
	}
	if err := store.CreateChat(t.Context(), chat); err != nil {
		t.Fatal(err)
	}
}

// moveBotGrant moves the chat bot's RSC grant on the demo chat to
// another chat (revoking it on the demo chat), or back.
func moveBotGrant(t *testing.T, store teamsops.Store, chatID string) {
	t.Helper()
	err := store.CreatePermissionGrant(t.Context(), &teamsops.PermissionGrant{
		ID: demo.GrantID(demo.ChatBotApp, "ChatSettings.Read.Chat", "Application"), TenantID: demo.TenantID,
		Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: chatID}, ClientAppID: demo.ChatBotApp,
		ClientID: "a3f1c9d2-6b7e-4c1a-8d2f-3e4b5a6c7d8e", PermissionType: "Application", Permission: "ChatSettings.Read.Chat",
	})
	if err != nil {
		t.Fatal(err)
	}
}

func wantGetStatus(t *testing.T, e *env, token string, want int, when string) {
	t.Helper()
	if res := e.get(seedPath, token); res.status != want {
		t.Fatalf("%s: status %d, want %d: %s", when, res.status, want, res.body)
	}
}

// Answers are cached (internal/cache), yet a member removed or a grant
// revoked is refused by the very next request.
func TestAccessChangeRefusedAtOnce(t *testing.T) {
	e := newEnv(t)
	alex := e.userToken(demo.UserAlex, "Chat.Read")
	bot := e.appToken(demo.ChatBotApp)
	for range 3 {
		wantGetStatus(t, e, alex, http.StatusOK, "a member")
		wantGetStatus(t, e, bot, http.StatusOK, "an app with an RSC grant")
		setChatMembers(t, e.store, demo.UserAdele)
		moveBotGrant(t, e.store, "19:elsewhere@thread.v2")
		wantGetStatus(t, e, alex, http.StatusForbidden, "a member removed")
		wantGetStatus(t, e, bot, http.StatusForbidden, "an RSC grant revoked")
		setChatMembers(t, e.store, demo.UserAdele, demo.UserAlex)
		moveBotGrant(t, e.store, demo.ChatID)
	}
}

// On PostgreSQL, a change committed by one replica is refused at once by
// every other replica: the committing transaction NOTIFYs them.
func TestAccessChangeRefusedOnEveryReplica(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	a := newEnvOn(t, testdb.Open(t, dsn), time.Second)
	b := newEnvOn(t, testdb.Open(t, dsn), time.Second)
	alex := a.userToken(demo.UserAlex, "Chat.Read")
	bot := a.appToken(demo.ChatBotApp)
	for range 10 {
		wantGetStatus(t, a, alex, http.StatusOK, "a member")
		wantGetStatus(t, a, bot, http.StatusOK, "an app with an RSC grant")
		setChatMembers(t, b.store, demo.UserAdele)
		moveBotGrant(t, b.store, "19:elsewhere@thread.v2")
		wantGetStatus(t, a, alex, http.StatusForbidden, "a member removed on the other replica")
		wantGetStatus(t, a, bot, http.StatusForbidden, "an RSC grant revoked on the other replica")
		setChatMembers(t, b.store, demo.UserAdele, demo.UserAlex)
		moveBotGrant(t, b.store, demo.ChatID)
	}
}
