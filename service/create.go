package service

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// Chat types "Create chat" accepts (api-reference/v1.0/api/chat-post.md,
// "Request body": "Possible values are: group and oneOnOne").
const (
	ChatTypeOneOnOne = "oneOnOne"
	ChatTypeGroup    = "group"
)

// MaxGroupChatMembers bounds a group chat's roster: Teams' documented
// limit for group chats is 250 people.
const MaxGroupChatMembers = 250

// NewChat is a "Create chat" request, as the HTTP edge decoded it from
// Graph's JSON. Users and apps are named by id (or, for users, by user
// principal name); nothing is resolved yet.
type NewChat struct {
	ChatType string
	Topic    *string // nil: absent or null
	Members  []NewMember
	AppIDs   []string // the Teams apps of installedApps
}

// NewMember is one member of a NewChat: a user by object id or user
// principal name, its roles, and the tenant the request says it is of
// (empty: the caller's).
type NewMember struct {
	User     string
	Roles    []string
	TenantID string
}

// Validate checks what can be checked without reading the directory; it
// returns nil or an EINVALID *teamsops.Error.
func (c NewChat) Validate() error {
	switch c.ChatType {
	case ChatTypeOneOnOne:
		if c.Topic != nil {
			// "The chat title can be provided only if the chat is of group type."
			return invalid("A topic can be set only on a group chat.")
		}
		if len(c.Members) != 2 {
			return invalid("A oneOnOne chat must have exactly 2 members; the request lists %d.", len(c.Members))
		}
	case ChatTypeGroup:
		// chat resource, chatType values: a group chat's roster is "of at
		// least two people".
		if len(c.Members) < 2 || len(c.Members) > MaxGroupChatMembers {
			return invalid("A group chat must have between 2 and %d members; the request lists %d.", MaxGroupChatMembers, len(c.Members))
		}
	default:
		return invalid("The chatType '%s' is not supported; use 'oneOnOne' or 'group'.", clip(c.ChatType))
	}
	if c.Topic != nil && !clean(*c.Topic) {
		return invalid("The topic is not valid text.")
	}
	seen := make(map[string]bool, len(c.Members))
	for _, m := range c.Members {
		if err := m.validate(); err != nil {
			return err
		}
		key := strings.ToLower(m.User)
		if seen[key] {
			return invalid("The user '%s' is listed more than once in members.", clip(m.User))
		}
		seen[key] = true
	}
	if len(c.AppIDs) > 1 {
		// "Currently, only one app installation is supported. If multiple
		// app installations are listed in the request, the response will
		// be a Bad Request error." (beta/api/chat-post.md)
		return invalid("Only one app can be installed when a chat is created; the request lists %d.", len(c.AppIDs))
	}
	for _, id := range c.AppIDs {
		if id == "" || !clean(id) {
			return invalid("A teamsApp@odata.bind in installedApps names no app.")
		}
	}
	return nil
}

// validate checks one member: a user reference, and the role "owner".
// The page requires "owner" or "guest", guests for guest users of the
// tenant; the directory here has no guest users, so "guest" is refused.
func (m NewMember) validate() error {
	if m.User == "" || !clean(m.User) {
		return invalid("A member's user@odata.bind names no user.")
	}
	if len(m.Roles) != 1 || !strings.EqualFold(m.Roles[0], "owner") {
		return invalid("Each member must have the role 'owner' (guest users are not supported); '%s' has %q.", clip(m.User), m.Roles)
	}
	return nil
}

// ChatCreation is what CreateChat did: the chat (new, or the existing
// one-on-one chat between the same users) and, when apps are installed,
// the createChat operation that installs them.
type ChatCreation struct {
	Chat      *teamsops.Chat
	Operation *teamsops.Operation
}

