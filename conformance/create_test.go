package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/teamsops/teamsops/demo"
)

// TestCreateChat posts a chat through the SDK's Chats().Post. Kiota gzips
// every request body (Content-Encoding: gzip), so this proves that
// teamsops reads compressed bodies, as Graph does.
func TestCreateChat(t *testing.T) {
	s := startServer(t)
	chat := models.NewChat()
	chatType := models.GROUP_CHATTYPE
	chat.SetChatType(&chatType)
	topic := "Launch review"
	chat.SetTopic(&topic)
	var members []models.ConversationMemberable
	for _, user := range []string{demo.UserAdele, demo.UserAlex, demo.UserMegan} {
		m := models.NewAadUserConversationMember()
		m.SetRoles([]string{"owner"})
		m.SetAdditionalData(map[string]any{"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + user + "')"})
		members = append(members, m)
	}
	chat.SetMembers(members)

	got, err := consoleClient(t, s).Chats().Post(context.Background(), chat, nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	if id := got.GetId(); id == nil || !strings.HasPrefix(*id, "19:") {
		t.Errorf("id = %v, want a chat id", deref(id))
	}
	checkString(t, "topic", got.GetTopic(), topic)
	checkEnum(t, "chatType", got.GetChatType(), models.GROUP_CHATTYPE)
}
