package tenantfile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
)

// chatTypes are the chat types a file may declare (chatType).
var chatTypes = []string{service.ChatTypeOneOnOne, service.ChatTypeGroup, "meeting"}

func (p *planner) chat(c *chatDoc, path string) {
	typ := ""
	for _, t := range chatTypes {
		if strings.EqualFold(c.ChatType, t) {
			typ = t
		}
	}
	switch {
	case c.ChatType == "":
		p.errs.missing(path+".chatType", "chatType is required: oneOnOne, group or meeting")
	case typ == "":
		p.errs.addf(path+".chatType", "chatType %q is not oneOnOne, group or meeting", clip(c.ChatType))
	}
	p.text(path+".topic", c.Topic, maxDisplayName)
	if typ == service.ChatTypeOneOnOne && c.Topic != "" {
		p.errs.add(path+".topic", "a oneOnOne chat has no topic")
	}
	// Graph's chat members are owners (or guests, which are not supported).
	members := p.members(path+".members", c.Members, []string{"owner"}, "chat")
	switch n := len(c.Members); {
	case typ == service.ChatTypeOneOnOne && n != 2:
		p.errs.addf(path+".members", "a oneOnOne chat has exactly 2 members, not %d", n)
	case typ == service.ChatTypeGroup && (n < 2 || n > service.MaxGroupChatMembers):
		p.errs.addf(path+".members", "a group chat has 2 to %d members, not %d", service.MaxGroupChatMembers, n)
	}
	id := p.chatID(c, path, typ, members)
	// An id derived from the members is the chat's only if they all are.
	fromMembers := c.ID == "" && (typ == service.ChatTypeOneOnOne || c.Topic == "")
	if !fromMembers || !p.errs.within(path+".members") {
		p.unique(path+".id", "chat", id)
	}
	p.installations(path+".installedApps", c.InstalledApps, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: id})
	p.chats.add(id, c.Topic)
	p.d.Chats = append(p.d.Chats, &teamsops.Chat{
		ID: id, TenantID: p.tenant, ChatType: typ, Topic: c.Topic,
		CreatedDateTime: p.time(path+".createdDateTime", c.CreatedDateTime), Members: members,
	})
}

// chatID returns the chat's id as given, or as derived: a one-on-one
// chat's from its two members, as service.OneOnOneChatID builds it, any
// other's from its topic or, without one, its members.
func (p *planner) chatID(c *chatDoc, path, typ string, members []teamsops.Member) string {
	var pair string
	if typ == service.ChatTypeOneOnOne && len(members) == 2 {
		pair = service.OneOnOneChatID(members[0].UserID, members[1].UserID)
	}
	switch {
	case c.ID != "" && !thread(c.ID, "thread.v2", "unq.gbl.spaces", "thread.skype"):
		p.errs.addf(path+".id", "%q is not a chat id such as 19:…@thread.v2", clip(c.ID))
	case c.ID != "" && pair != "" && c.ID != pair:
		p.errs.addf(path+".id", "a oneOnOne chat's id is made of its members' ids, %s: leave id out", pair)
	case c.ID != "":
		return c.ID
	case pair != "":
		return pair
	case c.Topic != "":
		return deriveChatID(p.tenant, "topic\x00"+strings.ToLower(c.Topic))
	default:
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.UserID
		}
		slices.Sort(ids)
		return deriveChatID(p.tenant, "members\x00"+strings.Join(ids, ","))
	}
	return c.ID
}

