package http

import (
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// maxCreateChatBody bounds a "Create chat" body. A group chat of 250
// members is about 60 KiB of JSON.
const maxCreateChatBody = 1 << 20

// FaultHeader makes the operation a request starts fail on purpose, so that
// a client can test its handling of retries and failures, which Graph
// never lets it provoke. It is read on POST /chats with installedApps and
// ignored everywhere else:
//
//	X-Teamsops-Fault: transient=N   the first N attempts fail transiently
//	                                (N from 0 to 1000), later ones run
//	X-Teamsops-Fault: fail          every attempt fails: once the engine
//	                                gives up, the operation is failed
//
// Keywords are case-insensitive; any other value is a 400 and nothing is
// written.
const FaultHeader = "X-Teamsops-Fault"

// maxTransientFaults bounds N in "transient=N".
const maxTransientFaults = 1000

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
	fault, err := parseFault(r.Header.Values(FaultHeader))
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
	res, err := s.Service.CreateChat(r.Context(), req.p, nc, fault)
	if err != nil {
		return err
	}
	if res.Operation == nil {
		writeJSON(w, http.StatusCreated, s.chatEntity(req, res.Chat, q))
		return nil
	}
	// Relative and without a version (PRODUCT.md, "Paths"); keys raw, as
	// in the page's example.
	s.writeAccepted(w, res.Operation, "/chats('"+res.Chat.ID+"')/operations('"+res.Operation.ID+"')", "")
	return nil
}

// readJSONBody reads a request body that the page requires to be
// "Content-Type: application/json", at most maxCreateChatBody bytes.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(media, "application/json") {
		return nil, errPayload
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCreateChatBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, teamsops.Errorf(teamsops.EINVALID, "The request body is larger than %d bytes.", maxCreateChatBody)
	} else if err != nil {
		return nil, errPayload
	}
	return body, nil
}

// parseFault reads the FaultHeader's values: none, or one value in its
// syntax. A nil fault means none.
func parseFault(values []string) (*teamsops.Fault, error) {
	if len(values) == 0 {
		return nil, nil
	}
	bad := teamsops.Errorf(teamsops.EINVALID,
		"The %s header must be 'transient=N' (N from 0 to %d) or 'fail'.", FaultHeader, maxTransientFaults)
	if len(values) > 1 {
		return nil, bad
	}
	v := strings.TrimSpace(values[0])
	if strings.EqualFold(v, "fail") {
		return &teamsops.Fault{FailAttempts: math.MaxInt32}, nil
	}
	name, n, ok := strings.Cut(v, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "transient") {
		return nil, bad
	}
	n = strings.TrimSpace(n)
	count, err := strconv.Atoi(n)
	if err != nil || count < 0 || count > maxTransientFaults || n != strconv.Itoa(count) {
		return nil, bad
	}
	if count == 0 {
		return nil, nil
	}
	return &teamsops.Fault{FailAttempts: count}, nil
}
