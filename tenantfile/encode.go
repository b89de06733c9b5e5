package tenantfile

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/teamsops/teamsops"
)

// Encode writes d as a tenant document in JSON: the document Decode reads,
// with every id written out and every reference by id. Client secrets and
// passwords are left out — the store keeps only their hashes — so a
// document read back from the admin API declares the same tenant once
// they are added. Certificates are written inline.
// Teams are written as made from their group, which Groups holds.
func Encode(d *teamsops.Declaration) ([]byte, error) {
	return json.Marshal(documentOf(d))
}

func documentOf(d *teamsops.Declaration) *document {
	doc := &document{Tenant: &tenantDoc{ID: d.Tenant.ID, DisplayName: d.Tenant.DisplayName, VerifiedDomain: d.Tenant.VerifiedDomain}}
	for _, u := range d.Users {
		ud := userDoc{ID: u.ID, UserPrincipalName: u.UserPrincipalName, DisplayName: u.DisplayName, Mail: u.Mail}
		if u.AccountDisabled {
			ud.AccountEnabled = new(bool)
		}
		doc.Users = append(doc.Users, ud)
	}
	for _, a := range d.AppRegistrations {
		doc.AppRegistrations = append(doc.AppRegistrations, appDoc{ClientID: a.ClientID, DisplayName: a.DisplayName,
			Certificates: a.Certificates, ApplicationPermissions: a.Roles, DelegatedPermissions: a.DelegatedScopes,
			PublicClient: a.PublicClient, RedirectURIs: a.RedirectURIs, SPARedirectURIs: a.SPARedirectURIs,
			IdentifierURIs: a.IdentifierURIs, ExposedScopes: a.ExposedScopes})
	}
	for _, r := range d.FaultRules {
		doc.FaultRules = append(doc.FaultRules, faultRuleDocOf(r))
	}
	for _, a := range d.TeamsApps {
		doc.TeamsApps = append(doc.TeamsApps, teamsAppDoc{ID: a.ID, ExternalID: a.ExternalID, DisplayName: a.DisplayName, Bot: a.ClientAppID})
	}
	for _, g := range d.Groups {
		gd := groupDoc{ID: g.ID, DisplayName: g.DisplayName, Description: g.Description, MailNickname: g.MailNickname,
			Visibility: g.Visibility, CreatedDateTime: formatTime(g.CreatedDateTime)}
		for _, m := range g.Members {
			if slices.Contains(m.Roles, "owner") {
				gd.Owners = append(gd.Owners, m.UserID)
			} else {
				gd.Members = append(gd.Members, m.UserID)
			}
		}
		doc.Groups = append(doc.Groups, gd)
	}
	for _, t := range d.Teams {
		doc.Teams = append(doc.Teams, teamDocOf(d, t))
	}
	for _, c := range d.Chats {
		doc.Chats = append(doc.Chats, chatDoc{ID: c.ID, ChatType: c.ChatType, Topic: c.Topic,
			CreatedDateTime: formatTime(c.CreatedDateTime), Members: memberDocs(c.Members),
			InstalledApps: installedApps(d, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: c.ID})})
	}
	for _, g := range d.PermissionGrants {
		gd := grantDoc{ID: g.ID, App: g.ClientAppID, ClientID: g.ClientID, Permission: g.Permission, PermissionType: g.PermissionType}
		resource(g.Resource, &gd.Chat, &gd.Team)
		doc.PermissionGrants = append(doc.PermissionGrants, gd)
	}
	for _, op := range d.Operations {
		doc.Operations = append(doc.Operations, operationDocOf(op))
	}
	return doc
}

func teamDocOf(d *teamsops.Declaration, t *teamsops.Team) teamDoc {
	td := teamDoc{Group: t.ID, DisplayName: t.DisplayName, Description: t.Description, Visibility: t.Visibility,
		IsArchived: t.IsArchived, CreatedDateTime: formatTime(t.CreatedDateTime), Settings: settingsOf(t.Settings),
		InstalledApps: installedApps(d, teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: t.ID})}
	for _, c := range d.Channels {
		if c.TeamID == t.ID {
			td.Channels = append(td.Channels, channelDoc{ID: c.ID, DisplayName: c.DisplayName, Description: c.Description,
				MembershipType: c.MembershipType, IsFavoriteByDefault: c.IsFavoriteByDefault, IsArchived: c.IsArchived,
				CreatedDateTime: formatTime(c.CreatedDateTime)})
		}
	}
	return td
}

func faultRuleDocOf(r *teamsops.FaultRule) faultRuleDoc {
	rd := faultRuleDoc{ID: r.ID, App: r.ClientAppID, OperationType: string(r.OperationType), Action: r.Action,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	if r.Action == teamsops.FaultActionTransient {
		attempts := r.Attempts
		rd.Attempts = &attempts
	}
	return rd
}

func operationDocOf(op *teamsops.Operation) operationDoc {
	attempts := op.AttemptsCount
	od := operationDoc{ID: op.ID, OperationType: string(op.Type), Status: string(op.Status),
		CreatedDateTime: formatTime(op.CreatedDateTime), LastActionDateTime: formatTime(op.LastActionDateTime),
		AttemptsCount: &attempts, TargetResourceID: op.TargetResourceID, TargetResourceLocation: op.TargetResourceLocation,
		Values: op.Values}
	if op.Error != nil {
		od.Error = &errorDoc{Code: op.Error.Code, Message: op.Error.Message}
	}
	resource(op.Resource, &od.Chat, &od.Team)
	return od
}

func memberDocs(members []teamsops.Member) []memberDoc {
	out := []memberDoc{}
	for _, m := range members {
		out = append(out, memberDoc{User: m.UserID, Roles: m.Roles})
	}
	return out
}

func installedApps(d *teamsops.Declaration, ref teamsops.ResourceRef) []string {
	var apps []string
	for _, i := range d.AppInstallations {
		if i.Resource == ref {
			apps = append(apps, i.TeamsAppID)
		}
	}
	return apps
}

// resource sets chat or team to ref's id.
func resource(ref teamsops.ResourceRef, chat, team *string) {
	if ref.Kind == teamsops.ResourceTeam {
		*team = ref.ID
	} else {
		*chat = ref.ID
	}
}

// formatTime writes a DateTimeOffset as Graph does (up to 7 fractional
// digits); the zero time is left out.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
}