func (p *planner) operation(o *operationDoc, path string, counts map[string]int) {
	ref, ok := p.resource(path, o.Chat, o.Team, "an operation")
	op := &teamsops.Operation{
		ID: o.ID, TenantID: p.tenant, Resource: ref,
		Type:                   teamsops.OperationType(p.enum(path+".operationType", o.OperationType, teamsops.OperationTypes, "operationType")),
		Status:                 teamsops.OperationStatus(p.enum(path+".status", o.Status, teamsops.OperationStatuses, "status")),
		CreatedDateTime:        p.time(path+".createdDateTime", o.CreatedDateTime),
		LastActionDateTime:     p.time(path+".lastActionDateTime", o.LastActionDateTime),
		TargetResourceID:       o.TargetResourceID,
		TargetResourceLocation: o.TargetResourceLocation,
		Values:                 o.Values,
	}
	switch {
	case !ok || op.Type == "":
	case op.Type == teamsops.OperationTypeCreateChat && ref.Kind != teamsops.ResourceChat:
		p.errs.add(path+".team", "a createChat operation is listed under its chat: give chat, not team")
	case op.Type != teamsops.OperationTypeCreateChat && ref.Kind != teamsops.ResourceTeam:
		p.errs.addf(path+".chat", "a %s operation is listed under its team: give team, not chat", op.Type)
	}
	p.operationOutcome(o, op, path)
	if op.TargetResourceID == "" {
		op.TargetResourceID = ref.ID
	}
	if op.TargetResourceLocation == "" && ref.ID != "" {
		op.TargetResourceLocation = "/" + string(ref.Kind) + "('" + ref.ID + "')"
	}
	p.text(path+".targetResourceId", op.TargetResourceID, 512)
	p.text(path+".targetResourceLocation", op.TargetResourceLocation, 1024)
	if o.Values != "" && !json.Valid([]byte(o.Values)) {
		p.errs.add(path+".values", "values is not valid JSON: Graph sends it as a JSON string")
	}
	if op.ID == "" {
		// Operations have no name: they are told apart by resource,
		// type and how many such came before in the file.
		key := fmt.Sprintf("%s\x00%s\x00%s", ref.Kind, ref.ID, op.Type)
		counts[key]++
		op.ID = deriveOperationID(p.tenant, fmt.Sprintf("%s\x00%d", key, counts[key]))
	} else if !plainID(op.ID) {
		p.errs.addf(path+".id", "%q is not an operation id: use letters, digits and '-'", clip(op.ID))
	}
	p.unique(path+".id", "operation", op.ID)
	p.d.Operations = append(p.d.Operations, op)
}

// operationOutcome checks the status, error, times and attempts of an
// operation, filling in attemptsCount when it is left out.
func (p *planner) operationOutcome(o *operationDoc, op *teamsops.Operation, path string) {
	failed := op.Status == teamsops.OperationStatusFailed
	switch {
	case failed && o.Error == nil:
		p.errs.add(path+".error", "a failed operation has an error: give its code and message")
	case !failed && o.Error != nil && op.Status != "":
		p.errs.addf(path+".error", "only a failed operation has an error; this one is %s", op.Status)
	case o.Error != nil:
		if o.Error.Code == "" || o.Error.Message == "" {
			p.errs.add(path+".error", "an error has a code and a message")
		}
		p.text(path+".error.code", o.Error.Code, 256)
		p.text(path+".error.message", o.Error.Message, 4096)
		op.Error = &teamsops.OperationError{Code: o.Error.Code, Message: o.Error.Message}
	}
	if !op.LastActionDateTime.IsZero() && op.LastActionDateTime.Before(op.CreatedDateTime) {
		p.errs.add(path+".lastActionDateTime", "lastActionDateTime is before createdDateTime")
	}
	switch {
	case o.AttemptsCount != nil && *o.AttemptsCount < 0:
		p.errs.add(path+".attemptsCount", "attemptsCount cannot be negative")
	case o.AttemptsCount != nil && *o.AttemptsCount != 0 && op.Status == teamsops.OperationStatusNotStarted:
		// attemptsCount counts attempts and notStarted is "the operation
		// has not started" (api-reference/v1.0/resources/teamsasyncoperation.md
		// and teamsasyncoperationstatus): Graph's is 0 until it runs.
		p.errs.add(path+".attemptsCount", "a notStarted operation has not been attempted: its attemptsCount is 0")
	case o.AttemptsCount != nil:
		op.AttemptsCount = *o.AttemptsCount
	case op.Status != teamsops.OperationStatusNotStarted:
		op.AttemptsCount = 1
	}
}

// enum checks that v is a member of an enum a file may use: not invalid
// and not unknownFutureValue, which Graph never sends as a real value.
func (p *planner) enum(path, v string, members []teamsops.EnumMember, name string) string {
	var names []string
	for _, m := range teamsops.HeldMembers(members) {
		names = append(names, m.Name)
	}
	switch {
	case v == "":
		p.errs.missingf(path, "%s is required: one of %s", name, strings.Join(names, ", "))
	case slices.Contains(names, v):
		return v
	default:
		msg := fmt.Sprintf("%s %q is not one of %s", name, clip(v), strings.Join(names, ", "))
		if s := suggest(v, names); s != "" {
			msg = fmt.Sprintf("%s %q is not known; did you mean %q?", name, clip(v), s)
		}
		p.errs.add(path, msg)
	}
	return ""
}
