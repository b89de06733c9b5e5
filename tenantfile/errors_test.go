package tenantfile_test

import (
	"strings"
	"testing"

	"github.com/teamsops/teamsops/tenantfile"
)

// tenantLines start most files of TestErrors (lines 1 and 2).
const tenantLines = "tenant:\n  id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f\n"

// TestErrors checks each problem a file can have: its exact message, line
// and column, and that nothing else is reported.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		file string // after tenantLines unless it starts with "tenant:", "{" or "!"
		want []string
	}{
		// The document's shape.
		{"unknown key", "usres: []\n",
			[]string{`t.yaml:3:1: usres: unknown field "usres"; did you mean "users"?`}},
		{"unknown nested key", "groups:\n  - displayName: G\n    owner: []\n",
			[]string{`t.yaml:5:5: groups[0].owner: unknown field "owner"; did you mean "owners"?`}},
		{"unknown settings key", "teams:\n  - displayName: T\n    settings:\n      funSettings: {allowGiphy: true, allowGifs: true}\n",
			[]string{`t.yaml:6:39: teams[0].settings.funSettings.allowGifs: unknown field "allowGifs"`}},
		{"wrong type: number for text", "groups:\n  - displayName: 2024\n",
			[]string{`t.yaml:4:18: groups[0].displayName: want a string, got an integer (2024); quote it to make it a string`}},
		{"wrong type: text for a list", "groups:\n  - displayName: G\n    owners: adele@contoso.com\n",
			[]string{`t.yaml:5:13: groups[0].owners: want a list, got a string (adele@contoso.com)`}},
		{"wrong type: mapping for a list", "groups: {displayName: G}\n",
			[]string{`t.yaml:3:9: groups: want a list, got a mapping`}},
		{"wrong type: text for a Boolean", "users:\n  - userPrincipalName: m@contoso.com\n    accountEnabled: off\n",
			[]string{`t.yaml:5:21: users[0].accountEnabled: want true or false, got a string (off)`}},
		{"wrong type: in settings", "teams:\n  - displayName: T\n    settings:\n      funSettings: {giphyContentRating: 1}\n",
			[]string{`t.yaml:6:41: teams[0].settings.funSettings.giphyContentRating: want a string, got an integer (1); quote it to make it a string`}},
		{"key given twice", "users: []\nusers: []\n",
			[]string{`t.yaml:4:1: key "users" is given twice (first on line 3)`}},
		{"not YAML", "users: [\n",
			[]string{`t.yaml:3:8: not valid YAML or JSON: sequence end token ']' not found`}},
		{"empty", "!", []string{`t.yaml:1:1: the file is empty: it must declare a tenant`}},
		{"no tenant", "!users: []\n", []string{`t.yaml:1:1: tenant: tenant is required: a file declares one tenant, with its id`}},

		// References.
		{"member not a user", users + "chats:\n  - chatType: group\n    members: [adele@contoso.com, megan]\n",
			[]string{`t.yaml:8:34: chats[0].members[1]: user "megan" is not a user of this tenant`}},
		{"owner not a user", users + "groups:\n  - displayName: G\n    owners: [megan@contoso.com]\n",
			[]string{`t.yaml:8:14: groups[0].owners[0]: user "megan@contoso.com" is not a user of this tenant`}},
		{"team member not a user", users + "teams:\n  - displayName: T\n    members:\n      - user: megan@contoso.com\n        roles: [owner]\n",
			[]string{`t.yaml:9:15: teams[0].members[0].user: user "megan@contoso.com" is not a user of this tenant`}},
		{"unknown app", "teamsApps:\n  - displayName: Bot\n    bot: nobody\n",
			[]string{`t.yaml:5:10: teamsApps[0].bot: app registration "nobody" is not an app registration of this tenant`}},
		{"unknown Teams app", users + "chats:\n  - chatType: meeting\n    members: [alex@contoso.com]\n    installedApps: [Bot]\n",
			[]string{`t.yaml:9:21: chats[0].installedApps[0]: Teams app "Bot" is not in this tenant's app catalog`}},
		{"unknown team", "operations:\n  - team: Marketing\n    operationType: archiveTeam\n    status: succeeded\n",
			[]string{`t.yaml:4:11: operations[0].team: team "Marketing" is not a team of this tenant`}},
		{"unknown chat", "appRegistrations:\n  - displayName: bot\npermissionGrants:\n  - app: bot\n    chat: Launch\n    permission: ChatSettings.Read.Chat\n",
			[]string{`t.yaml:7:11: permissionGrants[0].chat: chat "Launch" is not a chat of this tenant`}},
		{"unknown group", "teams:\n  - group: Legal\n",
			[]string{`t.yaml:4:12: teams[0].group: group "Legal" is not a group of this tenant`}},
		{"ambiguous name", "appRegistrations:\n  - displayName: bot\n    clientId: 0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10\n" +
			"  - displayName: bot\n    clientId: 7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f\nteamsApps:\n  - displayName: Bot\n    bot: bot\n",
			[]string{`t.yaml:10:10: teamsApps[0].bot: app registration "bot" names 2 of them; use an id`}},

		// Ids.
		{"duplicate id", "groups:\n  - id: 2c4e6a8b-0d1f-4a3b-8c5d-7e9f1a2b3c4d\n    displayName: A\n" +
			"  - id: 2C4E6A8B-0D1F-4A3B-8C5D-7E9F1A2B3C4D\n    displayName: B\n",
			[]string{`t.yaml:6:9: groups[1].id: duplicate id "2c4e6a8b-0d1f-4a3b-8c5d-7e9f1a2b3c4d": groups[0] has it too`}},
		{"duplicate derived id", "appRegistrations:\n  - displayName: Console\n  - displayName: console\n",
			[]string{`t.yaml:5:5: appRegistrations[1].clientId: duplicate id "53f1f903-878e-5691-8217-790889a8433a": appRegistrations[0] has it too`}},
		{"malformed GUID", "users:\n  - id: 8b081ef6-4792-4def-b2c9\n    userPrincipalName: m@contoso.com\n",
			[]string{`t.yaml:4:9: users[0].id: "8b081ef6-4792-4def-b2c9" is not a GUID (such as b33cbe9f-8ebe-4f2a-912b-7e2a427f477f)`}},
		{"malformed tenant GUID", "!tenant:\n  id: contoso\n",
			[]string{`t.yaml:2:7: tenant.id: "contoso" is not a GUID (such as b33cbe9f-8ebe-4f2a-912b-7e2a427f477f)`}},
		{"malformed chat id", users + "chats:\n  - id: \"19:abc@thread.v3\"\n    chatType: group\n    members: [adele@contoso.com, alex@contoso.com]\n",
			[]string{`t.yaml:7:9: chats[0].id: "19:abc@thread.v3" is not a chat id such as 19:…@thread.v2`}},
		{"one-on-one id not its members'", users + "chats:\n  - id: \"19:abc@unq.gbl.spaces\"\n    chatType: oneOnOne\n    members: [adele@contoso.com, alex@contoso.com]\n",
			[]string{`t.yaml:7:9: chats[0].id: a oneOnOne chat's id is made of its members' ids, 19:8eb833d3-0a6c-5d30-8f75-b898d717707d_a57fcac4-e710-53d0-bbfd-e572dd844eb7@unq.gbl.spaces: leave id out`}},

		// Permissions.
		{"unknown permission", "appRegistrations:\n  - displayName: reader\n    applicationPermissions: [Chat.Read.Al]\n",
			[]string{`t.yaml:5:30: appRegistrations[0].applicationPermissions[0]: unknown application permission "Chat.Read.Al"; did you mean "Chat.Read.All"?`}},
		{"unknown permission, nothing close", "appRegistrations:\n  - displayName: reader\n    delegatedPermissions: [Mail.Send]\n",
			[]string{`t.yaml:5:28: appRegistrations[0].delegatedPermissions[0]: unknown delegated permission "Mail.Send"`}},
		{"permission of another kind", "appRegistrations:\n  - displayName: reader\n    applicationPermissions: [Chat.Read]\n",
			[]string{`t.yaml:5:30: appRegistrations[0].applicationPermissions[0]: "Chat.Read" is a delegated permission, not an application one: list it under delegatedPermissions`}},
		{"permission listed twice", "appRegistrations:\n  - displayName: reader\n    applicationPermissions: [Chat.Read.All, Chat.Read.All]\n",
			[]string{`t.yaml:5:45: appRegistrations[0].applicationPermissions[1]: permission "Chat.Read.All" is listed twice`}},
		{"RSC permission on the wrong resource", "appRegistrations:\n  - displayName: bot\nteams:\n  - displayName: T\n" +
			"permissionGrants:\n  - app: bot\n    team: T\n    permission: ChatSettings.Read.Chat\n",
			[]string{`t.yaml:10:17: permissionGrants[0].permission: "ChatSettings.Read.Chat" is a permission on chats (it ends in .Chat), not on teams`}},
		{"unknown permission type", "appRegistrations:\n  - displayName: bot\nteams:\n  - displayName: T\n" +
			"permissionGrants:\n  - app: bot\n    team: T\n    permission: TeamSettings.Read.Group\n    permissionType: user\n",
			[]string{`t.yaml:11:21: permissionGrants[0].permissionType: permissionType "user" is not Application or Delegated`}},
		{"unknown group visibility", "groups:\n  - displayName: G\n    visibility: secret\n",
			[]string{`t.yaml:5:17: groups[0].visibility: visibility "secret" is not Private or Public`}},
		{"unknown RSC permission", "appRegistrations:\n  - displayName: bot\nteams:\n  - displayName: T\n" +
			"permissionGrants:\n  - app: bot\n    team: T\n    permission: TeamSettings.Read.Grop\n",
			[]string{`t.yaml:10:17: permissionGrants[0].permission: unknown resource-specific permission "TeamSettings.Read.Grop"; did you mean "TeamSettings.Read.Group"?`}},

		// Chats.
		{"one-on-one with three members", users + "  - userPrincipalName: megan@contoso.com\nchats:\n  - chatType: oneOnOne\n" +
			"    members: [adele@contoso.com, alex@contoso.com, megan@contoso.com]\n",
			[]string{`t.yaml:9:14: chats[0].members: a oneOnOne chat has exactly 2 members, not 3`}},
		{"one-on-one with one member", users + "chats:\n  - chatType: oneOnOne\n    members:\n      - alex@contoso.com\n",
			[]string{`t.yaml:9:7: chats[0].members: a oneOnOne chat has exactly 2 members, not 1`}},
		{"one-on-one with a topic", users + "chats:\n  - chatType: oneOnOne\n    topic: Hi\n    members: [adele@contoso.com, alex@contoso.com]\n",
			[]string{`t.yaml:8:12: chats[0].topic: a oneOnOne chat has no topic`}},
		{"member listed twice", users + "chats:\n  - chatType: group\n    members: [adele@contoso.com, Adele@Contoso.com]\n",
			[]string{`t.yaml:8:34: chats[0].members[1]: user "Adele@Contoso.com" is listed twice in this chat`}},
		{"unknown chat type", users + "chats:\n  - chatType: channel\n    members: [adele@contoso.com, alex@contoso.com]\n",
			[]string{`t.yaml:7:15: chats[0].chatType: chatType "channel" is not oneOnOne, group or meeting`}},
		{"guest role", users + "chats:\n  - chatType: group\n    members:\n      - adele@contoso.com\n      - user: alex@contoso.com\n        roles: [guest]\n",
			[]string{`t.yaml:11:17: chats[0].members[1].roles[0]: role "guest" is not supported: a member is an owner (roles: [owner]) or has no roles`}},

		// Operations.
		{"failed without error", teamT + "operations:\n  - team: T\n    operationType: createTeam\n    status: failed\n",
			[]string{`t.yaml:6:5: operations[0].error: a failed operation has an error: give its code and message`}},
		{"error when not failed", teamT + "operations:\n  - team: T\n    operationType: createTeam\n    status: succeeded\n    error: {code: x, message: y}\n",
			[]string{`t.yaml:9:12: operations[0].error: only a failed operation has an error; this one is succeeded`}},
		{"attempts of a notStarted operation", teamT + "operations:\n  - team: T\n    operationType: createTeam\n    status: notStarted\n    attemptsCount: 2\n",
			[]string{`t.yaml:9:20: operations[0].attemptsCount: a notStarted operation has not been attempted: its attemptsCount is 0`}},
		{"unknown operation type", teamT + "operations:\n  - team: T\n    operationType: createTeams\n    status: inProgress\n",
			[]string{`t.yaml:7:20: operations[0].operationType: operationType "createTeams" is not known; did you mean "createTeam"?`}},
		{"createChat under a team", teamT + "operations:\n  - team: T\n    operationType: createChat\n    status: inProgress\n",
			[]string{`t.yaml:6:11: operations[0].team: a createChat operation is listed under its chat: give chat, not team`}},
		{"unknown status", teamT + "operations:\n  - team: T\n    operationType: createTeam\n    status: running\n",
			[]string{`t.yaml:8:13: operations[0].status: status "running" is not one of notStarted, inProgress, succeeded, failed`}},
		{"time", teamT + "operations:\n  - team: T\n    operationType: createTeam\n    status: notStarted\n    createdDateTime: yesterday\n",
			[]string{`t.yaml:9:22: operations[0].createdDateTime: "yesterday" is not a date and time such as 2024-03-04T10:00:00Z`}},
		{"values not JSON", teamT + "operations:\n  - team: T\n    operationType: createTeam\n    status: notStarted\n    values: '{x'\n",
			[]string{`t.yaml:9:13: operations[0].values: values is not valid JSON: Graph sends it as a JSON string`}},

		// Fault rules.
		{"rule: unknown app", apps + "faultRules:\n  - {app: consle, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:11: faultRules[0].app: app registration "consle" is not an app registration of this tenant; did you mean "console"?`}},
		{"rule: unknown app, nothing close", apps + "faultRules:\n  - {app: reporting, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:11: faultRules[0].app: app registration "reporting" is not an app registration of this tenant`}},
		{"rule: no app", apps + "faultRules:\n  - action: transient\n    attempts: 1\n",
			[]string{`t.yaml:6:5: faultRules[0].app: app is required: the app registration whose operations fail`}},
		{"rule: unknown operation type", apps + "faultRules:\n  - {app: console, operationType: createTeams, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:35: faultRules[0].operationType: operationType "createTeams" is not known; did you mean "createTeam"?`}},
		{"rule: unknown operation type, nothing close", apps + "faultRules:\n  - {app: console, operationType: deleteTeam, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:35: faultRules[0].operationType: operationType "deleteTeam" is not one of cloneTeam, archiveTeam, unarchiveTeam, createTeam, teamifyGroup, createChannel, createChat, archiveChannel, unarchiveChannel`}},
		{"rule: unknownFutureValue", apps + "faultRules:\n  - {app: console, operationType: unknownFutureValue, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:35: faultRules[0].operationType: operationType "unknownFutureValue" is not one of cloneTeam, archiveTeam, unarchiveTeam, createTeam, teamifyGroup, createChannel, createChat, archiveChannel, unarchiveChannel`}},
		{"rule: no action", apps + "faultRules:\n  - app: console\n",
			[]string{`t.yaml:6:5: faultRules[0].action: action is required: fail or transient`}},
		{"rule: action misspelt", apps + "faultRules:\n  - {app: console, action: fial, errorCode: x, errorMessage: y}\n",
			[]string{`t.yaml:6:28: faultRules[0].action: action "fial" is not known; did you mean "fail"?`}},
		{"rule: unknown action", apps + "faultRules:\n  - {app: console, action: explode}\n",
			[]string{`t.yaml:6:28: faultRules[0].action: action "explode" is not fail or transient`}},
		{"rule: fail without its error", apps + "faultRules:\n  - app: console\n    action: fail\n",
			[]string{`t.yaml:6:5: faultRules[0].errorCode: errorCode is required: the error.code a fail rule's operations end with`,
				`t.yaml:6:5: faultRules[0].errorMessage: errorMessage is required: the error.message a fail rule's operations end with`}},
		{"rule: fail with attempts", apps + "faultRules:\n  - {app: console, action: fail, errorCode: x, errorMessage: y, attempts: 0}\n",
			[]string{`t.yaml:6:75: faultRules[0].attempts: a fail rule has no attempts: its operations fail at their first attempt`}},
		{"rule: transient without attempts", apps + "faultRules:\n  - {app: console, action: transient}\n",
			[]string{`t.yaml:6:5: faultRules[0].attempts: attempts is required: how many attempts fail, 1 to 1000`}},
		{"rule: transient with too many attempts", apps + "faultRules:\n  - {app: console, action: transient, attempts: 1001}\n",
			[]string{`t.yaml:6:49: faultRules[0].attempts: attempts is 1 to 1000, not 1001`}},
		{"rule: transient with no attempts", apps + "faultRules:\n  - {app: console, action: transient, attempts: 0}\n",
			[]string{`t.yaml:6:49: faultRules[0].attempts: attempts is 1 to 1000, not 0`}},
		{"rule: transient with an error", apps + "faultRules:\n  - {app: console, action: transient, attempts: 2, errorCode: x, errorMessage: y}\n",
			[]string{`t.yaml:6:63: faultRules[0].errorCode: a transient rule has no errorCode: its operations succeed once its attempts have failed`,
				`t.yaml:6:80: faultRules[0].errorMessage: a transient rule has no errorMessage: its operations succeed once its attempts have failed`}},
		{"rule: attempts not a number", apps + "faultRules:\n  - {app: console, action: transient, attempts: two}\n",
			[]string{`t.yaml:6:49: faultRules[0].attempts: want a whole number, got a string (two)`}},
		{"rule: unknown field", apps + "faultRules:\n  - {app: console, action: transient, attempt: 2}\n",
			[]string{`t.yaml:6:5: faultRules[0].attempts: attempts is required: how many attempts fail, 1 to 1000`,
				`t.yaml:6:39: faultRules[0].attempt: unknown field "attempt"; did you mean "attempts"?`}},
		{"rule: error message too long", apps + "faultRules:\n  - {app: console, action: fail, errorCode: x, errorMessage: " + strings.Repeat("é", 513) + "}\n",
			[]string{`t.yaml:6:62: faultRules[0].errorMessage: longer than 1024 bytes`}},
		{"rule: malformed id", apps + "faultRules:\n  - {id: no spaces, app: console, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:10: faultRules[0].id: "no spaces" is not a fault rule id: use letters, digits, '-', '_' and '.'`}},
		{"rule: duplicate id", apps + "faultRules:\n  - {id: r1, app: console, action: transient, attempts: 1}\n" +
			"  - {id: R1, app: console, operationType: createTeam, action: transient, attempts: 1}\n",
			[]string{`t.yaml:7:10: faultRules[1].id: duplicate id "R1": faultRules[0] has it too`}},
		{"rule: same app and type", apps + "faultRules:\n  - {app: console, operationType: createTeam, action: transient, attempts: 1}\n" +
			"  - {id: mine, app: console, operationType: createTeam, action: fail, errorCode: x, errorMessage: y}\n",
			[]string{`t.yaml:7:45: faultRules[1].operationType: faultRules[0] has the same app and operationType: only one of the two could ever apply`}},
		{"rule: same app, every type", apps + "faultRules:\n  - {app: console, action: transient, attempts: 1}\n" +
			"  - {app: console, action: fail, errorCode: x, errorMessage: y}\n",
			[]string{`t.yaml:7:11: faultRules[1].app: faultRules[0] has the same app and operationType: only one of the two could ever apply`}},

		// Sign-in.
		{"password empty", "users:\n  - userPrincipalName: m@contoso.com\n    password: \"\"\n",
			[]string{`t.yaml:5:15: users[0].password: a password cannot be empty: leave it out for a user who does not sign in with one`}},
		{"password too long", "users:\n  - userPrincipalName: m@contoso.com\n    password: " + strings.Repeat("p", 73) + "\n",
			[]string{`t.yaml:5:15: users[0].password: a password is at most 72 bytes (bcrypt's limit)`}},
		{"password not text", "users:\n  - userPrincipalName: m@contoso.com\n    password: 1234\n",
			[]string{`t.yaml:5:15: users[0].password: want a string, got an integer (1234); quote it to make it a string`}},
		{"certificate empty", apps + "    certificates: [\"\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].certificates[0]: a certificate cannot be empty: give a PEM certificate, or the path of a file holding one`}},
		{"certificate path without a file", apps + "    certificates: [certs/console.pem]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].certificates[0]: "certs/console.pem" is a path, and this document was not read from a file: give the certificate inline, as PEM`}},
		{"certificate a private key", apps + "    certificates: [\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].certificates[0]: this value holds a private key: list a certificate, not a private key`}},
		{"certificate without a certificate", apps + "    certificates: [\"-----BEGIN CERTIFICATE-----\\n!!\\n-----END CERTIFICATE-----\\n\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].certificates[0]: this value holds no PEM certificate (-----BEGIN CERTIFICATE-----)`}},
		{"certificates not a list", apps + "    certificates: console.pem\n",
			[]string{`t.yaml:5:19: appRegistrations[0].certificates: want a list, got a string (console.pem)`}},
		{"redirect URI over http", apps + "    redirectUris: [http://contoso.example/signin]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].redirectUris[0]: "http://contoso.example/signin": http is for localhost, 127.0.0.1 and [::1] only; use https`}},
		{"redirect URI with a custom scheme", apps + "    redirectUris: [\"myapp://callback\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].redirectUris[0]: "myapp://callback": a custom scheme (myapp:) is for public clients: set publicClient: true, or use https`}},
		{"SPA redirect URI with a custom scheme", apps + "    publicClient: true\n    spaRedirectUris: [\"myapp://callback\"]\n",
			[]string{`t.yaml:6:23: appRegistrations[0].spaRedirectUris[0]: "myapp://callback": a single-page application's redirect URI is https, or http on localhost`}},
		{"redirect URI with a fragment", apps + "    redirectUris: [\"https://contoso.example/signin#top\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].redirectUris[0]: "https://contoso.example/signin#top" has a fragment (#…): a redirect URI has none`}},
		{"redirect URI with a wildcard", apps + "    redirectUris: [\"https://*.contoso.example/signin\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].redirectUris[0]: "https://*.contoso.example/signin" has a wildcard: redirect URIs are matched exactly`}},
		{"redirect URI relative", apps + "    redirectUris: [/signin, \"localhost:3000\"]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].redirectUris[0]: "/signin" is not an absolute URI such as https://app.contoso.example/signin or http://localhost`,
				`t.yaml:5:29: appRegistrations[0].redirectUris[1]: "localhost:3000" is not an absolute URI such as https://app.contoso.example/signin or http://localhost`}},
		{"redirect URI empty", apps + "    spaRedirectUris: [\"\"]\n",
			[]string{`t.yaml:5:23: appRegistrations[0].spaRedirectUris[0]: a redirect URI cannot be empty`}},
		{"redirect URI too long", apps + "    redirectUris: [https://contoso.example/" + strings.Repeat("a", 233) + "]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].redirectUris[0]: a redirect URI is at most 256 characters`}},
		{"redirect URI listed twice", apps + "    redirectUris: [\"http://localhost:3000\", \"http://localhost:3000\"]\n",
			[]string{`t.yaml:5:45: appRegistrations[0].redirectUris[1]: redirect URI "http://localhost:3000" is listed twice`}},
		{"redirect URI of two platforms", apps + "    redirectUris: [\"https://contoso.example/\"]\n    spaRedirectUris: [\"https://contoso.example/\"]\n",
			[]string{`t.yaml:6:23: appRegistrations[0].spaRedirectUris[0]: redirect URI "https://contoso.example/" is listed at appRegistrations[0].redirectUris[0] too: a redirect URI belongs to one platform`}},
		{"publicClient not a Boolean", apps + "    publicClient: \"true\"\n",
			[]string{`t.yaml:5:19: appRegistrations[0].publicClient: want true or false, got a string (true)`}},
		{"redirectUris misspelt", apps + "    redirectUri: [https://contoso.example/]\n",
			[]string{`t.yaml:5:5: appRegistrations[0].redirectUri: unknown field "redirectUri"; did you mean "redirectUris"?`}},
		{"identifier URI not absolute", apps + "    identifierUris: [console-api]\n",
			[]string{`t.yaml:5:22: appRegistrations[0].identifierUris[0]: "console-api" is not an absolute URI such as api://53f1f903-878e-5691-8217-790889a8433a or https://contoso.example/api`}},
		{"identifier URI empty", apps + "    identifierUris: [\"\"]\n",
			[]string{`t.yaml:5:22: appRegistrations[0].identifierUris[0]: an identifier URI cannot be empty`}},
		{"identifier URI listed twice", apps + "    identifierUris: [\"api://console\", \"API://Console\"]\n",
			[]string{`t.yaml:5:39: appRegistrations[0].identifierUris[1]: identifier URI "API://Console" is listed twice`}},
		{"identifier URI of two apps", apps + "    identifierUris: [\"api://contoso\"]\n  - displayName: reports\n    identifierUris: [\"api://contoso\"]\n",
			[]string{`t.yaml:7:22: appRegistrations[1].identifierUris[0]: identifier URI "api://contoso" is appRegistrations[0]'s too: it names one app of the tenant`}},
		{"scopes without identifier URIs", apps + "    exposedScopes: [access_as_user]\n",
			[]string{`t.yaml:5:20: appRegistrations[0].exposedScopes: exposedScopes need identifierUris: a client asks for a scope as {identifier URI}/{scope}`}},
		{"scope with a space", apps + "    identifierUris: [\"api://console\"]\n    exposedScopes: [access as user]\n",
			[]string{`t.yaml:6:21: appRegistrations[0].exposedScopes[0]: scope "access as user" is not one word: a scope is a name such as access_as_user`}},
		{"scope empty", apps + "    identifierUris: [\"api://console\"]\n    exposedScopes: [\"\"]\n",
			[]string{`t.yaml:6:21: appRegistrations[0].exposedScopes[0]: a scope cannot be empty`}},
		{"scope listed twice", apps + "    identifierUris: [\"api://console\"]\n    exposedScopes: [access_as_user, access_as_user]\n",
			[]string{`t.yaml:6:37: appRegistrations[0].exposedScopes[1]: scope "access_as_user" is listed twice`}},
		{"sign-in permission misspelt", apps + "    delegatedPermissions: [User.Reed]\n",
			[]string{`t.yaml:5:28: appRegistrations[0].delegatedPermissions[0]: unknown delegated permission "User.Reed"; did you mean "User.Read"?`}},

		// JSON.
		{"JSON", `{"tenant": {"id": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"},
 "users": [{"userPrincipalName": 3}, {"userPrincipalName": "m@contoso.com", "mail": "m"}]}`,
			[]string{`t.yaml:2:34: users[0].userPrincipalName: want a string, got an integer (3); quote it to make it a string`,
				`t.yaml:2:85: users[1].mail: "m" is not an email address`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			switch {
			case strings.HasPrefix(file, "!"):
				file = file[1:]
			case !strings.HasPrefix(file, "{"):
				file = tenantLines + file
			}
			wantErrors(t, file, tt.want)
		})
	}
}

// users declares two users on lines 3 to 5.
const users = "users:\n  - userPrincipalName: adele@contoso.com\n  - userPrincipalName: alex@contoso.com\n"

// apps declares an app registration "console" on lines 3 and 4.
const apps = "appRegistrations:\n  - displayName: console\n"

// teamT declares a team T on lines 3 and 4.
const teamT = "teams:\n  - displayName: T\n"

// TestOneMistakeOneError: an unknown reference, or a missing name, is
// reported once, where it is; the ids derived from it do not clash with
// one another as well (they did: one wrong chat member also made a
// "duplicate id"). A clash of ids derived from what did resolve is still
// reported.
func TestOneMistakeOneError(t *testing.T) {
	tests := []struct {
		name string
		file string // after tenantLines
		want []string
	}{
		{"group chats, one with a member unknown", users + "chats:\n  - chatType: group\n    members: [adele, alex, megan]\n" +
			"  - chatType: group\n    members: [adele, alex]\n",
			[]string{`t.yaml:8:28: chats[0].members[2]: user "megan" is not a user of this tenant`}},
		{"one-on-one chats, each with a member unknown", users + "chats:\n  - chatType: oneOnOne\n    members: [adele, megan]\n" +
			"  - chatType: oneOnOne\n    members: [adele, alx]\n",
			[]string{`t.yaml:8:22: chats[0].members[1]: user "megan" is not a user of this tenant`,
				`t.yaml:10:22: chats[1].members[1]: user "alx" is not a user of this tenant; did you mean "alex"?`}},
		{"fault rules of unknown apps", apps + "faultRules:\n  - {app: consol, action: transient, attempts: 1}\n" +
			"  - {app: consle, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:11: faultRules[0].app: app registration "consol" is not an app registration of this tenant; did you mean "console"?`,
				`t.yaml:7:11: faultRules[1].app: app registration "consle" is not an app registration of this tenant; did you mean "console"?`}},
		{"fault rules of unknown types", apps + "faultRules:\n  - {app: console, operationType: createTeem, action: transient, attempts: 1}\n" +
			"  - {app: console, action: transient, attempts: 1}\n",
			[]string{`t.yaml:6:35: faultRules[0].operationType: operationType "createTeem" is not known; did you mean "createTeam"?`}},
		{"teams of unknown groups, with channels", "teams:\n  - group: Legal\n    channels: [{displayName: Cases}]\n" +
			"  - group: Sales\n    channels: [{displayName: Cases}]\n",
			[]string{`t.yaml:4:12: teams[0].group: group "Legal" is not a group of this tenant`,
				`t.yaml:6:12: teams[1].group: group "Sales" is not a group of this tenant`}},
		{"grants on unknown chats", apps + "permissionGrants:\n  - {app: console, chat: Launch, permission: ChatSettings.Read.Chat}\n" +
			"  - {app: console, chat: Lunch, permission: ChatSettings.Read.Chat}\n",
			[]string{`t.yaml:6:26: permissionGrants[0].chat: chat "Launch" is not a chat of this tenant`,
				`t.yaml:7:26: permissionGrants[1].chat: chat "Lunch" is not a chat of this tenant`}},
		{"teams without names, with channels", "teams:\n  - channels: [{displayName: A}]\n  - channels: [{displayName: A}]\n",
			[]string{`t.yaml:4:5: teams[0].displayName: displayName is required (or give the group the team is made from)`,
				`t.yaml:5:5: teams[1].displayName: displayName is required (or give the group the team is made from)`}},
		{"entities without names", "users: [{}, {}]\nappRegistrations: [{}, {}]\ngroups: [{}, {}]\nteams: [{}, {}]\nteamsApps: [{}, {}]\n",
			[]string{`t.yaml:3:9: users[0].userPrincipalName: userPrincipalName is required`,
				`t.yaml:3:13: users[1].userPrincipalName: userPrincipalName is required`,
				`t.yaml:4:20: appRegistrations[0].displayName: displayName is required`,
				`t.yaml:4:24: appRegistrations[1].displayName: displayName is required`,
				`t.yaml:5:10: groups[0].displayName: displayName is required`,
				`t.yaml:5:14: groups[1].displayName: displayName is required`,
				`t.yaml:6:9: teams[0].displayName: displayName is required (or give the group the team is made from)`,
				`t.yaml:6:13: teams[1].displayName: displayName is required (or give the group the team is made from)`,
				`t.yaml:7:13: teamsApps[0].displayName: displayName is required`,
				`t.yaml:7:17: teamsApps[1].displayName: displayName is required`}},
		{"a real clash beside an unknown member", users + "chats:\n  - chatType: group\n    members: [adele, alex]\n" +
			"  - chatType: group\n    members: [alex, adele]\n  - chatType: group\n    members: [adele, megan]\n",
			[]string{`t.yaml:9:5: chats[1].id: duplicate id "19:08749c10d3ea58f2a3745035635d0ae0@thread.v2": chats[0] has it too`,
				`t.yaml:12:22: chats[2].members[1]: user "megan" is not a user of this tenant`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErrors(t, tenantLines+tt.file, tt.want)
		})
	}
}

// wantErrors decodes file as t.yaml and wants exactly the errors want, in
// order.
func wantErrors(t *testing.T, file string, want []string) {
	t.Helper()
	_, err := tenantfile.Decode("t.yaml", []byte(file))
	es, ok := err.(tenantfile.Errors)
	if !ok {
		t.Fatalf("Decode: %v, want Errors", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
