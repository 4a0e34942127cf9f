package localauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// ErrUnknownKey is wrapped by a KeySource's error for a key id its issuer has no key for.
var ErrUnknownKey = errors.New("no key with this kid in the issuer's key set")

// KeySource gives an issuer's public signing keys.
type KeySource interface {
	// Key returns the public key with this key id, or an error (wrapping ErrUnknownKey when
	// the issuer's key set has none).
	Key(ctx context.Context, kid string) (*jose.JSONWebKey, error)
}

// StaticKeys is a key set known in advance: the local development key's.
type StaticKeys jose.JSONWebKeySet

// Key returns the set's key with this id.
func (s StaticKeys) Key(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	set := jose.JSONWebKeySet(s)
	if keys := set.Key(kid); len(keys) > 0 {
		return &keys[0], nil
	}
	return nil, fmt.Errorf("kid %q: %w", kid, ErrUnknownKey)
}

// Bounds of the remote key set's fetching.
const (
	// MinRefresh is the least time between two fetches of an issuer's key set: a token
	// whose kid is unknown makes the key set be fetched again (the issuer may have rotated
	// its keys), but a stream of such tokens does not make a fetch each.
	MinRefresh = time.Minute
	// MaxKeySetBytes bounds a discovery document or key set read from the network.
	MaxKeySetBytes = 1 << 20
)

// RemoteKeys is a real issuer's key set, found as API Gateway finds it: the issuer's OpenID
// Connect discovery document (issuer + "/.well-known/openid-configuration") names its
// jwks_uri, and that is fetched. Both are fetched at the first token and cached; an unknown
// kid fetches them again, at most once per MinRefresh. It is safe for concurrent use.
type RemoteKeys struct {
	issuer string
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	keys    jose.JSONWebKeySet
	fetched time.Time // zero: never fetched successfully
	tried   time.Time // the last fetch, successful or not
	lastErr error
}

// NewRemoteKeys returns the key set of an https issuer, fetched with client (nil means a
// client with a 10s timeout) and refreshed by the clock now (nil means time.Now).
func NewRemoteKeys(issuer string, client *http.Client, now func() time.Time) (*RemoteKeys, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("localauth: issuer %q is not an https URL", issuer)
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &RemoteKeys{issuer: issuer, client: client, now: now}, nil
}

// Key returns the issuer's key with this id, fetching the key set when it has not been yet,
// or when the id is unknown and the last fetch is older than MinRefresh.
func (r *RemoteKeys) Key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if keys := r.keys.Key(kid); len(keys) > 0 {
		return &keys[0], nil
	}
	now := r.now()
	if r.tried.IsZero() || now.Sub(r.tried) >= MinRefresh {
		r.tried = now
		keys, err := r.fetch(ctx)
		r.lastErr = err
		if err == nil {
			r.keys, r.fetched = keys, now
		}
	}
	if keys := r.keys.Key(kid); len(keys) > 0 {
		return &keys[0], nil
	}
	if r.fetched.IsZero() {
		return nil, fmt.Errorf("fetch the key set of %s: %w", r.issuer, r.lastErr)
	}
	return nil, fmt.Errorf("kid %q (key set of %s, fetched %v): %w", kid, r.issuer, r.fetched.UTC().Format(time.RFC3339), ErrUnknownKey)
}

// fetch reads the discovery document and the key set it names. Keys of types go-jose does
// not read are left out, as they could not verify an RSA signature anyway.
func (r *RemoteKeys) fetch(ctx context.Context) (jose.JSONWebKeySet, error) {
	var discovery struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	discoveryURL := strings.TrimSuffix(r.issuer, "/") + "/.well-known/openid-configuration"
	if err := r.getJSON(ctx, discoveryURL, &discovery); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	// OpenID Connect Discovery 1.0 §4.3: the document's issuer is the issuer it was asked of.
	if discovery.Issuer != r.issuer {
		return jose.JSONWebKeySet{}, fmt.Errorf("%s: issuer %q is not %q", discoveryURL, discovery.Issuer, r.issuer)
	}
	if u, err := url.Parse(discovery.JWKSURI); err != nil || u.Scheme != "https" || u.Host == "" {
		return jose.JSONWebKeySet{}, fmt.Errorf("%s: jwks_uri %q is not an https URL", discoveryURL, discovery.JWKSURI)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := r.getJSON(ctx, discovery.JWKSURI, &raw); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	var set jose.JSONWebKeySet
	for _, k := range raw.Keys {
		var key jose.JSONWebKey
		if key.UnmarshalJSON(k) == nil && key.Valid() && key.IsPublic() {
			set.Keys = append(set.Keys, key)
		}
	}
	return set, nil
}

func (r *RemoteKeys) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxKeySetBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > MaxKeySetBytes {
		return fmt.Errorf("GET %s: more than %d bytes", u, MaxKeySetBytes)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}
