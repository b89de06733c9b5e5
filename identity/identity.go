// Package identity is teamsops' token service: it issues access tokens as
// Microsoft Entra does, serves Entra's per-tenant discovery, key and token
// endpoints, and validates the tokens callers present, turning them into a
// teamsops.Principal.
//
// Token format: "Access token claims reference" and "Access tokens in the
// Microsoft identity platform" on learn.microsoft.com. Endpoints: "OpenID
// Connect on the Microsoft identity platform" and "OAuth 2.0 client
// credentials flow".
package identity

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/google/uuid"
	"github.com/teamsops/teamsops"
)

// KeyStore keeps the local issuer's signing keys. teamsops.Store satisfies it.
type KeyStore interface {
	// SigningKeys returns the stored keys, newest first.
	SigningKeys(ctx context.Context) ([]*teamsops.SigningKey, error)
	// EnsureSigningKey stores k unless a key exists already and returns
	// the newest key, so processes starting together agree on one key.
	EnsureSigningKey(ctx context.Context, k *teamsops.SigningKey) (*teamsops.SigningKey, error)
}

// Directory is the part of the store the token service reads and writes.
// teamsops.Store satisfies it. Reads report a missing tenant, app or user
// as an *teamsops.Error with code teamsops.ENOTFOUND.
type Directory interface {
	Tenant(ctx context.Context, id string) (*teamsops.Tenant, error)
	// TenantByDomain finds a tenant by a user name's domain, for the
	// /organizations and /common endpoints and tenant paths that name a
	// domain rather than an id.
	TenantByDomain(ctx context.Context, domain string) (*teamsops.Tenant, error)
	AppRegistration(ctx context.Context, tenantID, clientID string) (*teamsops.AppRegistration, error)
	// User finds a user by object id or user principal name.
	User(ctx context.Context, tenantID, idOrUPN string) (*teamsops.User, error)
	// Declared lists what the tenant's file declared: the token service
	// finds an API app by one of its identifier URIs among them.
	Declared(ctx context.Context, tenantID string) ([]teamsops.Declared, error)
	// SignInGrants keeps codes, refresh tokens, device codes, sessions.
	teamsops.SignInGrants
}

// bcrypt reads at most 72 bytes of a secret; longer ones are refused
// rather than silently truncated.
const maxSecretLen = 72

// HashSecret returns the bcrypt hash of a client secret, for
// teamsops.AppRegistration.SecretHashes.
func HashSecret(secret string) (string, error) {
	if secret == "" {
		return "", teamsops.Errorf(teamsops.EINVALID, "The client secret is empty.")
	}
	if len(secret) > maxSecretLen {
		return "", teamsops.Errorf(teamsops.EINVALID, "The client secret is longer than %d bytes.", maxSecretLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash client secret: %w", err)
	}
	return string(h), nil
}

// CheckSecret reports whether secret matches a hash made by HashSecret.
func CheckSecret(hash, secret string) bool {
	if hash == "" || secret == "" || len(secret) > maxSecretLen {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)) == nil
}

// GraphExplorerClientID is the client id of Microsoft Graph Explorer, a
// public client: the app a delegated token names when none is given.
const GraphExplorerClientID = "de8bc8b5-d9f9-48b1-a8ad-b748da725064"

// ServicePrincipalID is the object id of app clientID's service principal
// in tenant tenantID: the oid of the app's tokens, and the clientId of its
// resource-specific permission grants.
func ServicePrincipalID(tenantID, clientID string) string {
	return nameGUID("servicePrincipal:" + tenantID + ":" + clientID)
}

// newGUID returns a random (version 4) GUID, as Entra uses for trace and
// correlation ids.
func newGUID() string { return uuid.NewString() }

// nameGUID returns a name-based (version 5, RFC 9562) GUID: the same name
// always yields the same id.
func nameGUID(name string) string {
	// The namespace is fixed for teamsops; any constant works.
	return uuid.NewSHA1(uuid.NameSpaceDNS, []byte(name)).String()
}

// IsGUID reports whether s is a GUID in its 8-4-4-4-12 hex form, the form
// Entra writes tenant, object and client ids in. The service and tenant
// files check ids with it too, so all agree on what an id is.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
