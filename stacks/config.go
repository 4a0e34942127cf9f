package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/function"
)

// day is the unit of log retention in the stack files.
const day = 24 * time.Hour

// ConfigKey is the one structured config key the program reads: an object decoded strictly
// into PlatformConfig.
const ConfigKey = "groundwork:platform"

// StackConfigDir is where the stack files live, as Pulumi.yaml says.
const StackConfigDir = "stacks"

// Tier is the kind of environment a stack is; it decides the defaults.
type Tier string

// The tiers.
const (
	Dev     Tier = "dev"
	Staging Tier = "staging"
	Prod    Tier = "prod"
)

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
	// must be a value CloudWatch Logs accepts. Zero means the tier's.
	LogRetentionDays int `json:"logRetentionDays"`
	// AccountID is the only AWS account the provider may deploy to. Empty means any.
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

// Settings is what the program decides from a stack's config: the tier's defaults with the
// stack's overrides applied.
type Settings struct {
	PlatformConfig
	// Region is aws:region.
	Region string
	// LogRetention is the effective retention of every log group.
	LogRetention time.Duration
	// Protect marks stateful resources (tables, buckets) protected: prod only.
	Protect bool
	// AllowTableDeletion turns table deletion protection off: dev only.
	AllowTableDeletion bool
	// ForceDestroyBuckets lets `pulumi destroy` empty buckets: dev only, never prod.
	ForceDestroyBuckets bool
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// tierDefaults returns the defaults of a tier.
func tierDefaults(t Tier) Settings {
	switch t {
	case Prod:
		return Settings{LogRetention: 365 * day, Protect: true}
	case Staging:
		return Settings{LogRetention: 30 * day}
	default:
		return Settings{LogRetention: 7 * day, AllowTableDeletion: true, ForceDestroyBuckets: true}
	}
}

// StackFile is the path, relative to the project root, of a stack's config file: what errors
// about config name.
func StackFile(stack string) string { return StackConfigDir + "/Pulumi." + stack + ".yaml" }

// LoadSettings reads and checks the stack's config. Every error names the stack file and the
// key. When the Pulumi CLI runs the program, it also refuses keys in the project's namespace
// other than groundwork:platform (a mistyped top-level key would otherwise be ignored).
func LoadSettings(ctx *pulumi.Context) (*Settings, error) {
	values := map[string]string{}
	if env := os.Getenv(pulumi.EnvConfig); env != "" {
		// The CLI passes the whole config here; the SDK offers no other way to list it.
		if err := json.Unmarshal([]byte(env), &values); err != nil {
			return nil, fmt.Errorf("%s: %s is not JSON: %w", StackFile(ctx.Stack()), pulumi.EnvConfig, err)
		}
	}
	for _, k := range []string{ConfigKey, "aws:region"} {
		if v, err := config.Try(ctx, k); err == nil {
			values[k] = v
		}
	}
	return ParseSettings(ctx.Project(), ctx.Stack(), values)
}

// ParseSettings checks a stack's flattened config ("namespace:key" -> value, objects as JSON,
// as workspace and the CLI give it) and decides the settings.
func ParseSettings(project, stack string, values map[string]string) (*Settings, error) {
	file := StackFile(stack)
	fail := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", file, key, fmt.Sprintf(format, args...))
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if strings.HasPrefix(k, project+":") && k != ConfigKey {
			return nil, fail(k, "unknown key; the settings go under %s", ConfigKey)
		}
	}
	raw, ok := values[ConfigKey]
	if !ok {
		return nil, fail(ConfigKey, "missing; it holds the stack's settings (tier, owner, ...)")
	}
	if key, known, ok := unknownKey([]byte(raw), reflect.TypeFor[PlatformConfig](), ConfigKey); !ok {
		return nil, fail(key, "unknown key (known: %s)", strings.Join(known, ", "))
	}
	var p PlatformConfig
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return nil, fail(ConfigKey+"."+typeErr.Field, "want a %s, got a %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
		case errors.As(err, &typeErr):
			return nil, fail(ConfigKey, "want an object, got a %s", typeErr.Value)
		default:
			return nil, fail(ConfigKey, "%v", err)
		}
	}
	if p.Tier == "" && slices.Contains([]Tier{Dev, Staging, Prod}, Tier(stack)) {
		p.Tier = Tier(stack)
	}
	if !slices.Contains([]Tier{Dev, Staging, Prod}, p.Tier) {
		return nil, fail(ConfigKey+".tier", "%q is not dev, staging or prod", p.Tier)
	}
	s := tierDefaults(p.Tier)
	s.PlatformConfig = p
	if p.LogRetentionDays != 0 {
		if err := function.CheckLogRetention(time.Duration(p.LogRetentionDays) * day); err != nil {
			return nil, fail(ConfigKey+".logRetentionDays", "%v", err)
		}
		s.LogRetention = time.Duration(p.LogRetentionDays) * day
	}
	if p.AccountID != "" && !accountPattern.MatchString(p.AccountID) {
		return nil, fail(ConfigKey+".accountId", "%q is not a 12-digit AWS account id", p.AccountID)
	}
	switch a := p.Auth; {
	case a.PublicReads && p.Tier == Prod:
		return nil, fail(ConfigKey+".auth.publicReads", "a prod stack may not make protected routes public")
	case a.PublicReads && a.Issuer != "":
		return nil, fail(ConfigKey+".auth", "set either issuer (and audiences) or publicReads, not both")
	case !a.PublicReads && a.Issuer == "":
		return nil, fail(ConfigKey+".auth.issuer", "missing; protected routes need a JWT issuer (or, outside prod, auth.publicReads: true)")
	case !a.PublicReads && len(a.Audiences) == 0:
		return nil, fail(ConfigKey+".auth.audiences", "missing; name the audiences the API accepts")
	case a.PublicReads && a.ReadScope != "":
		return nil, fail(ConfigKey+".auth.readScope", "set with publicReads, which has no authorizer to check a scope; set issuer instead, or drop readScope")
	}
	if a := p.Auth; a.Issuer != "" {
		if u, err := url.Parse(a.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fail(ConfigKey+".auth.issuer", "%q is not an https URL; API Gateway accepts only https issuers", a.Issuer)
		}
		for i, aud := range a.Audiences {
			if strings.TrimSpace(aud) == "" {
				return nil, fail(fmt.Sprintf("%s.auth.audiences[%d]", ConfigKey, i), "is empty")
			}
		}
	}
	switch a := p.Auth; {
	case a.ReadScope != "":
		if err := api.CheckScope(a.ReadScope); err != nil {
			return nil, fail(ConfigKey+".auth.readScope", "%v", err)
		}
	case p.Tier == Prod:
		return nil, fail(ConfigKey+".auth.readScope", "missing; a prod stack names the OAuth scope a token needs to read an inquiry (such as groundwork-api/inquiries.read)")
	}
	if e := p.AlarmEmail; e != "" {
		if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e {
			return nil, fail(ConfigKey+".alarmEmail", "%q is not an email address", e)
		}
	}
	s.Region = values["aws:region"]
	if s.Region == "" {
		return nil, fail("aws:region", "missing; every stack names its region")
	}
	return &s, nil
}

// unknownKey finds the first key of the JSON object raw (and of its nested objects) that t
// has no field for, matching the json tags exactly (encoding/json alone would accept "Tier"
// for "tier" and name no path). It returns the key's path and the keys known at that level;
// ok is true when every key is known. Values of the wrong type are left to the decoder.
func unknownKey(raw []byte, t reflect.Type, path string) (key string, known []string, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return "", nil, true
	}
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			fields[name] = f.Type
			known = append(known, name)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		ft, found := fields[k]
		if !found {
			return path + "." + k, known, false
		}
		if ft.Kind() == reflect.Struct {
			if key, known, ok := unknownKey(obj[k], ft, path+"."+k); !ok {
				return key, known, false
			}
		}
	}
	return "", nil, true
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "float64":
		return "number"
	case "struct", "map":
		return "object"
	}
	return goKind
}
