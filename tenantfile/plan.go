package tenantfile

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
)

// planner turns a decoded document into a Declaration, checking every
// value and resolving every reference, and records each problem with its
// path. It goes on after a problem, so that one run finds them all.
type planner struct {
	errs   *errorList
	d      *teamsops.Declaration
	tenant string
	// Entities by id and name, for references.
	users, apps, teamsApps, groups, teams, chats *index
	// seen maps kind and folded id to the path that declared it first.
	seen map[string]string
	// read reads a file the document names by path, relative to its own;
	// nil when the document has no file (Decode).
	read func(path string) ([]byte, error)
}

func newPlanner(errs *errorList) *planner {
	return &planner{
		errs:      errs,
		d:         &teamsops.Declaration{ClientSecrets: map[string][]string{}, Passwords: map[string]string{}},
		users:     newIndex("user", "a user of this tenant"),
		apps:      newIndex("app registration", "an app registration of this tenant"),
		teamsApps: newIndex("Teams app", "in this tenant's app catalog"),
		groups:    newIndex("group", "a group of this tenant"),
		teams:     newIndex("team", "a team of this tenant"),
		chats:     newIndex("chat", "a chat of this tenant"),
		seen:      map[string]string{},
	}
}

// run plans the whole document, kind after kind: an entity refers only to
// kinds planned before its own.
func (p *planner) run(doc *document) {
	p.tenantOf(doc.Tenant)
	each(doc.Users, "users", p.user)
	each(doc.AppRegistrations, "appRegistrations", p.app)
	each(doc.FaultRules, "faultRules", p.faultRule)
	each(doc.TeamsApps, "teamsApps", p.teamsApp)
	each(doc.Groups, "groups", p.group)
	each(doc.Teams, "teams", p.team)
	each(doc.Chats, "chats", p.chat)
	each(doc.PermissionGrants, "permissionGrants", p.grant)
	counts := map[string]int{}
	for i := range doc.Operations {
		p.operation(&doc.Operations[i], fmt.Sprintf("operations[%d]", i), counts)
	}
}

// each plans every item of a list with plan, naming each by its place,
// such as users[2], as its errors do.
func each[T any](items []T, field string, plan func(*T, string)) {
	for i := range items {
		plan(&items[i], fmt.Sprintf("%s[%d]", field, i))
	}
}

func (p *planner) tenantOf(t *tenantDoc) {
	if t == nil {
		p.errs.missing("tenant", "tenant is required: a file declares one tenant, with its id")
		return
	}
	if t.ID == "" {
		p.errs.missing("tenant.id", "id is required: the tenant's GUID")
	} else {
		p.tenant = p.guid("tenant.id", t.ID)
	}
	p.text("tenant.displayName", t.DisplayName, 256)
	if t.VerifiedDomain != "" && !domainName(t.VerifiedDomain) {
		p.errs.addf("tenant.verifiedDomain", "%q is not a domain name", clip(t.VerifiedDomain))
	}
	p.d.Tenant = teamsops.Tenant{ID: p.tenant, DisplayName: t.DisplayName, VerifiedDomain: strings.ToLower(t.VerifiedDomain)}
}

func (p *planner) user(u *userDoc, path string) {
	upn := u.UserPrincipalName
	switch {
	case upn == "":
		p.errs.missing(path+".userPrincipalName", "userPrincipalName is required")
	case !userPrincipalName(upn):
		p.errs.addf(path+".userPrincipalName", "%q is not a user principal name (alias@domain)", clip(upn))
	}
	if _, taken := p.users.byName[strings.ToLower(upn)]; taken && upn != "" {
		p.errs.addf(path+".userPrincipalName", "userPrincipalName %q is declared twice (names compare ignoring case)", clip(upn))
	}
	id := p.idOr(path+".id", u.ID, "user", strings.ToLower(upn))
	p.text(path+".displayName", u.DisplayName, 256)
	if u.Mail != "" && !userPrincipalName(u.Mail) {
		p.errs.addf(path+".mail", "%q is not an email address", clip(u.Mail))
	}
	p.password(path+".password", id, u.Password)
	alias, _, _ := strings.Cut(upn, "@")
	p.users.add(id, upn, alias) // "adele" names AdeleV@… unless two users share it
	p.d.Users = append(p.d.Users, &teamsops.User{
		ID: id, TenantID: p.tenant, DisplayName: u.DisplayName, UserPrincipalName: upn, Mail: u.Mail,
		AccountDisabled: u.AccountEnabled != nil && !*u.AccountEnabled,
	})
}

// maxSecretLen is bcrypt's limit (identity.HashSecret).
const maxSecretLen = 72

