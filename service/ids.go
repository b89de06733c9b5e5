package service

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"

	"github.com/teamsops/teamsops/identity"
)

// newGUID returns a random (version 4) GUID.
func newGUID() string { return uuid.NewString() }

// newOrderedGUID returns a GUID that begins with the time (version 7):
// GUIDs made one after another sort one after another. Operation ids are
// made so, so that the store's indexes that begin with one — the
// operation's key and its history's — grow at their end rather than at a
// random place each; on SQLite, with the dashboard's history, random
// places cost about a tenth of the operations run per second
// (docs/performance.md, "Dashboard"). To a client an id is opaque, and
// this one is still a GUID.
func newOrderedGUID() string {
	id, err := uuid.NewV7()
	if err != nil { // only when the system's random source fails
		return newGUID()
	}
	return id.String()
}

// newOperationID returns a chat operation's id shaped like Graph's: three
// GUIDs joined by '-', as the seed's 2432b57b-…-cf58835e-… shows; the
// first is ordered (newOrderedGUID).
func newOperationID() string {
	return newOrderedGUID() + "-" + newGUID() + "-" + newGUID()
}

// newGroupChatID returns a group chat id as Graph shapes them:
// 19:{32 lowercase hex}@thread.v2 ("Create chat", example 2). The hex is
// a version 7 UUID's bytes, time-ordered as operation ids are
// (newOrderedGUID): chats created together sort together in every index
// keyed by chat id — the chats, their members, their operations and
// installed apps — so a commit writes a few pages at the end of each
// instead of one random page per chat.
func newGroupChatID() string {
	id, err := uuid.NewV7()
	if err != nil { // only when the system's random source fails
		rand.Read(id[:])
	}
	return "19:" + hex.EncodeToString(id[:]) + "@thread.v2"
}

// OneOnOneChatID is the id of the one-on-one chat between two users:
// 19:{a}_{b}@unq.gbl.spaces with the two object ids in ascending order,
// as every example of "Create chat" orders them (82af01c5… before
// 8b081ef6…). The id depends only on the pair, so the chat between two
// users is found again whoever creates it.
func OneOnOneChatID(userA, userB string) string {
	a, b := strings.ToLower(userA), strings.ToLower(userB)
	if b < a {
		a, b = b, a
	}
	return "19:" + a + "_" + b + "@unq.gbl.spaces"
}

// InstallationID is the id of a Teams app's installation in a chat or
// team: base64 of "{resource-id}##{teams-app-id}", the shape of the ids
// in "List apps in chat" (api-reference/v1.0/api/chat-list-installedapps.md).
// It is deterministic, so installing the same app again is a no-op.
func InstallationID(resourceID, teamsAppID string) string {
	return base64.StdEncoding.EncodeToString([]byte(resourceID + "##" + teamsAppID))
}

// canonicalID lowercases a GUID, which Graph compares case-insensitively
// ("Create chat" example 3 binds an app by an upper-case id); anything
// else, such as a user principal name, is kept as written.
func canonicalID(s string) string {
	if identity.IsGUID(s) {
		return strings.ToLower(s)
	}
	return s
}

// NewTeamID returns a new team (and group) id: a GUID, as in Graph's
// examples, time-ordered (newOrderedGUID) for the same reason as chat ids.
func NewTeamID() string { return newOrderedGUID() }

// ChannelID is the id of a channel an operation creates in team teamID:
// 19:{32 hex}@thread.tacv2, the shape of "Create channel"'s examples,
// derived from key so that a retried attempt creates the same channel.
func ChannelID(teamID, key string) string {
	sum := sha256.Sum256([]byte(teamID + "\x00" + key))
	return "19:" + hex.EncodeToString(sum[:16]) + "@thread.tacv2"
}

// GeneralChannelID is the id of a team's General channel.
func GeneralChannelID(teamID string) string { return ChannelID(teamID, "General") }
