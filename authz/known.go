package authz

import (
	"slices"
)

// Rules lists every permission table above, so that Known derives the
// permission names from the tables themselves. A test parses this package
// and fails when a Rule variable is missing here.
var rules = []*Rule{
	&ChatOperationsRead, &TeamOperationsRead, &ChatPermissionGrantsRead, &ChatCreate, &ChatRead,
	&ChatMembersRead, &ChatInstalledAppsRead, &TeamCreate, &TeamClone, &TeamArchive,
	&GroupTeamCreate, &ChannelArchive, &ChannelCreate, &TeamRead, &ChannelsRead,
	&TeamMembersRead, &GroupRead, &ChatInstalledAppRead, &ChatsList, &JoinedTeamsList, &TeamsList,
	&ChatAppInstall, &UserRead,
}

// Known returns every permission name the tables of this package list, as
// one Rule: its Delegated, Application and ResourceSpecific hold the union
// of every table's, sorted and without duplicates. Tenant files check the
// permissions they grant against it.
func Known() Rule {
	var k Rule
	for _, r := range rules {
		k.Delegated = append(k.Delegated, r.Delegated...)
		k.Application = append(k.Application, r.Application...)
		k.ResourceSpecific = append(k.ResourceSpecific, r.ResourceSpecific...)
	}
	for _, list := range []*[]string{&k.Delegated, &k.Application, &k.ResourceSpecific} {
		slices.Sort(*list)
		*list = slices.Compact(*list)
	}
	return k
}
