// Package localauth checks tokens on the local server the way API Gateway HTTP APIs' JWT
// authorizer checks them in AWS, so that a protected route answers alike in both places: the
// same 401 and 403 answers, and the same claims in requestContext.authorizer.jwt.
//
// What the authorizer does, from AWS's "Control access to HTTP APIs with JWT authorizers"
// (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
// it takes the token from the identity source (here the Authorization header, as
// components/api configures it), alone or after "Bearer "; decodes it; checks its
// algorithm and signature with the issuer's public key from its jwks_uri ("only RSA-based
// algorithms are supported"); then the claims: kid names a key of the issuer's key set, iss
// is the configured issuer, aud one of the configured audiences (client_id only when aud is
// absent, per "Troubleshooting issues with HTTP API JWT authorizers"), exp after the current
// time, nbf before it, and, on a route with authorizationScopes, scope or scp holds at least
// one of them. A failed check is answered 401 {"message":"Unauthorized"} with a
// www-authenticate header (troubleshooting page); a valid token with none of the route's
// scopes 403 {"message":"Forbidden"}.
//
// The signature is verified by go-jose (github.com/go-jose/go-jose/v4), which is already
// in the module graph through the Pulumi SDK, so it adds no module; it takes the allowed
// algorithms as a list, which rules out "none" and HMAC with a public key by construction.
package localauth

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-jose/go-jose/v4"
)

// LocalIssuer is the issuer of the development tokens `go run ./cmd/local token` mints. A
// stack file whose auth.issuer is this one makes the local server trust the local key. The
// .invalid domain never resolves (RFC 2606), so no deployed API can be made to trust it:
// API Gateway would fail to fetch its discovery document.
const LocalIssuer = "https://local.groundwork.invalid/"

// LocalAudience is the audience of development tokens minted without a stack file.
const LocalAudience = "groundwork-local"

// Algorithms are the signature algorithms accepted: API Gateway supports "only RSA-based
// algorithms"; the RSASSA-PKCS1-v1_5 ones are those identity providers publish keys for.
var Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512}

// Config configures an Authorizer: the JWT authorizer of a stack, and its routes.
type Config struct {
	// Issuer is the iss every token must carry, exactly. Required.
	Issuer string
	// Audiences are the accepted aud values (or client_id values, for a token without aud).
	// At least one is required.
	Audiences []string
	// Routes maps the route key of each protected route ("GET /v1/inquiries/{id}") to the
	// scopes a token needs there (one of them). A nil or empty list means any valid token.
	// Requests to routes not in the map are not checked.
	Routes map[string][]string
	// Keys gives the issuer's public keys. Required.
	Keys KeySource
	// Now is the clock exp and nbf are checked against. Nil means time.Now.
	Now func() time.Time
}

// Authorizer checks tokens as API Gateway's JWT authorizer does. It is safe for concurrent
// use.
type Authorizer struct {
	cfg Config
}

