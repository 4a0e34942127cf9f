package localauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/localauth"
)

// keyDir holds the keys the tests share.
var keyDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "localauth-test-")
	if err != nil {
		panic(err)
	}
	keyDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestTheKeyIsMadeOnceAndKeptPrivate(t *testing.T) {
	// Given no key file
	path := filepath.Join(t.TempDir(), "data", localauth.KeyFile)

	// When the key is asked for, then it is made, in a file only its owner reads
	k, err := localauth.LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.True(t, k.Created, "made on first use")
	st, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the private key is the owner's alone")
	}

	// And asked for again, it is the same key, read back
	again, err := localauth.LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, k.KeyID(), again.KeyID(), "the same key")
	tok, err := k.Mint(localauth.Token{})
	require.NoError(t, err)
	jws, err := jose.ParseSignedCompact(tok, localauth.Algorithms)
	require.NoError(t, err)
	_, err = jws.Verify(&again.Keys().Keys[0])
	assert.NoError(t, err, "a token of the first verifies with the second")
	assert.True(t, again.Keys().Keys[0].IsPublic(), "the key set holds the public half only")
}

// The server and the token command making the key at once end up with one key.
func TestConcurrentFirstUseMakesOneKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), localauth.KeyFile)
	var wg sync.WaitGroup
	kids := make([]string, 4)
	for i := range kids {
		wg.Go(func() {
			k, err := localauth.LoadOrCreateKey(path)
			if assert.NoError(t, err) {
				kids[i] = k.KeyID()
			}
		})
	}
	wg.Wait()
	for _, kid := range kids[1:] {
		assert.Equal(t, kids[0], kid, "every caller has the key in the file")
	}
	left, err := filepath.Glob(filepath.Join(filepath.Dir(path), ".token-signing-key-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file is left behind")
}

func TestAKeyFileOthersCanReadIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), localauth.KeyFile)
	_, err := localauth.LoadOrCreateKey(path)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(path, 0o644))
	_, err = localauth.LoadOrCreateKey(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "readable by others (mode 0644); chmod 600 it")
}

func TestADamagedKeyFileIsRefused(t *testing.T) {
	for name, text := range map[string]string{
		"not JSON":          "{",
		"a public key":      `{"kty":"RSA","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB","kid":"x"}`,
		"a key with no kid": `{"kty":"oct","k":"AAAA"}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), localauth.KeyFile)
			require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
			_, err := localauth.LoadOrCreateKey(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			assert.Contains(t, err.Error(), "delete it to make a new key")
			b, _ := os.ReadFile(path)
			assert.Equal(t, text, string(b), "the file is left as it was")
		})
	}
}

// issuerServer is an OpenID Connect issuer on 127.0.0.1 (TLS, as API Gateway requires):
// its discovery document names its key set, which serves the keys in keys.
type issuerServer struct {
	*httptest.Server
	mu        sync.Mutex
	keys      []jose.JSONWebKey
	discovery atomic.Int32
	jwks      atomic.Int32
	issuer    string // the issuer the discovery document claims; "" means the server's URL
}

func newIssuer(t *testing.T, keys ...jose.JSONWebKey) *issuerServer {
	t.Helper()
	s := &issuerServer{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.discovery.Add(1)
		iss := s.issuer
		if iss == "" {
			iss = s.URL
		}
		if err := json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": s.URL + "/keys"}); err != nil {
			t.Errorf("issuer: write the discovery document: %v", err)
		}
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		s.jwks.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		// An EC key the authorizer cannot use sits beside the RSA keys, as in real key sets.
		raw := []any{map[string]string{"kty": "EC", "crv": "P-256", "kid": "ec",
			"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}
		for _, k := range s.keys {
			raw = append(raw, k)
		}
		if err := json.NewEncoder(w).Encode(map[string]any{"keys": raw}); err != nil {
			t.Errorf("issuer: write the key set: %v", err)
		}
	})
	s.Server = httptest.NewTLSServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *issuerServer) setKeys(keys ...jose.JSONWebKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

// A real issuer's keys are found through its discovery document, cached, and fetched
// again for an unknown kid at most once a minute.
func TestRemoteKeys(t *testing.T) {
	k, o := keys(t)
	srv := newIssuer(t, k.Keys().Keys[0])
	clock := now
	remote, err := localauth.NewRemoteKeys(srv.URL, srv.Client(), func() time.Time { return clock })
	require.NoError(t, err)
	a, err := localauth.New(localauth.Config{Issuer: srv.URL, Audiences: []string{audience},
		Routes: map[string][]string{readKey: nil}, Keys: remote, Now: func() time.Time { return clock }})
	require.NoError(t, err)
	token := func(key *localauth.LocalKey) string {
		return "Bearer " + sign(t, key, claims(func(c map[string]any) {
			c["iss"] = srv.URL
			c["exp"] = clock.Add(time.Hour).Unix()
		}))
	}

	// A token of the issuer's key passes, and a second one uses the cached key set
	for range 2 {
		_, refusal := a.Authorize(context.Background(), readKey, token(k))
		require.Nil(t, refusal)
	}
	assert.Equal(t, int32(1), srv.discovery.Load(), "the discovery document is fetched once")
	assert.Equal(t, int32(1), srv.jwks.Load(), "the key set is fetched once")

	// A token of a key the issuer does not publish is refused, fetching nothing within the
	// minute of the last fetch
	_, refusal := a.Authorize(context.Background(), readKey, token(o))
	require.NotNil(t, refusal)
	assert.Equal(t, 401, refusal.Status)
	assert.Contains(t, refusal.Reason, "no key with this kid")
	assert.Equal(t, int32(1), srv.jwks.Load(), "no fetch within a minute of the last")

	// A minute later, an unknown kid fetches the key set again, once
	clock = clock.Add(localauth.MinRefresh)
	for range 2 {
		_, refusal := a.Authorize(context.Background(), readKey, token(o))
		require.NotNil(t, refusal)
		assert.Contains(t, refusal.Reason, "no key with this kid")
	}
	assert.Equal(t, int32(2), srv.jwks.Load(), "an unknown kid fetches the key set again, once")

	// When the issuer rotates to the other key, then after a minute its tokens pass
	srv.setKeys(o.Keys().Keys[0])
	clock = clock.Add(localauth.MinRefresh)
	_, refusal = a.Authorize(context.Background(), readKey, token(o))
	require.Nil(t, refusal, "the rotated key is fetched")
	assert.Equal(t, int32(3), srv.jwks.Load())
}

func TestRemoteKeysRefuseAnIssuerThatIsNotItself(t *testing.T) {
	k, _ := keys(t)
	srv := newIssuer(t, k.Keys().Keys[0])
	srv.issuer = "https://evil.example.com/"
	remote, err := localauth.NewRemoteKeys(srv.URL, srv.Client(), nil)
	require.NoError(t, err)
	_, err = remote.Key(context.Background(), k.KeyID())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `issuer "https://evil.example.com/" is not "`+srv.URL+`"`)
}

func TestRemoteKeysWantHTTPS(t *testing.T) {
	_, err := localauth.NewRemoteKeys("http://id.example.com/", nil, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not an https URL")
}

func TestAnUnreachableIssuerIsARefusalNotACrash(t *testing.T) {
	k, _ := keys(t)
	srv := newIssuer(t)
	url := srv.URL
	srv.Close()
	remote, err := localauth.NewRemoteKeys(url, nil, func() time.Time { return now })
	require.NoError(t, err)
	_, err = remote.Key(context.Background(), k.KeyID())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fetch the key set of "+url)
}
