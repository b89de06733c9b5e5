package http

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// maxCreateChatBody bounds a "Create chat" body. A group chat of 250
// members is about 60 KiB of JSON.
const maxCreateChatBody = 1 << 20

// errPayload is Graph's answer to a body it cannot read as JSON.
var errPayload = teamsops.Errorf(teamsops.EINVALID,
	"Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")

// createChat answers "Create chat" (api-reference/beta/api/chat-post.md):
// 201 and the chat, or, with installedApps, 202 and a Location header
// naming the createChat operation, with no body, as the page's example 3.
func (s *Server) createChat(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := odata.Resource{TypeName: chatEntityType, Properties: chatProperties}.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	nc, err := decodeCreateChat(body, s.PublicURL)
	if err != nil {
		return err
	}
	res, err := s.Service.CreateChat(r.Context(), req.p, nc, req.fault)
	if err != nil {
		return err
	}
	if res.Operation == nil {
		writeJSON(w, http.StatusCreated, s.chatEntity(req, res.Chat, q))
		return nil
	}
	// Relative and without a version (PRODUCT.md, "Paths"); keys raw, as
	// in the page's example.
	s.writeAccepted(w, res.Operation, "/chats('"+res.Chat.ID+"')/operations('"+res.Operation.ID+"')", "", acceptedJSON)
	return nil
}

// readJSONBody reads a request body that the page requires to be
// "Content-Type: application/json", at most maxCreateChatBody bytes.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readJSON(w, r, maxCreateChatBody, "request body")
}

// readJSON reads a JSON body of at most limit bytes; what names the body
// in the error that refuses a larger one.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(media, "application/json") {
		return nil, errPayload
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, teamsops.Errorf(teamsops.EINVALID, "The %s is larger than %d bytes.", what, limit)
	} else if err != nil {
		return nil, errPayload
	}
	return body, nil
}
