package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/internal/platformconfig"
)

// day is the unit of log retention in the stack files.
const day = 24 * time.Hour

// ConfigKey is the one structured config key the program reads: an object decoded strictly
// into PlatformConfig.
const ConfigKey = platformconfig.Key

// StackConfigDir is where the stack files live, as Pulumi.yaml says.
const StackConfigDir = "stacks"

// Tier is the kind of environment a stack is; it decides the defaults.
type Tier = platformconfig.Tier

// The tiers.
const (
	Dev     = platformconfig.Dev
	Staging = platformconfig.Staging
	Prod    = platformconfig.Prod
)

// PlatformConfig is the typed config of one stack (the object under groundwork:platform in
// stacks/Pulumi.<stack>.yaml), decoded and checked by internal/platformconfig, which the
// local server (cmd/local -stack) reads stack files with too.
type PlatformConfig = platformconfig.PlatformConfig

// Auth is the JWT authorizer's config.
type Auth = platformconfig.Auth

// Settings is what the program decides from a stack's config: the tier's defaults with the
// stack's overrides applied.
type Settings struct {
	PlatformConfig
	// Region is aws:region.
	Region string
	// LogRetention is the effective retention of every log group: the tier's, or the stack
	// file's logRetentionDays (PlatformConfig.LogRetentionDays, which stays as written).
	LogRetention time.Duration
	// Protect marks stateful resources (tables, buckets) protected: prod only.
	Protect bool
	// AllowTableDeletion turns table deletion protection off: dev only.
	AllowTableDeletion bool
	// ForceDestroyBuckets lets `pulumi destroy` empty buckets: dev only, never prod.
	ForceDestroyBuckets bool
}

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

// Rules are the checks of config values whose rules the components own: CloudWatch's log
// retention values, and the scope-token syntax of route authorization scopes.
var Rules = platformconfig.Rules{
	LogRetention: func(days int) error { return function.CheckLogRetention(time.Duration(days) * day) },
	Scope:        api.CheckScope,
}

// LoadSettings reads and checks the stack's config. Every error names the stack file and the
// key, and the key's line when the stack file under the project root holds the config the
// program was given. When the Pulumi CLI runs the program, it also refuses keys in the
// project's namespace other than groundwork:platform (a mistyped top-level key would
// otherwise be ignored).
func LoadSettings(ctx *pulumi.Context) (*Settings, error) {
	values := map[string]string{}
	if env := os.Getenv(pulumi.EnvConfig); env != "" {
		// The CLI passes the whole config here; the SDK offers no other way to list it.
		if err := json.Unmarshal([]byte(env), &values); err != nil {
			return nil, fmt.Errorf("%s: %s is not JSON: %w", StackFile(ctx.Stack()), pulumi.EnvConfig, err)
		}
	}
	for _, k := range []string{ConfigKey, platformconfig.RegionKey} {
		if v, err := config.Try(ctx, k); err == nil {
			values[k] = v
		}
	}
	var text []byte
	if root := ctx.RootDirectory(); root != "" {
		text, _ = os.ReadFile(filepath.Join(root, StackFile(ctx.Stack()))) // for line numbers only
	}
	return parse(ctx.Stack(), values, text)
}

// ParseSettings checks a stack's flattened config ("namespace:key" -> value, objects as JSON,
// as workspace and the CLI give it) and decides the settings. Every mistake is reported, one
// line each (a *platformconfig.Error). project is the Pulumi project, whose namespace holds
// groundwork:platform: it must be "groundwork".
func ParseSettings(project, stack string, values map[string]string) (*Settings, error) {
	if project != platformconfig.Project {
		return nil, fmt.Errorf("%s: project %q: the platform's config is under %s, in project %q", StackFile(stack), project, ConfigKey, platformconfig.Project)
	}
	return parse(stack, values, nil)
}

func parse(stack string, values map[string]string, text []byte) (*Settings, error) {
	st, err := platformconfig.Check(platformconfig.Input{
		Stack: stack, File: StackFile(stack), Values: values, YAML: text, Rules: Rules,
	})
	if err != nil {
		return nil, err
	}
	s := tierDefaults(st.Platform.Tier)
	s.PlatformConfig = st.Platform
	if st.Platform.LogRetentionDays != 0 {
		s.LogRetention = time.Duration(st.Platform.LogRetentionDays) * day
	}
	s.Region = st.Region
	return &s, nil
}
