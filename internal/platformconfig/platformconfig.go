// Package platformconfig is the typed config of one Groundwork stack (the object under
// groundwork:platform in stacks/Pulumi.<stack>.yaml) and its strict checking, without
// Pulumi: the stack program (stacks) and the local server (cmd/local) read a stack file
// through the same decoder, so a mistake in it is the same message in both.
//
// Check reports every mistake at once, one message each, in the order of the file: a key
// that is not known (with the known key it most resembles), a value of the wrong kind (in
// YAML's words: a list, a mapping, a number), a value out of its range. A mistake is not
// reported twice: a key that is missing because it was misspelt is reported as the
// misspelling, and a value of the wrong kind is not also checked for its range. Given the
// stack file's YAML, each message names the line.
package platformconfig

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Key is the one structured config key of a stack: an object decoded strictly into
// PlatformConfig.
const Key = "groundwork:platform"

// Project is the Pulumi project whose config namespace Key is in: every key of this
// namespace other than Key is a mistake.
const Project = "groundwork"

// RegionKey is the AWS provider's region, which every stack names.
const RegionKey = "aws:region"

// Tier is the kind of environment a stack is; it decides the defaults.
type Tier string

// The tiers.
const (
	Dev     Tier = "dev"
	Staging Tier = "staging"
	Prod    Tier = "prod"
)

// Tiers are the tiers, in order.
var Tiers = []Tier{Dev, Staging, Prod}

// PlatformConfig is the typed config of one stack (the object under groundwork:platform in
// stacks/Pulumi.<stack>.yaml). Unknown keys and wrong types are errors.
type PlatformConfig struct {
	// Tier is dev, staging or prod. Empty means the stack's name, when that is a tier.
	Tier Tier `json:"tier"`
	// Owner is the team that owns the stack, put in the owner tag. Empty means no tag.
	Owner string `json:"owner"`
	// CostCenter goes into the cost-center tag. Empty means no tag.
	CostCenter string `json:"costCenter"`
	// LogRetentionDays overrides the tier's log retention (dev 7, staging 30, prod 365); it
	// must be a value CloudWatch Logs accepts (Rules.LogRetention). Zero means the tier's.
	LogRetentionDays int `json:"logRetentionDays"`
	// AccountID is the only AWS account the provider may deploy to, 12 digits. Empty means
	// any.
	AccountID string `json:"accountId"`
	// Auth configures the JWT authorizer of the API's protected routes.
	Auth Auth `json:"auth"`
	// AlarmEmail is subscribed to the stack's alarm topic. Empty means no subscription.
	AlarmEmail string `json:"alarmEmail"`
}

// Auth is the JWT authorizer's config.
type Auth struct {
	// Issuer is the token issuer URL (https). Required unless PublicReads.
	Issuer string `json:"issuer"`
	// Audiences are the accepted token audiences. Required with Issuer.
	Audiences []string `json:"audiences"`
	// PublicReads makes the protected routes public: no authorizer at all. Only a stack file
	// that says so gets it, and never a prod stack.
	PublicReads bool `json:"publicReads"`
	// ReadScope is the OAuth scope a token needs to read an inquiry: the authorizationScopes
	// of the protected GET routes, so a token the issuer minted for another purpose (or an
	// ID token) does not read personal data. An RFC 6749 scope-token, such as
	// "groundwork-api/inquiries.read". Required in prod; empty elsewhere means any token of
	// the issuer and audiences reads; never with PublicReads.
	ReadScope string `json:"readScope"`
}

// Scopes returns the OAuth scopes a token needs on a protected route of this method: the
// read scope on GET routes, when the stack names one; nil (any token of the issuer and
// audiences) otherwise.
func (a Auth) Scopes(method string) []string {
	if method == "GET" && a.ReadScope != "" {
		return []string{a.ReadScope}
	}
	return nil
}

// Rules are the value checks whose rules belong to the code that uses the values (the
// components, which this package, being free of Pulumi, cannot import): the stack program
// passes the components' own checks, so each rule is written once.
type Rules struct {
	// LogRetention checks a non-zero logRetentionDays. Nil means it is not checked here.
	LogRetention func(days int) error
	// Scope checks a non-empty auth.readScope. Nil means it is not checked here.
	Scope func(scope string) error
}

// Input is a stack's config as Pulumi flattens it, and where it came from.
type Input struct {
	// Stack is the stack's name; a tier's name also sets the tier when the file names none.
	Stack string
	// File names the stack file in messages, such as "stacks/Pulumi.dev.yaml".
	File string
	// Values holds the stack's config, "namespace:key" -> value, objects and lists as JSON,
	// as the Pulumi CLI and the SDK's workspace package give it. A key without a namespace
	// is in Project's.
	Values map[string]string
	// YAML is the stack file's text, which only lends its line numbers to the messages;
	// they are given only when the file holds the Values' groundwork:platform object. Nil
	// means no line numbers.
	YAML []byte
	// Rules are the checks of values whose rules belong elsewhere.
	Rules Rules
}

