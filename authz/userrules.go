package authz

// UserRead governs GET /me and GET /users/{id | userPrincipalName} ("Get
// user", api-reference/v1.0/api/user-get.md and its permissions include).
// "The User.Read permission allows the app to read the profile […] of the
// signed-in user only"; User.ReadWrite is its writing twin. Any other
// scope reads every user of the tenant.
//
// The page's application row starts at User.Read.All; User.ReadBasic.All
// comes first here because the permissions reference
// (concepts/permissions-reference.md) grants it to applications too, to
// read "a basic set of profile properties of other users".
var UserRead = Rule{
	Delegated: []string{
		"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All",
		"Directory.Read.All", "Directory.ReadWrite.All",
	},
	SignedInUserOnly: []string{"User.Read", "User.ReadWrite"},
	Application: []string{
		"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
	},
	TenantWide: true,
}
