package localauth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// KeyFile is the name of the development signing key's file in the local server's data
// directory.
const KeyFile = "token-signing-key.json"

// keyBits is the RSA key size: 2048 bits, the size identity providers (Cognito, Auth0,
// Okta) sign access tokens with, and quick to generate.
const keyBits = 2048

// LocalKey is the development signing key: an RSA key kept in a file (a JWK with its
// private part, mode 0600), made on first use. Its public half is the key set the local
// server trusts for the local issuer; `go run ./cmd/local token` signs with it.
type LocalKey struct {
	private jose.JSONWebKey
	// Path is the key's file.
	Path string
	// Created reports whether this call made the key (the file did not exist).
	Created bool
}

// LoadOrCreateKey reads the key in path, or makes one there if there is none. Two processes
// doing so at once (the server and the token command) end up with the same key: the file is
// written aside and linked into place, which fails if another got there first, and then
// that one's key is read. A key file readable by others is refused.
func LoadOrCreateKey(path string) (*LocalKey, error) {
	k, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: priv, Algorithm: string(jose.RS256), Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	// The RFC 7638 thumbprint as kid: stable for the key, and new when a new key is made.
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	text, err := json.MarshalIndent(jwk, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-signing-key-*")
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	if _, err := tmp.Write(append(text, '\n')); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path) // another process made it first: use theirs
		}
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	return &LocalKey{private: jwk, Path: path, Created: true}, nil
}

func readKey(path string) (*LocalKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("token signing key %s: readable by others (mode %04o); chmod 600 it, or delete it to make a new key", path, perm)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("token signing key: %w", err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(text); err != nil {
		return nil, fmt.Errorf("token signing key %s: %w; delete it to make a new key", path, err)
	}
	if _, ok := jwk.Key.(*rsa.PrivateKey); !ok || jwk.KeyID == "" || !jwk.Valid() {
		return nil, fmt.Errorf("token signing key %s: not an RSA private key with a kid; delete it to make a new key", path)
	}
	return &LocalKey{private: jwk, Path: path}, nil
}

// KeyID is the key's kid.
func (k *LocalKey) KeyID() string { return k.private.KeyID }

// Keys is the key's public key set, for an Authorizer.
func (k *LocalKey) Keys() StaticKeys {
	return StaticKeys{Keys: []jose.JSONWebKey{k.private.Public()}}
}

// Token is what a development token says.
type Token struct {
	// Issuer is its iss. Empty means LocalIssuer.
	Issuer string
	// Audience is its aud. Empty means LocalAudience.
	Audience string
	// Subject is its sub: who the token speaks for. Empty means "local-developer".
	Subject string
	// Scopes go into its scope claim, space-separated. Nil means none.
	Scopes []string
	// IssuedAt is its iat and nbf. Zero means now.
	IssuedAt time.Time
	// TTL is how long it is valid: exp is IssuedAt + TTL. Zero means an hour.
	TTL time.Duration
}

// Mint signs a development token with the key (RS256, with its kid), as an identity
// provider would sign an access token.
func (k *LocalKey) Mint(t Token) (string, error) {
	if t.Issuer == "" {
		t.Issuer = LocalIssuer
	}
	if t.Audience == "" {
		t.Audience = LocalAudience
	}
	if t.Subject == "" {
		t.Subject = "local-developer"
	}
	if t.IssuedAt.IsZero() {
		t.IssuedAt = time.Now()
	}
	if t.TTL == 0 {
		t.TTL = time.Hour
	}
	if t.TTL < 0 {
		return "", fmt.Errorf("token: TTL %v is negative", t.TTL)
	}
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{
		"iss":       t.Issuer,
		"aud":       t.Audience,
		"sub":       t.Subject,
		"iat":       t.IssuedAt.Unix(),
		"nbf":       t.IssuedAt.Unix(),
		"exp":       t.IssuedAt.Add(t.TTL).Unix(),
		"jti":       base64.RawURLEncoding.EncodeToString(jti[:]),
		"token_use": "access",
	}
	if len(t.Scopes) > 0 {
		claims["scope"] = strings.Join(t.Scopes, " ")
	}
	return k.Sign(claims)
}

// Sign signs any claims with the key (RS256, with its kid): for tests that need a token
// Mint would not make.
func (k *LocalKey) Sign(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.private},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
