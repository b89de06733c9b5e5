package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// requestTimeout bounds one request, so that a server that stops
// answering fails the run instead of hanging it.
const requestTimeout = 30 * time.Second

// conn is one keep-alive HTTP/1.1 connection on which its worker sends
// prepared requests back to back, as a load tool's connection does: no
// pool that could hide a reconnect, and every dial counted. Responses are
// parsed by net/http's ReadResponse. A conn is not safe for concurrent
// use.
type conn struct {
	addr  string
	nc    net.Conn
	br    *bufio.Reader
	body  bytes.Buffer
	dials int
}

// reply is what one request got back. body is valid until the conn's next
// request.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends req (a whole HTTP/1.1 request, as newRequest makes) and reads
// the response. After an error, or a response that closes the
// connection, the next call dials again.
func (c *conn) do(req []byte) (reply, error) {
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return reply{}, err
		}
		c.nc, c.br = nc, bufio.NewReaderSize(nc, 16<<10)
		c.dials++
	}
	if err := c.nc.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return reply{}, c.fail(err)
	}
	if _, err := c.nc.Write(req); err != nil {
		return reply{}, c.fail(err)
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return reply{}, c.fail(err)
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(res.Body)
	res.Body.Close()
	if err != nil {
		return reply{}, c.fail(err)
	}
	if res.Close {
		c.close()
	}
	return reply{status: res.StatusCode, header: res.Header, body: c.body.Bytes()}, nil
}

// String says, for an error message, what the reply was: its status, its
// request-id (what the server's log names the request by) and the start
// of its body.
func (r reply) String() string {
	id := r.header.Get("request-id")
	if id == "" {
		return fmt.Sprintf("status %d: %s", r.status, clip(r.body))
	}
	return fmt.Sprintf("status %d, request-id %s: %s", r.status, id, clip(r.body))
}

func (c *conn) fail(err error) error {
	c.close()
	return err
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc, c.br = nil, nil
	}
}

// newRequest renders one HTTP/1.1 request once, to be sent many times.
// target is the request target exactly as it goes on the wire (a path
// and query, already percent-encoded where it must be).
func newRequest(method, host, target, token string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: teamsops-bench\r\n", method, target, host)
	if token != "" {
		b.WriteString("Authorization: Bearer " + token + "\r\n")
	}
	if body != nil {
		b.WriteString("Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}
