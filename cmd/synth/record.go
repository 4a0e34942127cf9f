package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/internal/plan"
)

// stackTypeToken is the root stack resource's type; the plan leaves it out.
const stackTypeToken = "pulumi:pulumi:Stack" //nolint:gosec // G101: a Pulumi type token, not a credential

// converter turns recorded resources into plan resources: secrets masked, archives by their
// content rather than their path (the path is under the checkout directory), providers by
// URN (their id is the mock's).
type converter struct {
	root    string
	secrets map[string]bool // plaintext of every secret seen, to mask in messages
}

// planResources converts a recording, sorted by URN.
func (c *converter) planResources(recorded []componenttest.Resource) []plan.Resource {
	out := make([]plan.Resource, 0, len(recorded))
	for _, r := range recorded {
		if r.Type == stackTypeToken {
			continue
		}
		c.collectSecrets(resource.NewObjectProperty(r.Outputs), false)
		pr := plan.Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Custom: r.Custom,
			Protect: r.Protect, DeleteBeforeReplace: r.DeleteBeforeReplace, RetainOnDelete: r.RetainOnDelete,
			PhysicalName: r.PhysicalName, ID: r.ID,
			Aliases: sortedCopy(r.Aliases),
		}
		if p := resource.URN(r.Parent); p != "" && p.QualifiedType() != resource.RootStackType {
			pr.Parent = r.Parent
		}
		if r.Provider != "" {
			pr.Provider = r.Provider
			if i := strings.LastIndex(r.Provider, "::"); i > 0 {
				pr.Provider = r.Provider[:i] // "<urn>::<id>": the id is the mock's
			}
		}
		deps := slices.Clone(r.DependsOn)
		for _, urns := range r.PropertyDependencies {
			deps = append(deps, urns...)
		}
		deps = slices.DeleteFunc(sortedCopy(deps), func(u string) bool { return u == r.URN })
		if len(deps) > 0 {
			pr.Dependencies = deps
		}
		if len(r.Inputs) > 0 {
			pr.Inputs = c.value(resource.NewObjectProperty(r.Inputs)).(map[string]any)
		}
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// value turns a property value into a JSON value with secrets masked.
func (c *converter) value(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		c.collectSecrets(v.SecretValue().Element, true)
		return plan.Secret
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			c.collectSecrets(o.Element, true)
			return plan.Secret
		}
		if !o.Known {
			return plan.Unknown
		}
		return c.value(o.Element)
	case v.IsComputed():
		return plan.Unknown
	case v.IsObject():
		m := v.ObjectValue()
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[string(k)] = c.value(e)
		}
		return out
	case v.IsArray():
		a := v.ArrayValue()
		out := make([]any, len(a))
		for i, e := range a {
			out[i] = c.value(e)
		}
		return out
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsArchive():
		a := v.ArchiveValue()
		switch {
		case a.Path != "":
			return map[string]any{"archive": c.file(a.Path)}
		case a.URI != "":
			return map[string]any{"archive": a.URI}
		}
		assets := map[string]any{}
		for k, e := range a.Assets {
			switch x := e.(type) {
			case *asset.Asset:
				assets[k] = c.value(resource.NewAssetProperty(x))
			case *archive.Archive:
				assets[k] = c.value(resource.NewArchiveProperty(x))
			}
		}
		return map[string]any{"archive": assets}
	case v.IsAsset():
		a := v.AssetValue()
		switch {
		case a.Path != "":
			return map[string]any{"asset": c.file(a.Path)}
		case a.URI != "":
			return map[string]any{"asset": a.URI}
		}
		sum := sha256.Sum256([]byte(a.Text))
		return map[string]any{"asset": "sha256:" + hex.EncodeToString(sum[:])}
	case v.IsNull():
		return nil
	}
	return v.V
}

// file describes a code file by its name and content hash ("sha256": the hex SHA-256, or its
// first 16 digits for a zip function.Build wrote, whose name carries them): the same code
// gives the same description in any checkout, and other code another one. The path itself
// (under the checkout) never reaches the plan.
func (c *converter) file(path string) map[string]any {
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.root, path)
	}
	if sum, ok := builtZipHash(c.root, path); ok {
		return map[string]any{"file": filepath.Base(path), "sha256": sum}
	}
	return map[string]any{"file": filepath.Base(path), "sha256": fileHash(path)}
}

// builtZip is the name function.Build gives a zip it writes under .groundwork/build: the
// package's slug and the first 8 bytes of the zip's SHA-256, in hex.
var builtZip = regexp.MustCompile(`^[a-z0-9-]+-([0-9a-f]{16})\.zip$`)

// builtZipHash returns the SHA-256 prefix a zip that function.Build wrote carries in its
// name: the name is the content's address, so synth need not read 4 MB a function (about
// 5 ms each) to know the code did not change. Any other archive is hashed.
func builtZipHash(root, path string) (string, bool) {
	if filepath.Dir(path) != filepath.Join(root, ".groundwork", "build") {
		return "", false
	}
	m := builtZip.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return "", false
	}
	return m[1], true
}

var fileHashes sync.Map // path -> func() string

// fileHash is the SHA-256 of a file (the hash Pulumi takes of a .zip archive), once per
// process per path: the stacks share their functions' zips.
func fileHash(path string) string {
	f, _ := fileHashes.LoadOrStore(path, sync.OnceValue(func() string {
		fh, err := os.Open(path)
		if err != nil {
			return "missing"
		}
		defer fh.Close()
		h := sha256.New()
		if _, err := io.Copy(h, fh); err != nil {
			return "unreadable"
		}
		return hex.EncodeToString(h.Sum(nil))
	}))
	return f.(func() string)()
}

// collectSecrets remembers the strings inside a secret value (or every secret inside a
// value), so that messages quoting them can be masked.
func (c *converter) collectSecrets(v resource.PropertyValue, secret bool) {
	switch {
	case v.IsSecret():
		c.collectSecrets(v.SecretValue().Element, true)
	case v.IsOutput():
		c.collectSecrets(v.OutputValue().Element, secret || v.OutputValue().Secret)
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			c.collectSecrets(e, secret)
		}
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			c.collectSecrets(e, secret)
		}
	case v.IsString() && secret && v.StringValue() != "":
		if c.secrets == nil {
			c.secrets = map[string]bool{}
		}
		c.secrets[v.StringValue()] = true
	}
}

// mask replaces every secret's plaintext in s.
func (c *converter) mask(s string) string {
	if len(c.secrets) == 0 {
		return s
	}
	// Longest first, so a secret that contains another is masked whole.
	keys := make([]string, 0, len(c.secrets))
	for k := range c.secrets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, plan.Secret)
	}
	return s
}

// baseline converts a policy report, secrets masked.
func (c *converter) baseline(rep policy.Report) plan.Baseline {
	b := plan.Baseline{Violations: []plan.Finding{}, Suppressed: []plan.Finding{}, Unused: []plan.Suppression{}}
	for _, v := range rep.Violations {
		b.Violations = append(b.Violations, plan.Finding{Rule: v.Rule, Severity: string(v.Severity), Resource: v.Resource, Message: c.mask(v.Message)})
	}
	for _, v := range rep.Suppressed {
		b.Suppressed = append(b.Suppressed, plan.Finding{Rule: v.Rule, Severity: string(v.Severity), Resource: v.Resource, Message: c.mask(v.Message), Reason: v.Suppression})
	}
	for _, s := range rep.Unused {
		b.Unused = append(b.Unused, plan.Suppression{Rule: s.Rule, Resource: s.Resource, Reason: s.Reason})
	}
	return b
}