func (p *planner) app(a *appDoc, path string) {
	if a.DisplayName == "" {
		p.errs.missing(path+".displayName", "displayName is required")
	}
	p.text(path+".displayName", a.DisplayName, 256)
	id := p.idOr(path+".clientId", a.ClientID, "appRegistration", strings.ToLower(a.DisplayName))
	for i, s := range a.ClientSecrets {
		at := fmt.Sprintf("%s.clientSecrets[%d]", path, i)
		switch {
		case s == "":
			p.errs.add(at, "a client secret cannot be empty")
		case len(s) > maxSecretLen:
			p.errs.addf(at, "a client secret is at most %d bytes", maxSecretLen)
		case slices.Index(a.ClientSecrets, s) < i:
			p.errs.add(at, "this secret is listed twice")
		}
	}
	p.permissionList(path+".applicationPermissions", a.ApplicationPermissions, permissions.Application, "application")
	p.permissionList(path+".delegatedPermissions", a.DelegatedPermissions, permissions.Delegated, "delegated")
	p.apps.add(id, a.DisplayName)
	app := &teamsops.AppRegistration{
		ClientID: id, TenantID: p.tenant, DisplayName: a.DisplayName,
		Roles: slices.Clone(a.ApplicationPermissions), DelegatedScopes: slices.Clone(a.DelegatedPermissions),
	}
	p.signIn(a, path, app)
	p.d.AppRegistrations = append(p.d.AppRegistrations, app)
	if len(a.ClientSecrets) > 0 {
		p.d.ClientSecrets[id] = slices.Clone(a.ClientSecrets)
	}
}

// permissionList checks that each permission is one teamsops knows as
// kind ("application", "delegated"), and listed once.
func (p *planner) permissionList(path string, perms, known []string, kind string) {
	for i, perm := range perms {
		at := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case slices.Index(perms, perm) < i:
			p.errs.addf(at, "permission %q is listed twice", clip(perm))
		case slices.Contains(known, perm):
		default:
			p.errs.add(at, unknownPermission(perm, known, kind))
		}
	}
}

// unknownPermission explains why perm is not a kind permission: it is one
// of another kind, or a typo of a known one, or unknown.
func unknownPermission(perm string, known []string, kind string) string {
	for _, other := range []struct {
		list  []string
		kind  string
		where string
	}{
		{permissions.Application, "application", "applicationPermissions"},
		{permissions.Delegated, "delegated", "delegatedPermissions"},
		{permissions.ResourceSpecific, "resource-specific", "permissionGrants"},
	} {
		if other.kind != kind && slices.Contains(other.list, perm) {
			return fmt.Sprintf("%q is a %s permission, not %s %s one: list it under %s", perm, other.kind, article(kind), kind, other.where)
		}
	}
	msg := fmt.Sprintf("unknown %s permission %q", kind, clip(perm))
	if s := suggest(perm, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func (p *planner) teamsApp(a *teamsAppDoc, path string) {
	if a.DisplayName == "" {
		p.errs.missing(path+".displayName", "displayName is required")
	}
	p.text(path+".displayName", a.DisplayName, 256)
	p.text(path+".externalId", a.ExternalID, 256)
	id := p.idOr(path+".id", a.ID, "teamsApp", strings.ToLower(cmpOr(a.ExternalID, a.DisplayName)))
	bot := ""
	if a.Bot != "" {
		bot = p.ref(p.apps, path+".bot", a.Bot)
	}
	p.teamsApps.add(id, a.ExternalID, a.DisplayName)
	p.d.TeamsApps = append(p.d.TeamsApps, &teamsops.TeamsApp{
		ID: id, TenantID: p.tenant, ExternalID: a.ExternalID, DisplayName: a.DisplayName, ClientAppID: bot,
	})
}

func (p *planner) grant(g *grantDoc, path string) {
	app := ""
	if g.App == "" {
		p.errs.missing(path+".app", "app is required: the app registration granted the permission")
	} else {
		app = p.ref(p.apps, path+".app", g.App)
	}
	ref, ok := p.resource(path, g.Chat, g.Team, "a grant")
	perm := g.Permission
	switch {
	case perm == "":
		p.errs.missing(path+".permission", "permission is required")
	case !slices.Contains(permissions.ResourceSpecific, perm):
		p.errs.add(path+".permission", unknownPermission(perm, permissions.ResourceSpecific, "resource-specific"))
	case ok && ref.Kind == teamsops.ResourceChat && !strings.HasSuffix(perm, ".Chat"):
		p.errs.addf(path+".permission", "%q is a permission on teams (it ends in .Group), not on chats", perm)
	case ok && ref.Kind == teamsops.ResourceTeam && !strings.HasSuffix(perm, ".Group"):
		p.errs.addf(path+".permission", "%q is a permission on chats (it ends in .Chat), not on teams", perm)
	}
	typ := p.either(path, "permissionType", g.PermissionType, "Application", "Delegated")
	client := identity.ServicePrincipalID(p.tenant, app)
	if g.ClientID != "" {
		client = p.guid(path+".clientId", g.ClientID)
	}
	id := g.ID
	switch {
	case id == "":
		// The shape of Graph's examples (chat-list-permissiongrants),
		// with the resource, so that the same grant on two chats differs.
		id = base64.StdEncoding.EncodeToString([]byte(app + "##" + perm + "##" + typ + "##" + ref.ID))
		if app != "" && ok && perm != "" && !p.errs.failed(path+".permissionType") {
			p.unique(path+".id", "permissionGrant", id)
		}
	case !cleanText(id) || len(id) > 512:
		p.errs.addf(path+".id", "%q is not a valid id", clip(id))
	default:
		p.unique(path+".id", "permissionGrant", id)
	}
	p.d.PermissionGrants = append(p.d.PermissionGrants, &teamsops.PermissionGrant{
		ID: id, TenantID: p.tenant, Resource: ref, ClientAppID: app, ClientID: client,
		PermissionType: typ, Permission: perm,
	})
}

// resource resolves the chat or team a grant or an operation is on:
// exactly one of chat and team is given.
func (p *planner) resource(path, chat, team, what string) (teamsops.ResourceRef, bool) {
	switch {
	case chat != "" && team != "":
		p.errs.addf(path+".team", "%s is on a chat or a team, not both", what)
	case chat != "":
		id := p.ref(p.chats, path+".chat", chat)
		return teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: id}, id != ""
	case team != "":
		id := p.ref(p.teams, path+".team", team)
		return teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: id}, id != ""
	default:
		p.errs.addf(path, "%s is on a chat or a team: give chat or team", what)
	}
	return teamsops.ResourceRef{}, false
}

