package authz

// The permission tables of the endpoints teamsops serves, as Graph's
// reference pages give them.

// ChatOperationsRead governs GET /chats/{id}/operations and
// /chats/{id}/operations/{id}
// (api-reference/beta/api/teamsasyncoperation-get.md, "Permissions", the
// table for getting the operation on a chat).
var ChatOperationsRead = Rule{
	Delegated:        []string{"Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"},
	Application:      []string{"Chat.ReadBasic.All", "Chat.Read.All", "Chat.ReadWrite.All"},
	ResourceSpecific: []string{"ChatSettings.Read.Chat", "ChatSettings.ReadWrite.Chat", "Chat.Manage.Chat"},
}

// TeamOperationsRead governs GET /teams/{id}/operations and
// /teams/{id}/operations/{id}. Graph publishes no table of its own for
// them, so they take the table of "Get team"
// (api-reference/v1.0/api/team-get.md), as PRODUCT.md says.
var TeamOperationsRead = Rule{
	Delegated: []string{
		"Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All",
		"Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
	},
	Application: []string{
		"Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All",
		"Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
	},
	ResourceSpecific: []string{"TeamSettings.Read.Group", "TeamSettings.ReadWrite.Group"},
}

// ChatPermissionGrantsRead governs GET /chats/{id}/permissionGrants
// (api-reference/beta/api/chat-list-permissiongrants.md).
var ChatPermissionGrantsRead = Rule{
	Delegated: []string{
		"ResourceSpecificPermissionGrant.ReadForChat", "TeamsAppInstallation.ReadForChat",
		"TeamsAppInstallation.ReadWriteSelfForChat", "TeamsAppInstallation.ReadWriteForChat",
	},
	Application: []string{
		"ResourceSpecificPermissionGrant.ReadForChat.All", "TeamsAppInstallation.ReadForChat.All",
		"TeamsAppInstallation.ReadWriteSelfForChat.All", "TeamsAppInstallation.ReadWriteForChat.All",
	},
	ResourceSpecific: []string{"TeamsAppInstallation.Read.Chat", "Chat.Manage.Chat"},
}