// CreateChat creates a chat ("Create chat", api-reference/beta/api/chat-post.md)
// under authz.ChatCreate. Members must be users of the caller's tenant (a
// user of another tenant is reported as not found), a delegated caller must
// be one of them, and an app to install must be in the tenant's catalog;
// each violation is EINVALID and writes nothing. With AppIDs, the chat, its
// members, a createChat operation and the operation's job are written in
// one transaction; fault, if not nil, goes with the job.
func (s *Service) CreateChat(ctx context.Context, p teamsops.Principal, req NewChat, fault *teamsops.Fault) (*ChatCreation, error) {
	if err := s.authorize(ctx, p, teamsops.ResourceRef{Kind: teamsops.ResourceChat}, authz.ChatCreate); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	chat, err := s.resolveChat(ctx, p, req)
	if err != nil {
		return nil, err
	}
	apps, err := s.resolveApps(ctx, p.TenantID, req.AppIDs)
	if err != nil {
		return nil, err
	}
	if len(apps) > 0 && s.Runner == nil {
		return nil, teamsops.Errorf(teamsops.EUNAVAILABLE, "Operations are not running on this server.")
	}
	out := &ChatCreation{}
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		out.Chat, err = createOrFind(ctx, tx, chat)
		if err != nil || len(apps) == 0 {
			return err
		}
		out.Operation, err = s.newCreateChatOperation(chat, apps, originOf(ctx))
		if err != nil {
			return err
		}
		if err := tx.CreateOperation(ctx, out.Operation); err != nil {
			return err
		}
		if fault, err = ruleFault(ctx, tx, p, out.Operation.Type, fault); err != nil {
			return err
		}
		return s.Runner.Enqueue(ctx, tx, out.Operation, fault)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resolveChat reads the members from the caller's tenant and builds the
// chat to create.
func (s *Service) resolveChat(ctx context.Context, p teamsops.Principal, req NewChat) (*teamsops.Chat, error) {
	chat := &teamsops.Chat{TenantID: p.TenantID, ChatType: req.ChatType, CreatedDateTime: s.now()}
	if req.Topic != nil {
		chat.Topic = *req.Topic
	}
	caller := false
	for _, m := range req.Members {
		u, err := s.memberUser(ctx, p, m)
		if err != nil {
			return nil, err
		}
		for _, prev := range chat.Members {
			if prev.UserID == u.ID {
				return nil, invalid("The user '%s' is listed more than once in members.", clip(m.User))
			}
		}
		chat.Members = append(chat.Members, teamsops.Member{UserID: u.ID, Roles: []string{"owner"}})
		caller = caller || u.ID == p.UserID
	}
	if p.Delegated() && !caller {
		// "Every user who will participate in the chat, including the user
		// who initiates the create request, must be specified in this list."
		return nil, invalid("The signed-in user '%s' must be one of the chat's members.", p.UserID)
	}
	if chat.ChatType == ChatTypeOneOnOne {
		chat.ID = OneOnOneChatID(chat.Members[0].UserID, chat.Members[1].UserID)
	} else {
		chat.ID = newGroupChatID()
	}
	return chat, nil
}

// resolveApps reads the apps to install from the tenant's catalog and
// returns their ids as the catalog spells them.
func (s *Service) resolveApps(ctx context.Context, tenantID string, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		app, err := s.Store.TeamsApp(ctx, tenantID, canonicalID(id))
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nil, invalid("The Teams app '%s' was not found in the tenant's app catalog.", clip(id))
		} else if err != nil {
			return nil, err
		}
		out = append(out, app.ID)
	}
	return out, nil
}

// createOrFind writes chat, unless it is a one-on-one chat that exists
// already: "Only one one-on-one chat can exist between two members. If a
// one-on-one chat already exists, this operation will return the existing
// chat and not create a new one." (v1.0/api/chat-post.md)
func createOrFind(ctx context.Context, tx teamsops.Tx, chat *teamsops.Chat) (*teamsops.Chat, error) {
	if chat.ChatType == ChatTypeOneOnOne {
		existing, err := tx.Chat(ctx, chat.TenantID, chat.ID)
		if err == nil {
			return existing, nil
		} else if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
			return nil, err
		}
	}
	return chat, tx.CreateChat(ctx, chat)
}

// newCreateChatOperation is the createChat operation that installs apps in
// chat, shaped like the seed's example: notStarted, no attempts yet, the
// chat as its target, and values {"appIds":[…]}; origin started it.
func (s *Service) newCreateChatOperation(chat *teamsops.Chat, apps []string, origin *teamsops.Origin) (*teamsops.Operation, error) {
	values, err := json.Marshal(createChatValues{AppIDs: apps})
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &teamsops.Operation{
		ID: newOperationID(), TenantID: chat.TenantID, Resource: chatRef(chat.ID),
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusNotStarted,
		CreatedDateTime: now, LastActionDateTime: now,
		TargetResourceID: chat.ID, TargetResourceLocation: "/chats('" + chat.ID + "')",
		Values: string(values), Origin: origin,
	}, nil
}

// createChatValues is the "values" of a createChat operation, as the
// seed's example shows it: {"appIds":["…"]}.
type createChatValues struct {
	AppIDs []string `json:"appIds"`
}

func invalid(format string, args ...any) error {
	return teamsops.Errorf(teamsops.EINVALID, format, args...)
}

// memberUser reads the user a member binds, from the caller's tenant only.
// Federated members ("Create chat", example 5) would be users of another
// tenant: they are refused as unknown, revealing nothing.
func (s *Service) memberUser(ctx context.Context, p teamsops.Principal, m NewMember) (*teamsops.User, error) {
	if m.TenantID != "" && !strings.EqualFold(m.TenantID, p.TenantID) {
		return nil, invalid("The user '%s' was not found.", clip(m.User))
	}
	u, err := s.Store.User(ctx, p.TenantID, canonicalID(m.User))
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil, invalid("The user '%s' was not found.", clip(m.User))
	}
	return u, err
}

// clip shortens what a caller sent before it is echoed in a message.
func clip(s string) string { return teamsops.Clip(s) }

// clean reports whether text may be stored: valid UTF-8 without NUL bytes,
// which PostgreSQL text cannot hold.
func clean(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
