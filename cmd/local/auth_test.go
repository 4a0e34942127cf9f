package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/localauth"
)

const readScope = "groundwork-api/inquiries.read"

// localStack is a stack file whose issuer is the local one.
const localStack = `config:
  aws:region: eu-west-1
  groundwork:platform:
    tier: staging
    auth:
      issuer: ` + localauth.LocalIssuer + `
      audiences: [groundwork-local, other]
      readScope: ` + readScope + `
`

// mint runs the token subcommand and returns the token it prints.
func mint(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut strings.Builder
	require.NoError(t, run(context.Background(), append([]string{"token"}, args...), &out, &errOut), "stderr: %s", errOut.String())
	tok := strings.TrimSpace(out.String())
	require.Equal(t, 2, strings.Count(tok, "."), "stdout is the token alone: %q", out.String())
	return tok
}

func get(t *testing.T, url, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func submit(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Post(url+"/v1/inquiries", "application/json",
		strings.NewReader(`{"name":"Ada Lovelace","email":"ada@example.com","company":"Engines","message":"Please call me."}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.NotEmpty(t, loc)
	return loc
}

// The token subcommand, end to end: a stack file with the local issuer makes the server
// check tokens, and the tokens the subcommand mints pass, for the scopes they carry.
func TestTokensEndToEnd(t *testing.T) {
	// Given a stack file with the local issuer, and the server started with it
	data := t.TempDir()
	stack := filepath.Join(t.TempDir(), "Pulumi.local.yaml")
	require.NoError(t, os.WriteFile(stack, []byte(localStack), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	url, stdout, done := startRun(t, ctx, data, "-stack", stack)
	defer func() { cancel(); require.NoError(t, <-done) }()
	assert.Contains(t, stdout.String(), "tokens   checked as "+stack+"'s JWT authorizer: issuer "+localauth.LocalIssuer, "the banner says tokens are checked")
	assert.Regexp(t, `GET\s+`+url+`/v1/inquiries/\{id\}\s+JWT with scope `+readScope, stdout.String())
	inquiry := url + submit(t, url)

	// When it is read without a token, then API Gateway's 401
	status, header, body := get(t, inquiry, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, `{"message":"Unauthorized"}`, body)
	assert.Equal(t, "Bearer", header.Get("Www-Authenticate"))

	// When it is read with a minted token that has the read scope, then it is served
	tok := mint(t, "-data", data, "-stack", stack, "-scope", readScope, "-sub", "dev-7", "-ttl", "10m")
	status, _, body = get(t, inquiry, tok)
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "ada@example.com")

	// When the token lacks the scope, then API Gateway's 403
	status, _, body = get(t, inquiry, mint(t, "-data", data, "-stack", stack, "-scope", "openid"))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, `{"message":"Forbidden"}`, body)

	// When the token is for another audience, then the documented 401
	status, header, _ = get(t, inquiry, mint(t, "-data", data, "-stack", stack, "-scope", readScope, "-aud", "someone-else"))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`, header.Get("Www-Authenticate"))

	// When it is signed by a key of another data directory, then it is refused
	status, _, _ = get(t, inquiry, mint(t, "-data", t.TempDir(), "-stack", stack, "-scope", readScope))
	assert.Equal(t, http.StatusUnauthorized, status, "only the server's key is trusted")

	// And the key is the owner's alone
	st, err := os.Stat(filepath.Join(data, localauth.KeyFile))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	}
}

// -issuer local lets a real stack's authorizer be tried locally: tokens carry the stack's
// issuer and audience and are signed by the local key.
func TestIssuerLocalWithARealStack(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	url, stdout, done := startRun(t, ctx, data, "-stack", "staging", "-issuer", "local")
	defer func() { cancel(); require.NoError(t, <-done) }()
	assert.Contains(t, stdout.String(), "stacks/Pulumi.staging.yaml's JWT authorizer: issuer https://auth.groundwork.dev/")
	inquiry := url + submit(t, url)

	status, _, body := get(t, inquiry, mint(t, "-data", data, "-stack", "staging", "-scope", readScope))
	assert.Equal(t, http.StatusOK, status, body)

	status, _, _ = get(t, inquiry, mint(t, "-data", data, "-scope", readScope))
	assert.Equal(t, http.StatusUnauthorized, status, "a token of the local issuer is not one of the stack's issuer")
}

func TestBannerSaysWhetherTokensAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags []string
		want  []string
	}{
		{"without -stack", nil, []string{"tokens   not checked: protected routes serve anyone", "JWT in AWS (not checked locally)"}},
		{"a stack with public reads", []string{"-stack", "dev"}, []string{
			"tokens   not checked: stacks/Pulumi.dev.yaml makes the protected routes public (auth.publicReads)",
			"public in this stack (auth.publicReads)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			url, stdout, done := startRun(t, ctx, t.TempDir(), tc.flags...)
			for _, w := range tc.want {
				assert.Contains(t, stdout.String(), w)
			}
			inquiry := url + submit(t, url)
			status, _, body := get(t, inquiry, "")
			assert.Equal(t, http.StatusOK, status, "protected routes serve anyone: %s", body)
			cancel()
			require.NoError(t, <-done)
		})
	}
}

func TestAuthFlagsRefused(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "Pulumi.qa.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("config:\n  aws:region: eu-west-1\n  groundwork:platform:\n    tier: staging\n    auth:\n      isuer: https://id.example.com/\n      audiences: api\n"), 0o644))
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no such stack", []string{"-stack", "nope"}, []string{"-stack nope: no stack file stacks/Pulumi.nope.yaml (the stacks are: dev, prod, staging)"}},
		{"no such file", []string{"-stack", "/no/such/Pulumi.x.yaml"}, []string{"-stack /no/such/Pulumi.x.yaml:", "no such file"}},
		{"a stack file with mistakes", []string{"-stack", bad}, []string{
			"-stack " + bad + ": the stack file has mistakes:",
			bad + ":6: groundwork:platform.auth.isuer: unknown key; did you mean issuer?",
			bad + ":7: groundwork:platform.auth.audiences: want a list, got a string"}},
		{"an issuer other than local", []string{"-stack", "staging", "-issuer", "https://id.example.com/"}, []string{`-issuer "https://id.example.com/": the one value is local`}},
		{"-issuer without -stack", []string{"-issuer", "local"}, []string{"-issuer local needs -stack"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			var out, errOut strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a regression that accepts the flags stops at once
			err := run(ctx, append([]string{"-addr", "127.0.0.1:0", "-data", data}, tc.args...), &out, &errOut)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, out.String(), "routes:", "nothing is served")
			assert.NoDirExists(t, data, "the data directory is not touched")
		})
	}
}

func TestTokenFlagsRefused(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"ttl 0", []string{"-ttl", "0s"}, "-ttl 0s is out of range: more than 0 and at most 24h0m0s"},
		{"ttl over a day", []string{"-ttl", "25h"}, "-ttl 25h0m0s is out of range"},
		{"empty subject", []string{"-sub", " "}, "-sub is empty"},
		{"a stack without an authorizer", []string{"-stack", "dev"}, "stacks/Pulumi.dev.yaml has no authorizer (auth.publicReads)"},
		{"a stray argument", []string{"extra"}, `unexpected arguments ["extra"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			var out, errOut strings.Builder
			err := run(context.Background(), append([]string{"token", "-data", data}, tc.args...), &out, &errOut)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, out.String(), "no token")
			assert.NoDirExists(t, data, "no key is made")
		})
	}
}
