package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/groundwork-dev/groundwork/internal/localauth"
)

// maxTokenTTL bounds -ttl: a development token is for a working day, not for keeps.
const maxTokenTTL = 24 * time.Hour

// token is `go run ./cmd/local token -scope ... [-sub ...] [-ttl ...] [-stack ...]`: it
// prints a development token signed by the local key in the data directory (made on first
// use), which the local server trusts for a stack whose issuer is the local one, or for any
// stack with -issuer local.
func token(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("local token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/local token [-stack NAME|FILE] -scope SCOPE... [-sub SUBJECT] [-ttl DURATION] [-aud AUDIENCE] [-data DIR]\n\n"+
			"Prints a development token (a JWT signed by the local key in the data directory) for\n"+
			"   curl -H \"Authorization: Bearer $(go run ./cmd/local token -stack staging -scope ...)\"\n"+
			"against go run ./cmd/local -stack staging -issuer local. With -stack, its iss and aud are\n"+
			"the stack's issuer and first audience; without, "+localauth.LocalIssuer+" and "+localauth.LocalAudience+".")
		fs.PrintDefaults()
	}
	var scopes []string
	fs.Func("scope", "an OAuth scope the token carries; repeat it, or give several separated by spaces", func(s string) error {
		scopes = append(scopes, strings.Fields(s)...)
		return nil
	})
	stack := fs.String("stack", "", "the stack whose authorizer the token is for (its issuer and first audience)")
	sub := fs.String("sub", "local-developer", "the token's subject (sub)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid (at most 24h)")
	aud := fs.String("aud", "", "the token's audience (aud); empty means the stack's first audience")
	data := fs.String("data", ".groundwork/local", "data directory, where the signing key is kept")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token: unexpected arguments %q", fs.Args())
	}
	var errs []error
	if *ttl <= 0 || *ttl > maxTokenTTL {
		errs = append(errs, fmt.Errorf("token: -ttl %v is out of range: more than 0 and at most %v", *ttl, maxTokenTTL))
	}
	if strings.TrimSpace(*sub) == "" {
		errs = append(errs, errors.New("token: -sub is empty"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	t := localauth.Token{Subject: *sub, Scopes: scopes, TTL: *ttl, Audience: *aud}
	if *stack != "" {
		st, file, err := readStack(*stack, "token: -stack")
		if err != nil {
			return err
		}
		a := st.Platform.Auth
		if a.PublicReads {
			return fmt.Errorf("token: -stack %s: %s has no authorizer (auth.publicReads): its protected routes take no token", *stack, file)
		}
		t.Issuer = a.Issuer
		if t.Audience == "" {
			t.Audience = a.Audiences[0]
		}
		if a.Issuer != localauth.LocalIssuer {
			fmt.Fprintf(stderr, "note: %s's issuer is %s; the server trusts this token with -stack %s -issuer local\n", file, a.Issuer, *stack)
		}
		if r := a.ReadScope; r != "" && !slices.Contains(scopes, r) {
			fmt.Fprintf(stderr, "note: without -scope %s, this token cannot read inquiries (403)\n", r)
		}
	}
	key, err := localauth.LoadOrCreateKey(filepath.Join(*data, localauth.KeyFile))
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	if key.Created {
		fmt.Fprintf(stderr, "made a signing key: %s\n", key.Path)
	}
	tok, err := key.Mint(t)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}
