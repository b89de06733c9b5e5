package identity

import "net/http"

// pages registers the sign-in pages.
func (e *endpoints) pages(mux *http.ServeMux) {}
