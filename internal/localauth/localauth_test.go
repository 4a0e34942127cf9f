package localauth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/localauth"
)

const (
	issuer   = "https://id.example.com/"
	audience = "groundwork-api"
	readKey  = "GET /v1/inquiries/{id}"
	postKey  = "POST /v1/things"
	scope    = "groundwork-api/inquiries.read"
)

// now is the fixed time of every check.
var now = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// Keys are slow to make: each test binary makes two, once.
var (
	keysOnce       sync.Once
	trusted, other *localauth.LocalKey
)

func keys(t testing.TB) (*localauth.LocalKey, *localauth.LocalKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if trusted, err = localauth.LoadOrCreateKey(filepath.Join(keyDir, "a", localauth.KeyFile)); err != nil {
			panic(err)
		}
		if other, err = localauth.LoadOrCreateKey(filepath.Join(keyDir, "b", localauth.KeyFile)); err != nil {
			panic(err)
		}
	})
	return trusted, other
}

func authorizer(t *testing.T) *localauth.Authorizer {
	t.Helper()
	k, _ := keys(t)
	a, err := localauth.New(localauth.Config{
		Issuer:    issuer,
		Audiences: []string{audience, "other-api"},
		Routes:    map[string][]string{readKey: {scope, "groundwork-api/admin"}, postKey: nil},
		Keys:      k.Keys(),
		Now:       func() time.Time { return now },
	})
	require.NoError(t, err)
	return a
}