// New returns an Authorizer, or an error naming the Config field that is missing.
func New(cfg Config) (*Authorizer, error) {
	var errs []error
	if cfg.Issuer == "" {
		errs = append(errs, errors.New("localauth: Config.Issuer is required"))
	}
	if len(cfg.Audiences) == 0 {
		errs = append(errs, errors.New("localauth: Config.Audiences needs at least one audience"))
	}
	if cfg.Keys == nil {
		errs = append(errs, errors.New("localauth: Config.Keys is required"))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Authorizer{cfg: cfg}, nil
}

// Config returns the configuration in effect.
func (a *Authorizer) Config() Config { return a.cfg }

// Guards reports whether requests to the route need a token, and the scopes they need.
func (a *Authorizer) Guards(routeKey string) (scopes []string, ok bool) {
	scopes, ok = a.cfg.Routes[routeKey]
	return scopes, ok
}

// Refusal is the answer API Gateway gives itself, without invoking the function, to a
// request whose token does not pass.
type Refusal struct {
	// Status is 401 (no valid token) or 403 (a valid token without the route's scopes).
	Status int
	// WWWAuthenticate is the www-authenticate header, or "" for none.
	WWWAuthenticate string
	// Body is the JSON body: {"message":"Unauthorized"} or {"message":"Forbidden"}.
	Body []byte
	// Reason says, for the server's log, what was wrong; the client is told only what API
	// Gateway tells it.
	Reason string
}

// The bodies of API Gateway's refusals. 401: AWS's troubleshooting page (above). 403:
// AWS documents the status ("A valid token that carries none of the method's scopes
// receives a 403 Forbidden response", "Attach a JWT authorizer to methods and require
// scopes", docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer-methods.html)
// and the body is API Gateway's usual {"message":"Forbidden"}, as measured against an HTTP
// API with a JWT authorizer by floci (github.com/floci-io/floci,
// ApiGatewayExecuteController.java, "Measured API Gateway behavior (2026-08 ...)").
var (
	unauthorizedBody = []byte(`{"message":"Unauthorized"}`)
	forbiddenBody    = []byte(`{"message":"Forbidden"}`)
)

// invalid is a 401 with the header AWS documents: `Bearer scope="" error="invalid_token"
// error_description="..."`. AWS publishes one description verbatim, "the token does not
// have a valid audience"; the others are this package's, in the same style. They are fixed
// strings (never parts of the token), so the header needs no escaping.
func invalid(description, reason string) *Refusal {
	return &Refusal{
		Status:          401,
		WWWAuthenticate: `Bearer scope="" error="invalid_token" error_description="` + description + `"`,
		Body:            unauthorizedBody,
		Reason:          reason,
	}
}

// Authorize checks the token in an Authorization header (the values of repeated headers
// joined with commas, as API Gateway joins them) for a request to routeKey. For a route the
// authorizer does not guard, it returns (nil, nil). Otherwise it returns either what API
// Gateway puts in the event's requestContext.authorizer, or the Refusal to answer with.
func (a *Authorizer) Authorize(ctx context.Context, routeKey, authorization string) (*events.APIGatewayV2HTTPRequestContextAuthorizerDescription, *Refusal) {
	required, guarded := a.cfg.Routes[routeKey]
	if !guarded {
		return nil, nil
	}
	if authorization == "" {
		// AWS does not document the header of this answer; RFC 6750 §3.1 says a request
		// without credentials gets the scheme alone, with no error code.
		return nil, &Refusal{Status: 401, WWWAuthenticate: "Bearer", Body: unauthorizedBody, Reason: "no Authorization header"}
	}
	token := strings.TrimPrefix(authorization, "Bearer ")
	claims, refusal := a.verify(ctx, token)
	if refusal != nil {
		return nil, refusal
	}
	jwt := &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: renderClaims(claims)}
	if len(required) > 0 {
		have := tokenScopes(claims)
		if !slices.ContainsFunc(have, func(s string) bool { return slices.Contains(required, s) }) {
			return nil, &Refusal{Status: 403, Body: forbiddenBody,
				Reason: fmt.Sprintf("the token's scopes %q hold none of the route's %q", have, required)}
		}
		// On a route with scopes, jwt.scopes is the token's whole scope list; on a route
		// without, API Gateway leaves it null (floci's measurement, above).
		jwt.Scopes = have
	}
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: jwt}, nil
}