// ref resolves a reference to an entity of x, reporting a missing or
// ambiguous one at path; it returns "" then.
func (p *planner) ref(x *index, path, ref string) string {
	id, msg := x.resolve(ref)
	if msg != "" {
		p.errs.add(path, msg)
	}
	return id
}

// idOr returns the GUID given (lower-cased) or, when none is, the one
// derived from kind and name; either way it must be new in its kind. An
// id derived from a name that is missing (and so reported) is not
// checked: two such entities would share it only because of that one
// mistake.
func (p *planner) idOr(path, given, kind, name string) string {
	if given == "" {
		id := deriveGUID(p.tenant, kind, name)
		if name != "" {
			p.unique(path, kind, id)
		}
		return id
	}
	id := p.guid(path, given)
	p.unique(path, kind, id)
	return id
}

// guid checks that s is a GUID and returns it lower-cased: Graph compares
// GUIDs ignoring case and writes them in lower case.
func (p *planner) guid(path, s string) string {
	if !identity.IsGUID(s) {
		p.errs.addf(path, "%q is not a GUID (such as b33cbe9f-8ebe-4f2a-912b-7e2a427f477f)", clip(s))
		return s
	}
	return strings.ToLower(s)
}

// unique reports an id declared twice in one kind.
//
// One mistake gives one error: callers do not check an id they derived
// from a reference that did not resolve, or from a value that is missing,
// since any clash would be that problem's echo, already reported.
func (p *planner) unique(path, kind, id string) {
	key := kind + "\x00" + strings.ToLower(id)
	if first, ok := p.seen[key]; ok {
		p.errs.addf(path, "duplicate id %q: %s has it too", clip(id), first)
		return
	}
	p.seen[key] = strings.TrimSuffix(strings.TrimSuffix(path, ".id"), ".clientId")
}

// text checks a display name or description: valid UTF-8 without control
// characters, at most max characters.
func (p *planner) text(path, s string, max int) {
	switch {
	case !cleanText(s):
		p.errs.add(path, "not valid text: control characters or invalid UTF-8")
	case utf8.RuneCountInString(s) > max:
		p.errs.addf(path, "longer than %d characters", max)
	}
}

// time parses a DateTimeOffset; "" is the zero time (when first applied).
func (p *planner) time(path, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		p.errs.addf(path, "%q is not a date and time such as 2024-03-04T10:00:00Z", clip(s))
		return time.Time{}
	}
	return t.UTC()
}

func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

// userPrincipalName reports whether s is shaped alias@domain.
func userPrincipalName(s string) bool {
	alias, domain, ok := strings.Cut(s, "@")
	return ok && alias != "" && domainName(domain) && len(s) <= 113 && cleanText(alias) && !strings.ContainsAny(alias, " @")
}

// domainName reports whether s is a DNS name with at least two labels.
func domainName(s string) bool {
	labels := strings.Split(s, ".")
	if len(s) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
