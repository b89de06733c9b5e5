package authz

import (
	"slices"

	"github.com/teamsops/teamsops"
)

// Creating a subscription needs what reading its resource needs, as Graph's
// change-notification pages give each resource the permissions of reading
// it (e.g. concepts/teams-changenotifications-chatmessage.md). So:
//
//   - /chats/{id}/operations: ChatOperationsRead (delegated callers must be
//     members of the chat);
//   - /teams/{id}/operations: TeamOperationsRead (likewise, of the team);
//   - the tenant-wide resources, which teamsops adds, are application-only,
//     as Graph's tenant-wide /chats/getAllMessages and
//     /teams/getAllMessages are: /chats/getAllOperations takes
//     ChatOperationsRead's application permissions,
//     /teams/getAllOperations TeamOperationsRead's, and
//     /teamwork/getAllOperations (every operation) any of either. Each
//     notification is still sent only for an operation the subscriber may
//     read.
//
// Reading, renewing, reauthorizing and deleting a subscription is for the
// app that created it, in its tenant; renewing and reauthorizing check
// the create rule again.

// SubscribeAllOperations is the rule of creating a subscription to every
// operation of the tenant's chats (kind ResourceChat), teams
// (ResourceTeam) or both (kind "").
func SubscribeAllOperations(kind teamsops.ResourceKind) Rule {
	switch kind {
	case teamsops.ResourceChat:
		return subscribeAllChatOperations
	case teamsops.ResourceTeam:
		return subscribeAllTeamOperations
	}
	return subscribeAllOperations
}

var (
	subscribeAllChatOperations = Rule{Application: ChatOperationsRead.Application, Collection: true}
	subscribeAllTeamOperations = Rule{Application: TeamOperationsRead.Application, Collection: true}
	subscribeAllOperations     = Rule{Application: union(ChatOperationsRead.Application, TeamOperationsRead.Application), Collection: true}
)

// union lists the permissions of each list once, in order.
func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, p := range l {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// SubscribeOperations is the rule of creating a subscription to the
// operations of one chat or team: that of reading them.
func SubscribeOperations(kind teamsops.ResourceKind) Rule {
	if kind == teamsops.ResourceTeam {
		return TeamOperationsRead
	}
	return ChatOperationsRead
}