// claims returns valid claims for a token checked at now, changed by edit.
func claims(edit func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss": issuer, "aud": audience, "sub": "user-1",
		"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		"scope": "openid " + scope,
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func sign(t *testing.T, k *localauth.LocalKey, c map[string]any) string {
	t.Helper()
	tok, err := k.Sign(c)
	require.NoError(t, err)
	return tok
}

// forge builds a token from a header and claims of our choosing, with the given signature
// bytes: for tokens no honest signer makes.
func forge(t *testing.T, header map[string]any, c map[string]any, signature func(signingInput string) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	require.NoError(t, err)
	p, err := json.Marshal(c)
	require.NoError(t, err)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	return input + "." + base64.RawURLEncoding.EncodeToString(signature(input))
}

const audienceHeader = `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`

// Every rule of the JWT authorizer, with a table of good and bad tokens.
func TestEveryRule(t *testing.T) {
	k, o := keys(t)
	pubDER, err := x509.MarshalPKIXPublicKey(k.Keys().Keys[0].Key)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	without := func(name string) func(map[string]any) { return func(c map[string]any) { delete(c, name) } }
	set := func(name string, v any) func(map[string]any) { return func(c map[string]any) { c[name] = v } }

	tests := []struct {
		name   string
		route  string
		header string // the Authorization header
		status int    // 0: passes
		www    string // the www-authenticate header of a refusal ("" for none); checked when set
		reason string // part of the logged reason
	}{
		{"a valid token", readKey, "Bearer " + sign(t, k, claims(nil)), 0, "", ""},
		{"a valid token without Bearer", readKey, sign(t, k, claims(nil)), 0, "", ""},
		{"no token", readKey, "", 401, "Bearer", "no Authorization header"},
		{"not a JWT", readKey, "Bearer not-a-token", 401, `Bearer scope="" error="invalid_token" error_description="the token is not a JWT"`, "three"},
		{"expired", readKey, "Bearer " + sign(t, k, claims(set("exp", now.Unix()))), 401,
			`Bearer scope="" error="invalid_token" error_description="the token has expired"`, "is not after"},
		{"long expired", readKey, "Bearer " + sign(t, k, claims(set("exp", now.Add(-24*time.Hour).Unix()))), 401, "", "is not after"},
		{"no exp", readKey, "Bearer " + sign(t, k, claims(without("exp"))), 401, "", "exp <nil>"},
		{"exp a string", readKey, "Bearer " + sign(t, k, claims(set("exp", "tomorrow"))), 401, "", "exp tomorrow"},
		{"not yet valid", readKey, "Bearer " + sign(t, k, claims(set("nbf", now.Add(time.Minute).Unix()))), 401,
			`Bearer scope="" error="invalid_token" error_description="the token is not valid yet"`, "nbf"},
		{"valid from now on", readKey, "Bearer " + sign(t, k, claims(set("nbf", now.Unix()))), 0, "", ""},
		{"no nbf (Cognito has none)", readKey, "Bearer " + sign(t, k, claims(without("nbf"))), 0, "", ""},
		{"wrong issuer", readKey, "Bearer " + sign(t, k, claims(set("iss", "https://id.example.com"))), 401,
			`Bearer scope="" error="invalid_token" error_description="the token does not have a valid issuer"`, "iss"},
		{"wrong audience", readKey, "Bearer " + sign(t, k, claims(set("aud", "someone-else"))), 401, audienceHeader, "aud someone-else"},
		{"one good audience of several", readKey, "Bearer " + sign(t, k, claims(set("aud", []string{"x", "other-api"}))), 0, "", ""},
		{"no aud, client_id an audience", readKey, "Bearer " + sign(t, k, claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = audience })), 0, "", ""},
		{"no aud, client_id no audience", readKey, "Bearer " + sign(t, k, claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = "x" })), 401, audienceHeader, "client_id"},
		{"a wrong aud beside a good client_id", readKey, "Bearer " + sign(t, k, claims(edit(set("client_id", audience)).also(set("aud", "x")))), 401, audienceHeader, "aud x"},
		{"neither aud nor client_id", readKey, "Bearer " + sign(t, k, claims(without("aud"))), 401, audienceHeader, "neither"},
		{"signed by another key under the trusted kid", readKey, "Bearer " + forge(t,
			map[string]any{"alg": "RS256", "kid": k.KeyID(), "typ": "JWT"}, claims(nil),
			func(in string) []byte { return rawSignature(t, sign(t, o, claims(nil))) }), 401,
			`Bearer scope="" error="invalid_token" error_description="the token's signature is not valid"`, "verif"},
		{"claims changed after signing", readKey, "Bearer " + tamper(t, sign(t, k, claims(nil)), claims(set("sub", "admin"))), 401, "", "verif"},
		{"an unknown kid", readKey, "Bearer " + sign(t, o, claims(nil)), 401,
			`Bearer scope="" error="invalid_token" error_description="the token's kid names no key of the issuer"`, "no key with this kid"},
		{"no kid", readKey, "Bearer " + forge(t, map[string]any{"alg": "RS256"}, claims(nil), func(string) []byte { return []byte("x") }), 401,
			`Bearer scope="" error="invalid_token" error_description="the token has no kid"`, "no kid"},
		{"alg none", readKey, "Bearer " + forge(t, map[string]any{"alg": "none", "kid": k.KeyID()}, claims(nil), func(string) []byte { return nil }), 401,
			`Bearer scope="" error="invalid_token" error_description="the token is not signed with an RSA algorithm"`, `alg "none"`},
		{"HS256 with the public key as secret", readKey, "Bearer " + forge(t, map[string]any{"alg": "HS256", "kid": k.KeyID()}, claims(nil),
			func(in string) []byte { m := hmac.New(sha256.New, pubPEM); m.Write([]byte(in)); return m.Sum(nil) }), 401,
			`Bearer scope="" error="invalid_token" error_description="the token is not signed with an RSA algorithm"`, `alg "HS256"`},
		{"HS256 with the DER public key as secret", readKey, "Bearer " + forge(t, map[string]any{"alg": "HS256", "kid": k.KeyID()}, claims(nil),
			func(in string) []byte { m := hmac.New(sha256.New, pubDER); m.Write([]byte(in)); return m.Sum(nil) }), 401, "", `alg "HS256"`},
		{"no scope of the route", readKey, "Bearer " + sign(t, k, claims(set("scope", "openid profile"))), 403, "", "none of the route's"},
		{"no scope claim at all", readKey, "Bearer " + sign(t, k, claims(without("scope"))), 403, "", "none of the route's"},
		{"the other scope of the route", readKey, "Bearer " + sign(t, k, claims(set("scope", "groundwork-api/admin"))), 0, "", ""},
		{"scp as a list", readKey, "Bearer " + sign(t, k, claims(func(c map[string]any) { delete(c, "scope"); c["scp"] = []string{scope} })), 0, "", ""},
		{"a route without scopes takes any valid token", postKey, "Bearer " + sign(t, k, claims(without("scope"))), 0, "", ""},
		{"a route without scopes still needs a valid token", postKey, "Bearer " + sign(t, k, claims(set("exp", now.Unix()))), 401, "", "is not after"},
		{"a lower-case bearer is not the documented prefix", readKey, "bearer " + sign(t, k, claims(nil)), 401, "", ""},
	}
	a := authorizer(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			authz, refusal := a.Authorize(context.Background(), tc.route, tc.header)
			if tc.status == 0 {
				require.Nil(t, refusal, "the token passes")
				require.NotNil(t, authz)
				require.NotNil(t, authz.JWT)
				assert.Equal(t, "user-1", authz.JWT.Claims["sub"], "the claims reach the event")
				return
			}
			require.NotNil(t, refusal, "the token is refused")
			assert.Nil(t, authz, "nothing reaches the handler")
			assert.Equal(t, tc.status, refusal.Status)
			switch tc.status {
			case 401:
				assert.Equal(t, `{"message":"Unauthorized"}`, string(refusal.Body), "API Gateway's 401 body")
				assert.True(t, strings.HasPrefix(refusal.WWWAuthenticate, "Bearer"), "a Bearer challenge")
			case 403:
				assert.Equal(t, `{"message":"Forbidden"}`, string(refusal.Body), "API Gateway's 403 body")
				assert.Empty(t, refusal.WWWAuthenticate)
			}
			if tc.www != "" {
				assert.Equal(t, tc.www, refusal.WWWAuthenticate, "the www-authenticate header")
			}
			assert.Contains(t, refusal.Reason, tc.reason, "the logged reason says what was wrong")
		})
	}
}

