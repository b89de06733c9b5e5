package webhook_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/webhook"
)

// TestValidate runs the handshake against real receivers, one per way of
// answering it.
func TestValidate(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(r.URL.Query().Get("validationToken")))
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // "" for success, else a part of the message
	}{
		{"right answer", echo, ""},
		{"right answer with charset", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte(r.URL.Query().Get("validationToken")))
		}, ""},
		{"wrong token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("something else"))
		}, "must exactly match validationToken"},
		{"encoded token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(strings.ReplaceAll(r.URL.Query().Get("validationToken"), " ", "+")))
		}, "must exactly match validationToken"},
		{"wrong content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(r.URL.Query().Get("validationToken")))
		}, "content type text/plain"},
		{"not 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte(r.URL.Query().Get("validationToken")))
		}, "must respond with 200 OK"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		}, "must respond with 200 OK"},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := &webhook.Client{AllowHTTP: true, ValidationTimeout: 300 * time.Millisecond}
			checkValidation(t, c.Validate(t.Context(), srv.URL+"/notify?keep=1", ""), tt.want)
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := &webhook.Client{AllowHTTP: true}
		checkValidation(t, c.Validate(t.Context(), "http://"+addr+"/notify", ""), "must respond with 200 OK")
	})
	t.Run("http refused without AllowHTTP", func(t *testing.T) {
		c := &webhook.Client{}
		checkValidation(t, c.Validate(t.Context(), "http://127.0.0.1:1/notify", ""), "HTTPS")
	})
	t.Run("https", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(echo))
		defer srv.Close()
		c := &webhook.Client{TLSConfig: srv.Client().Transport.(*http.Transport).TLSClientConfig}
		checkValidation(t, c.Validate(t.Context(), srv.URL, "v1_3"), "")
	})
}

func checkValidation(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		return
	}
	if teamsops.ErrorCode(err) != teamsops.EINVALID || !strings.Contains(teamsops.ErrorMessage(err), want) {
		t.Fatalf("Validate = %v, want EINVALID mentioning %q", err, want)
	}
}

// TestPost: only a 2xx in time delivers; the query string is kept.
func TestPost(t *testing.T) {
	tests := []struct {
		status int
		ok     bool
	}{{200, true}, {202, true}, {204, true}, {302, false}, {400, false}, {500, false}}
	for _, tt := range tests {
		var query string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			query = r.URL.RawQuery
			if tt.status == 302 {
				w.Header().Set("Location", "/other")
			}
			w.WriteHeader(tt.status)
			w.Write([]byte(strings.Repeat("x", 1<<20))) // not read beyond a bound
		}))
		c := &webhook.Client{AllowHTTP: true}
		res := c.Post(t.Context(), srv.URL+"/n?k=v", "", []byte(`{"value":[]}`))
		srv.Close()
		if (res.Err == nil) != tt.ok || res.Status != tt.status || query != "k=v" {
			t.Errorf("status %d: Post = %+v (query %q), want delivered %v", tt.status, res, query, tt.ok)
		}
	}
}

// newCertificate returns a self-signed certificate for a new RSA key.
func newCertificate(t testing.TB, bits int) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "receiver"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, base64.StdEncoding.EncodeToString(der)
}

func TestEncryptDecrypt(t *testing.T) {
	key, certB64 := newCertificate(t, 2048)
	cert, err := webhook.ParseCertificate(certB64)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"", "{}", strings.Repeat("operation ", 100), `{"id":"x","status":"succeeded"}`} {
		ec, err := webhook.Encrypt(cert, "cert-1", []byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		if ec.EncryptionCertificateID != "cert-1" || ec.EncryptionCertificateThumbprint != webhook.Thumbprint(cert) ||
			len(ec.EncryptionCertificateThumbprint) != 40 {
			t.Errorf("certificate id and thumbprint = %q, %q", ec.EncryptionCertificateID, ec.EncryptionCertificateThumbprint)
		}
		got, err := webhook.Decrypt(key, ec)
		if err != nil || string(got) != plain {
			t.Fatalf("Decrypt = %q, %v; want %q", got, err, plain)
		}
		// A changed byte of the data fails the signature check.
		data, _ := base64.StdEncoding.DecodeString(ec.Data)
		data[0] ^= 1
		tampered := *ec
		tampered.Data = base64.StdEncoding.EncodeToString(data)
		if _, err := webhook.Decrypt(key, &tampered); err == nil || !strings.Contains(err.Error(), "dataSignature") {
			t.Errorf("Decrypt of tampered data = %v, want a signature error", err)
		}
		other, _ := newCertificate(t, 2048)
		if _, err := webhook.Decrypt(other, ec); err == nil {
			t.Error("Decrypt with another key succeeded")
		}
	}
}

func TestParseCertificate(t *testing.T) {
	_, small := newCertificate(t, 1024)
	_, good := newCertificate(t, 2048)
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{good, true},
		{"-----BEGIN CERTIFICATE-----\n" + good + "\n-----END CERTIFICATE-----\n", true},
		{small, false}, {"", false}, {"not base64!", false}, {base64.StdEncoding.EncodeToString([]byte("junk")), false},
	} {
		if _, err := webhook.ParseCertificate(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseCertificate(%.20q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}

// TestCheckTarget: a URL reaching one of the server's own listeners is
// refused, by IP or name; loopback and unspecified listeners are reached
// through any local address of their port, others only through theirs.
func TestCheckTarget(t *testing.T) {
	for _, tt := range []struct {
		own  []string
		url  string
		want bool // refused
	}{
		{[]string{"127.0.0.1:8080"}, "http://127.0.0.1:8080/x", true},
		{[]string{"127.0.0.1:8080"}, "http://localhost:8080/x", true},
		{[]string{"127.0.0.1:8080"}, "http://[::1]:8080/x", true},
		{[]string{"127.0.0.1:8080"}, "http://0.0.0.0:8080/x", true},
		{[]string{"127.0.0.1:8080"}, "http://127.0.0.1:8081/x", false},
		{[]string{":9090"}, "http://127.0.0.1:9090/metrics", true},
		{[]string{"[::]:443"}, "https://localhost/x", true},
		{[]string{"0.0.0.0:80"}, "http://127.0.0.1/x", true},
		{[]string{"192.0.2.7:8080"}, "http://192.0.2.7:8080/x", true},
		{[]string{"192.0.2.7:8080"}, "http://192.0.2.8:8080/x", false},
		{nil, "http://127.0.0.1:8080/x", false},
	} {
		c := &webhook.Client{Own: tt.own}
		err := c.CheckTarget(t.Context(), "notificationUrl", tt.url)
		if (err != nil) != tt.want {
			t.Errorf("own %v, %s: CheckTarget = %v, want refused %v", tt.own, tt.url, err, tt.want)
		}
	}
}