// Stack is a stack's checked config.
type Stack struct {
	// Name is the stack's name; File its file, as Input.File.
	Name, File string
	// Platform is the groundwork:platform object, its Tier set (from the stack's name when
	// the file names none).
	Platform PlatformConfig
	// Region is aws:region.
	Region string
}

// Problem is one mistake in a stack's config.
type Problem struct {
	// Key is the config key: "groundwork:platform.auth.audiences[0]", "aws:region".
	Key string
	// Line is the key's line in the stack file, or 0 when not known.
	Line int
	// Message says what is wrong and, where it can, how to put it right.
	Message string

	path []string // Key's segments, for finding the line: "groundwork:platform", "auth", "[0]"
}

// Error is every mistake in a stack's config, one Problem each.
type Error struct {
	// File is the stack file, as Input.File.
	File     string
	Problems []Problem
}

// Error returns one line per problem: "stacks/Pulumi.qa.yaml:12: groundwork:platform.auth:
// ...", without ":12" where the line is not known.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		fmt.Fprintf(&b, ": %s: %s", p.Key, p.Message)
	}
	return b.String()
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Check decodes and checks a stack's config strictly and reports every mistake in it (an
// *Error), or returns the checked config.
func Check(in Input) (*Stack, error) {
	c := &checker{}
	values := normalize(in.Values)
	st := &Stack{Name: in.Stack, File: in.File}

	var unknownTop []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if strings.HasPrefix(k, Project+":") && k != Key {
			unknownTop = append(unknownTop, k)
		}
	}
	for _, k := range unknownTop {
		c.add([]string{k}, "%s", topLevelHint(k))
	}
	raw, ok := values[Key]
	switch {
	case !ok && len(unknownTop) == 0:
		c.add([]string{Key}, "missing; it holds the stack's settings (tier, owner, auth, ...)")
	case ok:
		c.decode([]byte(raw), &st.Platform)
	}
	if ok {
		c.validate(in, &st.Platform)
	}
	st.Region = values[RegionKey]
	if st.Region == "" {
		c.add([]string{RegionKey}, "missing; every stack names its region (such as %s: eu-west-1)", RegionKey)
	}
	if len(c.problems) == 0 {
		return st, nil
	}
	if len(in.YAML) > 0 {
		locate(in.YAML, raw, c.problems)
	}
	slices.SortStableFunc(c.problems, func(a, b Problem) int {
		switch {
		case a.Line == b.Line:
			return 0
		case a.Line == 0:
			return 1
		case b.Line == 0:
			return -1
		}
		return a.Line - b.Line
	})
	return nil, &Error{File: in.File, Problems: c.problems}
}

// normalize puts keys without a namespace into the project's, as Pulumi does.
func normalize(values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		if !strings.Contains(k, ":") {
			k = Project + ":" + k
		}
		out[k] = v
	}
	return out
}

// topLevelHint is the message for a key of the project's namespace other than Key.
func topLevelHint(key string) string {
	name := strings.TrimPrefix(key, Project+":")
	msg := "unknown key; the settings go under " + Key
	if f, ok := fieldNamed(typeOfPlatform, name); ok {
		return msg + fmt.Sprintf(", as %s.%s (indent %s: under %s:)", Key, f, f, Key)
	}
	if s := closest(name, []string{strings.TrimPrefix(Key, Project+":")}); s != "" {
		return fmt.Sprintf("unknown key; did you mean %s? The settings go under it", Key)
	}
	return msg
}

// validate checks the decoded config's values, skipping fields whose kind was wrong and
// leaving out a "missing" that an unknown key of the same mapping explains.
func (c *checker) validate(in Input, p *PlatformConfig) {
	key := func(path ...string) []string { return append([]string{Key}, path...) }
	if p.Tier == "" && slices.Contains(Tiers, Tier(in.Stack)) && !c.bad(key("tier")) {
		p.Tier = Tier(in.Stack)
	}
	switch {
	case c.bad(key("tier")):
	case p.Tier == "" && c.misspelt(key("tier")):
	case p.Tier == "":
		c.add(key("tier"), "missing; the stack %q is not named after a tier, so name its tier: dev, staging or prod", in.Stack)
	case !slices.Contains(Tiers, p.Tier):
		c.add(key("tier"), "%q is not dev, staging or prod", p.Tier)
	}
	if p.LogRetentionDays != 0 && in.Rules.LogRetention != nil && !c.bad(key("logRetentionDays")) {
		if err := in.Rules.LogRetention(p.LogRetentionDays); err != nil {
			c.add(key("logRetentionDays"), "%v", err)
		}
	}
	if p.AccountID != "" && !c.bad(key("accountId")) && !accountPattern.MatchString(p.AccountID) {
		c.add(key("accountId"), "%q is not a 12-digit AWS account id", p.AccountID)
	}
	c.validateAuth(in, p)
	if e := p.AlarmEmail; e != "" && !c.bad(key("alarmEmail")) {
		if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e {
			c.add(key("alarmEmail"), "%q is not an email address", e)
		}
	}
}