type edit func(map[string]any)

func (e edit) also(f edit) edit { return func(c map[string]any) { e(c); f(c) } }

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

// rawSignature returns a compact token's signature bytes.
func rawSignature(t *testing.T, token string) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	return b
}

// tamper replaces a signed token's claims, keeping its header and signature.
func tamper(t *testing.T, token string, c map[string]any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	p, err := json.Marshal(c)
	require.NoError(t, err)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
}

func TestAnUnguardedRouteIsNotChecked(t *testing.T) {
	authz, refusal := authorizer(t).Authorize(context.Background(), "GET /healthz", "")
	assert.Nil(t, authz, "no authorizer context on a public route")
	assert.Nil(t, refusal, "a public route needs no token")
}

// The claims reach the handler as API Gateway renders them: every value a string, lists
// between brackets, separated by spaces.
func TestClaimsAsAPIGatewayRendersThem(t *testing.T) {
	k, _ := keys(t)
	tok := sign(t, k, claims(func(c map[string]any) {
		c["exp"] = 1893557045 // now + 1h, written as the number it is
		c["cognito:groups"] = []string{"admin", "poweruser"}
		c["email_verified"] = true
		c["ratio"] = 1.5
		c["mixed"] = []any{"a", 2, true}
		c["address"] = map[string]any{"city": "Seattle", "zip": 98101}
		c["nothing"] = nil
	}))
	authz, refusal := authorizer(t).Authorize(context.Background(), readKey, "Bearer "+tok)
	require.Nil(t, refusal)
	assert.Equal(t, map[string]string{
		"iss": issuer, "aud": audience, "sub": "user-1",
		"iat": "1893553385", "nbf": "1893553385", "exp": "1893557045",
		"scope":          "openid " + scope,
		"cognito:groups": "[admin poweruser]",
		"email_verified": "true",
		"ratio":          "1.5",
		"mixed":          "[a 2 true]",
		"address":        `{"city":"Seattle","zip":98101}`,
	}, authz.JWT.Claims, "claims as strings, a null claim left out")
	assert.Equal(t, []string{"openid", scope}, authz.JWT.Scopes, "on a route with scopes: the token's whole scope list")

	authz, refusal = authorizer(t).Authorize(context.Background(), postKey, "Bearer "+tok)
	require.Nil(t, refusal)
	assert.Nil(t, authz.JWT.Scopes, "on a route without scopes, API Gateway leaves scopes null")
}

func TestNewNamesMissingFields(t *testing.T) {
	_, err := localauth.New(localauth.Config{})
	require.Error(t, err)
	for _, f := range []string{"Config.Issuer", "Config.Audiences", "Config.Keys"} {
		assert.Contains(t, err.Error(), f)
	}
}

// A minted development token passes the authorizer of the local issuer, for its scopes.
func TestMintedTokens(t *testing.T) {
	k, _ := keys(t)
	a, err := localauth.New(localauth.Config{
		Issuer: localauth.LocalIssuer, Audiences: []string{localauth.LocalAudience},
		Routes: map[string][]string{readKey: {scope}}, Keys: k.Keys(), Now: func() time.Time { return now },
	})
	require.NoError(t, err)

	tok, err := k.Mint(localauth.Token{Scopes: []string{scope}, Subject: "dev-1", IssuedAt: now.Add(-time.Minute), TTL: 10 * time.Minute})
	require.NoError(t, err)
	jws, err := jose.ParseSignedCompact(tok, localauth.Algorithms)
	require.NoError(t, err)
	assert.Equal(t, k.KeyID(), jws.Signatures[0].Header.KeyID, "the token names its key")
	assert.Equal(t, "RS256", jws.Signatures[0].Header.Algorithm)

	authz, refusal := a.Authorize(context.Background(), readKey, "Bearer "+tok)
	require.Nil(t, refusal)
	assert.Equal(t, "dev-1", authz.JWT.Claims["sub"])
	assert.Equal(t, localauth.LocalIssuer, authz.JWT.Claims["iss"])
	assert.Equal(t, strconvI(now.Add(9*time.Minute).Unix()), authz.JWT.Claims["exp"], "exp is iat + TTL")

	// And without the scope, the route refuses it
	noScope, err := k.Mint(localauth.Token{IssuedAt: now.Add(-time.Minute)})
	require.NoError(t, err)
	_, refusal = a.Authorize(context.Background(), readKey, "Bearer "+noScope)
	require.NotNil(t, refusal)
	assert.Equal(t, 403, refusal.Status)

	// And once its TTL has passed, it has expired
	old, err := k.Mint(localauth.Token{Scopes: []string{scope}, IssuedAt: now.Add(-2 * time.Hour)})
	require.NoError(t, err)
	_, refusal = a.Authorize(context.Background(), readKey, "Bearer "+old)
	require.NotNil(t, refusal)
	assert.Contains(t, refusal.WWWAuthenticate, "the token has expired")
}
