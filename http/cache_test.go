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
	wantRevocationsSeen(t, e, e, 3, "")
}

// On PostgreSQL, a change committed by one replica is refused at once by
// every other replica: the committing transaction NOTIFYs them.
func TestAccessChangeRefusedOnEveryReplica(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	a := newEnvOn(t, testdb.Open(t, dsn), time.Second)
	b := newEnvOn(t, testdb.Open(t, dsn), time.Second)
	wantRevocationsSeen(t, a, b, 10, " on the other replica")
}

// wantRevocationsSeen, rounds times, has Alex and the chat's bot read the
// seed chat through reader, then removes Alex and revokes the bot's grant
// through writer and wants reader to refuse both at once, then restores
// them. where ends the messages of the refusals.
func wantRevocationsSeen(t *testing.T, reader, writer *env, rounds int, where string) {
	t.Helper()
	alex := reader.userToken(demo.UserAlex, "Chat.Read")
	bot := reader.appToken(demo.ChatBotApp)
	for range rounds {
		wantGetStatus(t, reader, alex, http.StatusOK, "a member")
		wantGetStatus(t, reader, bot, http.StatusOK, "an app with an RSC grant")
		setChatMembers(t, writer.store, demo.UserAdele)
		moveBotGrant(t, writer.store, "19:elsewhere@thread.v2")
		wantGetStatus(t, reader, alex, http.StatusForbidden, "a member removed"+where)
		wantGetStatus(t, reader, bot, http.StatusForbidden, "an RSC grant revoked"+where)
		setChatMembers(t, writer.store, demo.UserAdele, demo.UserAlex)
		moveBotGrant(t, writer.store, demo.ChatID)
	}
}