// verify checks the token's signature and claims, in the order AWS lists them, and returns
// its claims, numbers kept as written.
func (a *Authorizer) verify(ctx context.Context, token string) (map[string]any, *Refusal) {
	header, err := peekHeader(token)
	if err != nil {
		return nil, invalid("the token is not a JWT", err.Error())
	}
	if !slices.Contains(Algorithms, jose.SignatureAlgorithm(header.Alg)) {
		return nil, invalid("the token is not signed with an RSA algorithm",
			fmt.Sprintf("alg %q: API Gateway accepts only RSA-based algorithms (%v)", header.Alg, Algorithms))
	}
	jws, err := jose.ParseSignedCompact(token, Algorithms)
	if err != nil {
		return nil, invalid("the token is not a JWT", err.Error())
	}
	sig := jws.Signatures[0]
	kid := sig.Header.KeyID
	if kid == "" {
		return nil, invalid("the token has no kid", "no kid in the token's header: API Gateway picks the key by it")
	}
	key, err := a.cfg.Keys.Key(ctx, kid)
	if err != nil {
		return nil, invalid("the token's kid names no key of the issuer", err.Error())
	}
	if _, ok := key.Key.(*rsa.PublicKey); !ok {
		return nil, invalid("the token's kid names no key of the issuer", fmt.Sprintf("key %q is not an RSA public key", kid))
	}
	if key.Algorithm != "" && key.Algorithm != sig.Header.Algorithm {
		return nil, invalid("the token's algorithm is not its key's",
			fmt.Sprintf("key %q is for %s; the token says %s", kid, key.Algorithm, sig.Header.Algorithm))
	}
	if key.Use != "" && key.Use != "sig" {
		return nil, invalid("the token's kid names no key of the issuer", fmt.Sprintf("key %q is for use %q, not sig", kid, key.Use))
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, invalid("the token's signature is not valid", fmt.Sprintf("signature verification with key %q failed: %v", kid, err))
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, invalid("the token's claims are not a JSON object", fmt.Sprintf("claims: %v", err))
	}

	if iss, _ := claims["iss"].(string); iss != a.cfg.Issuer {
		return nil, invalid("the token does not have a valid issuer", fmt.Sprintf("iss %q, want %q", iss, a.cfg.Issuer))
	}
	if ok, got := a.audienceOK(claims); !ok {
		return nil, invalid("the token does not have a valid audience", fmt.Sprintf("%s, want one of %q", got, a.cfg.Audiences))
	}
	now := a.cfg.Now()
	exp, ok := numericDate(claims["exp"])
	switch {
	case !ok:
		// A token without exp would never expire; AWS lists exp among the claims it checks
		// and says nothing of its absence, so it is refused here.
		return nil, invalid("the token has no valid exp", fmt.Sprintf("exp %v", claims["exp"]))
	case !now.Before(exp):
		return nil, invalid("the token has expired", fmt.Sprintf("exp %v is not after %v", exp.UTC(), now.UTC()))
	}
	if v, present := claims["nbf"]; present {
		nbf, ok := numericDate(v)
		switch {
		case !ok:
			return nil, invalid("the token has no valid nbf", fmt.Sprintf("nbf %v", v))
		case now.Before(nbf):
			return nil, invalid("the token is not valid yet", fmt.Sprintf("nbf %v is after %v", nbf.UTC(), now.UTC()))
		}
	}
	return claims, nil
}

// audienceOK checks aud, or client_id only when aud is absent ("API Gateway validates
// client_id only if aud is not present. When both aud and client_id are present, API
// Gateway evaluates aud"), and says what it found.
func (a *Authorizer) audienceOK(claims map[string]any) (bool, string) {
	if aud, present := claims["aud"]; present {
		var auds []string
		switch v := aud.(type) {
		case string:
			auds = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					auds = append(auds, s)
				}
			}
		}
		return slices.ContainsFunc(auds, func(s string) bool { return slices.Contains(a.cfg.Audiences, s) }), fmt.Sprintf("aud %v", aud)
	}
	if id, ok := claims["client_id"].(string); ok {
		return slices.Contains(a.cfg.Audiences, id), fmt.Sprintf("no aud, client_id %q", id)
	}
	return false, "neither aud nor client_id"
}

// tokenScopes reads the token's scopes: scp (a list, or a space-separated string) when the
// token has it, else scope (RFC 6749's space-separated string, or a list). AWS names both
// ("scope or scp"); scp first follows floci's measurement (above).
func tokenScopes(claims map[string]any) []string {
	for _, name := range []string{"scp", "scope"} {
		switch v := claims[name].(type) {
		case string:
			if f := strings.Fields(v); len(f) > 0 {
				return f
			}
		case []any:
			var out []string
			for _, x := range v {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch, possibly fractional).
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e12 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// jwtHeader is the part of a token's header read before parsing, to say which algorithm a
// refused token used.
type jwtHeader struct {
	Alg string `json:"alg"`
}

// peekHeader decodes a compact token's header without trusting it.
func peekHeader(token string) (jwtHeader, error) {
	var h jwtHeader
	head, _, ok := strings.Cut(token, ".")
	if !ok || strings.Count(token, ".") != 2 {
		return h, errors.New("want three base64url parts separated by dots")
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return h, fmt.Errorf("header: %w", err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("header: %w", err)
	}
	return h, nil
}
