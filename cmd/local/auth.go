package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/localauth"
	"github.com/groundwork-dev/groundwork/internal/platformconfig"
)

// authFlags are the flags that choose how the server checks tokens: -stack takes the
// protected routes' authorization from a stack file, as its JWT authorizer would in AWS;
// -issuer local trusts the local development key in place of the stack's issuer.
type authFlags struct {
	stack  string
	issuer string
}

func (f *authFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.stack, "stack", "", "check tokens on protected routes as this stack's JWT authorizer does: a stack name (dev, staging, prod: stacks/Pulumi.<name>.yaml) or a stack file's path")
	fs.StringVar(&f.issuer, "issuer", "", `"local": trust tokens signed by the local development key (go run ./cmd/local token) in place of the stack's issuer`)
}

// authMode is how the server checks tokens, for the server and its banner.
type authMode struct {
	stack  *platformconfig.Stack // nil without -stack
	file   string                // the stack file, as messages name it
	local  bool                  // the local key stands in for the issuer
	key    string                // the local key's file, when local
	authz  *localauth.Authorizer // nil when tokens are not checked
	remote bool                  // keys from the issuer's discovery document
}

// check validates the flags, reads and checks the stack file, and builds the authorizer:
// nothing is created (the key included) unless all of it is valid.
func (f *authFlags) check() (*platformconfig.Stack, string, error) {
	switch {
	case f.issuer != "" && f.issuer != "local":
		return nil, "", fmt.Errorf("-issuer %q: the one value is local (trust the local development key for the stack's issuer)", f.issuer)
	case f.issuer != "" && f.stack == "":
		return nil, "", errors.New("-issuer local needs -stack: the stack file says which issuer, audiences and scopes to check")
	case f.stack == "":
		return nil, "", nil
	}
	return readStack(f.stack, "-stack")
}

// mode builds the authorizer for a checked stack; the local key lives in the data directory.
func (f *authFlags) mode(st *platformconfig.Stack, file, dataDir string) (authMode, error) {
	m := authMode{stack: st, file: file}
	if st == nil || st.Platform.Auth.PublicReads {
		return m, nil
	}
	a := st.Platform.Auth
	routes := map[string][]string{}
	for _, rt := range httpapi.Routes {
		if !rt.Public {
			routes[rt.Key()] = a.Scopes(rt.Method)
		}
	}
	cfg := localauth.Config{Issuer: a.Issuer, Audiences: a.Audiences, Routes: routes}
	if f.issuer == "local" || a.Issuer == localauth.LocalIssuer {
		m.local, m.key = true, filepath.Join(dataDir, localauth.KeyFile)
		key, err := localauth.LoadOrCreateKey(m.key)
		if err != nil {
			return m, err
		}
		cfg.Keys = key.Keys()
	} else {
		remote, err := localauth.NewRemoteKeys(a.Issuer, nil, nil)
		if err != nil {
			return m, err
		}
		m.remote, cfg.Keys = true, remote
	}
	var err error
	m.authz, err = localauth.New(cfg)
	return m, err
}

// summary is the banner's line on tokens.
func (m authMode) summary() string {
	switch {
	case m.stack == nil:
		return "not checked: protected routes serve anyone (-stack NAME checks them as that stack's JWT authorizer does)"
	case m.authz == nil:
		return fmt.Sprintf("not checked: %s makes the protected routes public (auth.publicReads)", m.file)
	}
	a := m.stack.Platform.Auth
	from := "keys from the issuer's discovery document"
	if m.local {
		from = "tokens signed by the local key in " + m.key
		if a.Issuer != localauth.LocalIssuer {
			from += ", -issuer local"
		}
	}
	mint := "go run ./cmd/local token -stack " + m.flagValue()
	if a.ReadScope != "" {
		mint += " -scope " + a.ReadScope
	}
	s := fmt.Sprintf("checked as %s's JWT authorizer: issuer %s (%s), audiences %s", m.file, a.Issuer, from, strings.Join(a.Audiences, ", "))
	if m.local {
		s += "; a token: " + mint
	}
	return s
}

// flagValue is the -stack value that names this stack again.
func (m authMode) flagValue() string {
	if m.file == "stacks/Pulumi."+m.stack.Name+".yaml" {
		return m.stack.Name
	}
	return m.file
}

// route is the banner's word on a route's authorization.
func (m authMode) route(rt httpapi.Route) string {
	switch {
	case rt.Public:
		return "public"
	case m.stack == nil:
		return "JWT in AWS (not checked locally)"
	case m.authz == nil:
		return "public in this stack (auth.publicReads)"
	}
	if scopes := m.stack.Platform.Auth.Scopes(rt.Method); len(scopes) > 0 {
		return "JWT with scope " + strings.Join(scopes, " or ")
	}
	return "JWT"
}

// readStack finds and checks a stack file: a name is stacks/Pulumi.<name>.yaml in the
// project (found from the working directory up, as Pulumi finds it); anything with a path
// separator or a .yaml suffix is a file. flagName names the flag in errors.
func readStack(arg, flagName string) (*platformconfig.Stack, string, error) {
	path, display, err := stackPath(arg)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", flagName, arg, err)
	}
	in, err := platformconfig.ReadStackFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", flagName, arg, err)
	}
	in.File = display
	st, err := platformconfig.Check(in)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: the stack file has mistakes:\n%w", flagName, arg, err)
	}
	return st, in.File, nil
}

// stackPath resolves -stack's value to a file, and the name messages give it: a stack's
// file relative to the project root (stacks/Pulumi.dev.yaml, as the stack program's own
// errors name it), a path as given.
func stackPath(arg string) (path, display string, err error) {
	if strings.ContainsRune(arg, '/') || strings.ContainsRune(arg, filepath.Separator) || strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") {
		if _, err := os.Stat(arg); err != nil {
			return "", "", err
		}
		return arg, arg, nil
	}
	root, dir, err := projectStacks()
	if err != nil {
		return "", "", err
	}
	rel := filepath.Join(dir, "Pulumi."+arg+".yaml")
	path = filepath.Join(root, rel)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		names, _ := filepath.Glob(filepath.Join(root, dir, "Pulumi.*.yaml"))
		var stacks []string
		for _, n := range names {
			stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), "Pulumi."), ".yaml"))
		}
		return "", "", fmt.Errorf("no stack file %s (the stacks are: %s)", filepath.ToSlash(rel), strings.Join(stacks, ", "))
	} else if err != nil {
		return "", "", err
	}
	return path, filepath.ToSlash(rel), nil
}

// projectStacks finds the project (the nearest Pulumi.yaml at or above the working
// directory) and its stackConfigDir.
func projectStacks() (root, stackDir string, err error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for {
		text, err := os.ReadFile(filepath.Join(dir, "Pulumi.yaml"))
		if err == nil {
			var p struct {
				StackConfigDir string `yaml:"stackConfigDir"`
			}
			if err := yaml.Unmarshal(text, &p); err != nil {
				return "", "", fmt.Errorf("%s: %w", filepath.Join(dir, "Pulumi.yaml"), err)
			}
			return dir, p.StackConfigDir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("no Pulumi.yaml here or above: run from the project, or give the stack file's path")
		}
		dir = parent
	}
}