func (c *checker) validateAuth(in Input, p *PlatformConfig) {
	key := func(path ...string) []string { return append([]string{Key, "auth"}, path...) }
	if c.bad([]string{Key, "auth"}) {
		return
	}
	a := p.Auth
	prod := p.Tier == Prod
	switch {
	case c.bad(key("publicReads")) || c.bad(key("issuer")):
	case a.PublicReads && prod:
		c.add(key("publicReads"), "a prod stack may not make protected routes public")
	case a.PublicReads && a.Issuer != "":
		c.add([]string{Key, "auth"}, "set either issuer (and audiences) or publicReads, not both")
	case !a.PublicReads && a.Issuer == "" && c.misspelt(key("issuer")):
	case !a.PublicReads && a.Issuer == "":
		c.add(key("issuer"), "missing; protected routes need a JWT issuer and its audiences (or, outside prod, auth.publicReads: true)")
	}
	if a.Issuer != "" && !c.bad(key("issuer")) {
		if u, err := url.Parse(a.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
			c.add(key("issuer"), "%q is not an https URL; API Gateway accepts only https issuers", a.Issuer)
		}
	}
	switch {
	case c.bad(key("audiences")) || a.PublicReads:
	case len(a.Audiences) == 0 && a.Issuer != "" && !c.misspelt(key("audiences")):
		c.add(key("audiences"), "missing; name the audiences the API accepts (a list)")
	default:
		for i, aud := range a.Audiences {
			if strings.TrimSpace(aud) == "" {
				c.add(key("audiences", fmt.Sprintf("[%d]", i)), "is empty")
			}
		}
	}
	switch {
	case c.bad(key("readScope")):
	case a.ReadScope != "" && a.PublicReads:
		c.add(key("readScope"), "set with publicReads, which has no authorizer to check a scope; set issuer instead, or drop readScope")
	case a.ReadScope != "":
		if in.Rules.Scope != nil {
			if err := in.Rules.Scope(a.ReadScope); err != nil {
				c.add(key("readScope"), "%v", err)
			}
		}
	case prod && a.Issuer != "" && !c.misspelt(key("readScope")):
		c.add(key("readScope"), "missing; a prod stack names the OAuth scope a token needs to read an inquiry (such as groundwork-api/inquiries.read)")
	}
}

// checker collects the problems of one stack's config.
type checker struct {
	problems []Problem
	badPaths map[string]bool // keys whose value had the wrong kind, and was not decoded
	unknown  map[string][]string
}

func (c *checker) add(path []string, format string, args ...any) {
	c.problems = append(c.problems, Problem{Key: joinPath(path), Message: fmt.Sprintf(format, args...), path: path})
}

// bad reports whether the value at path (or a mapping holding it) was of the wrong kind.
func (c *checker) bad(path []string) bool {
	for i := len(path); i > 0; i-- {
		if c.badPaths[joinPath(path[:i])] {
			return true
		}
	}
	return false
}

// misspelt reports whether the mapping holding path has an unknown key that resembles
// path's last segment: the key is missing because it was misspelt, which is reported once,
// as the unknown key.
func (c *checker) misspelt(path []string) bool {
	name := path[len(path)-1]
	for _, u := range c.unknown[joinPath(path[:len(path)-1])] {
		if closest(u, []string{name}) != "" {
			return true
		}
	}
	return false
}

// joinPath writes a key's segments as messages name it: dots between names, list indexes
// in brackets.
func joinPath(path []string) string {
	var b strings.Builder
	for i, s := range path {
		if i > 0 && !strings.HasPrefix(s, "[") {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// closest returns the candidate that name most resembles, when it is close enough to be a
// likely misspelling (the same letters in another case, or at most two edits for a name of
// five letters or more, one for a shorter one), or "".
func closest(name string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
		limit := 1
		if len(c) >= 5 {
			limit = 2
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d <= limit && d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ErrNotStackFile is wrapped by the errors of ReadStackFile for a file that is not a stack
// file at all.
var ErrNotStackFile = errors.New("not a Pulumi stack file")
