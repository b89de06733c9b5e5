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

// ChatCreate governs POST /chats ("Create chat",
// api-reference/v1.0/api/chat-post.md and beta/api/chat-post.md, which
// agree). Installing an app at creation needs nothing more: the page lists
// no other permission for installedApps.
var ChatCreate = Rule{
	Delegated:   []string{"Chat.Create", "Chat.ReadWrite"},
	Application: []string{"Chat.Create"},
	Collection:  true,
}

// ChatRead governs GET /chats/{id} ("Get chat", api-reference/v1.0/api/chat-get.md).
// The page's least privileged application permission,
// Chat.ReadBasic.WhereInstalled, is left out: it depends on which Teams
// apps are installed in the chat, a fact authorization does not read yet.
var ChatRead = Rule{
	Delegated:        []string{"Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"},
	Application:      []string{"Chat.ReadBasic.All", "Chat.Read.All", "Chat.ReadWrite.All"},
	ResourceSpecific: []string{"ChatSettings.Read.Chat", "ChatSettings.ReadWrite.Chat", "Chat.Manage.Chat"},
}

// ChatMembersRead governs GET /chats/{id}/members ("List members of a
// chat", api-reference/v1.0/api/chat-list-members.md).
var ChatMembersRead = Rule{
	Delegated: []string{"Chat.ReadBasic", "ChatMember.Read", "ChatMember.ReadWrite", "Chat.Read", "Chat.ReadWrite"},
	Application: []string{
		"ChatMember.Read.All", "ChatMember.ReadWrite.All", "Chat.ReadBasic.All", "Chat.Read.All", "Chat.ReadWrite.All",
	},
	ResourceSpecific: []string{"ChatMember.Read.Chat", "Chat.Manage.Chat"},
}

// ChatInstalledAppsRead governs GET /chats/{id}/installedApps ("List apps
// in chat", api-reference/v1.0/api/chat-list-installedapps.md).
var ChatInstalledAppsRead = Rule{
	Delegated: []string{
		"TeamsAppInstallation.ReadForChat", "TeamsAppInstallation.ReadWriteSelfForChat",
		"TeamsAppInstallation.ManageSelectedForChat", "TeamsAppInstallation.ReadWriteAndConsentSelfForChat",
		"TeamsAppInstallation.ReadWriteAndConsentForChat", "TeamsAppInstallation.ReadWriteForChat",
	},
	Application: []string{
		"TeamsAppInstallation.ReadForChat.All", "TeamsAppInstallation.ReadWriteSelfForChat.All",
		"TeamsAppInstallation.ManageSelectedForChat.All", "TeamsAppInstallation.Read.All",
		"TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All", "TeamsAppInstallation.ReadWriteAndConsentForChat.All",
		"TeamsAppInstallation.ReadWriteForChat.All",
	},
	ResourceSpecific: []string{"TeamsAppInstallation.Read.Chat", "Chat.Manage.Chat"},
}
