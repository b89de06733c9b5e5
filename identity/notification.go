package identity

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// NotificationPublisherAppID is the app id of Microsoft Graph's change
// notification publisher: a rich notification's validation tokens name it
// in appid, and receivers must check that they do
// (concepts/change-notifications-with-resource-data.md, "How to validate").
// teamsops' validation tokens carry the same value, so a receiver written
// for Graph accepts them unchanged.
const NotificationPublisherAppID = "0bf30f3b-4a52-48df-9a82-234910c4a086"

// ValidationTokenTTL is how long a validation token is valid; Graph's
// example token is valid for about 8 hours.
const ValidationTokenTTL = 8 * time.Hour

// validationToken is the payload of a validationTokens entry, with the
// claims of the page's "Example JWT token".
type validationToken struct {
	Aud      string `json:"aud"`
	Iss      string `json:"iss"`
	Iat      int64  `json:"iat"`
	Nbf      int64  `json:"nbf"`
	Exp      int64  `json:"exp"`
	AppID    string `json:"appid"`
	Azp      string `json:"azp"`
	AppIDAcr string `json:"appidacr"`
	Idp      string `json:"idp"`
	Tid      string `json:"tid"`
	Uti      string `json:"uti"`
	Ver      string `json:"ver"`
}

// IsGraphAudience reports whether aud names Microsoft Graph: its app id or
// its application ID URI, the audiences of an access token for Graph. A
// validation token must never carry one, or it would pass as an access
// token ("notificationUrlAppId" is the caller's to choose).
func IsGraphAudience(aud string) bool {
	aud = strings.TrimSpace(aud)
	return strings.EqualFold(aud, graphAppID) || strings.EqualFold(strings.TrimSuffix(aud, "/"), graphResource)
}

// IssueValidationToken signs one entry of a rich notification's
// validationTokens: for the subscribing app audience (its
// notificationUrlAppId, else its application id) in tenantID, issued by
// the tenant's issuer, whose keys the discovery document publishes. It
// refuses Graph's own audiences (IsGraphAudience).
func (iss *Issuer) IssueValidationToken(tenantID, audience string) (string, error) {
	if IsGraphAudience(audience) {
		return "", fmt.Errorf("sign validation token: the audience %q is Microsoft Graph", audience)
	}
	now := iss.Now()
	var id [16]byte
	rand.Read(id[:])
	t := validationToken{
		Aud: audience, Iss: iss.IssuerURL(tenantID), Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(ValidationTokenTTL).Unix(), AppID: NotificationPublisherAppID, Azp: NotificationPublisherAppID,
		AppIDAcr: "2", Idp: iss.IssuerURL(tenantID), Tid: tenantID,
		Uti: base64.RawURLEncoding.EncodeToString(id[:]), Ver: "1.0",
	}
	tok, err := jwt.Signed(iss.signer).Claims(t).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign validation token: %w", err)
	}
	return tok, nil
}

// VerifyValidationToken checks a validation token as the page tells a
// receiver to: an RS256 signature by one of keys, not expired, issued by
// issuer, for one of audiences (the receiver's app ids), and by the
// notification publisher (appid).
func VerifyValidationToken(raw string, keys jose.JSONWebKeySet, issuer string, audiences []string, now time.Time) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return fmt.Errorf("validation token: %w", err)
	}
	if len(tok.Headers) != 1 {
		return errors.New("validation token: one signature expected")
	}
	var claims validationToken
	var std jwt.Claims
	verified := false
	for _, k := range keys.Key(tok.Headers[0].KeyID) {
		if tok.Claims(k.Key, &claims, &std) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return errors.New("validation token: the signature does not verify with the issuer's keys")
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: issuer, Time: now}, time.Minute); err != nil {
		return fmt.Errorf("validation token: %w", err)
	}
	if !slices.Contains(audiences, claims.Aud) {
		return fmt.Errorf("validation token: audience %q is not one of the receiver's apps", claims.Aud)
	}
	if claims.AppID != NotificationPublisherAppID {
		return fmt.Errorf("validation token: appid %q is not the notification publisher", claims.AppID)
	}
	return nil
}
