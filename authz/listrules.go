package authz

// The permission tables of the collections clients list and of the
// installed-app endpoints, as Graph's reference pages give them.

// ChatsList governs GET /me/chats, /users/{id}/chats and /chats ("List
// chats", api-reference/beta/api/chat-list.md). Application permissions
// serve /users/{id}/chats only; a delegated caller lists its own chats.
// The service checks whose chats are asked for.
var ChatsList = Rule{
	Delegated:   []string{"Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"},
	Application: []string{"Chat.ReadBasic.All", "Chat.Read.All", "Chat.ReadWrite.All"},
	Collection:  true,
}

// joinedTeamsReaders are the permissions of "List joinedTeams"
// (api-reference/v1.0/api/user-list-joinedteams.md), delegated and
// application alike.
var joinedTeamsReaders = []string{
	"Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All",
	"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
}

// JoinedTeamsList governs GET /me/joinedTeams and /users/{id}/joinedTeams.
// "With user delegated permissions, this operation only works for the me
// user"; the service checks that.
var JoinedTeamsList = Rule{Delegated: joinedTeamsReaders, Application: joinedTeamsReaders, Collection: true}

// teamsReaders are the permissions of "List teams"
// (api-reference/v1.0/api/teams-list.md).
var teamsReaders = []string{"Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All"}

// TeamsList governs GET /teams: every team of the tenant.
var TeamsList = Rule{Delegated: teamsReaders, Application: teamsReaders, Collection: true}

// ChatInstalledAppRead governs GET /chats/{id}/installedApps/{id} ("Get
// installed app in chat", chat-get-installedapps.md). Its table lists a
// subset of "List apps in chat"'s; reading one installation takes the
// same permissions as listing them all.
var ChatInstalledAppRead = ChatInstalledAppsRead

// ChatAppInstall governs POST /chats/{id}/installedApps ("Add app to
// chat", api-reference/v1.0/api/chat-post-installedapps.md). Delegated
// callers must be members of the chat. The Self permissions install only
// the caller's own app (ChatAppInstallSelf).
var ChatAppInstall = Rule{
	Delegated: []string{
		"TeamsAppInstallation.ReadWriteSelfForChat", "TeamsAppInstallation.ReadWriteForChat",
		"TeamsAppInstallation.ReadWriteAndConsentSelfForChat", "TeamsAppInstallation.ReadWriteAndConsentForChat",
	},
	Application: []string{
		"TeamsAppInstallation.ReadWriteSelfForChat.All", "TeamsAppInstallation.ReadWriteForChat.All",
		"TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All", "TeamsAppInstallation.ReadWriteAndConsentForChat.All",
	},
}

// ChatAppInstallAny are the permissions of ChatAppInstall that install any
// app of the catalog, not only the caller's own.
var ChatAppInstallAny = []string{
	"TeamsAppInstallation.ReadWriteForChat", "TeamsAppInstallation.ReadWriteAndConsentForChat",
	"TeamsAppInstallation.ReadWriteForChat.All", "TeamsAppInstallation.ReadWriteAndConsentForChat.All",
}
