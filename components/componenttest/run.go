package componenttest

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// settings is what the Options of one Run decide.
type settings struct {
	project, stack, root string
	config               map[string]string
	secrets              []string
	preview              bool
	err                  error
}

// Option configures a Run.
type Option func(*settings)

// Project names the project. The default is "groundwork".
func Project(name string) Option { return func(s *settings) { s.project = name } }

// Stack names the stack. The default is "test".
func Stack(name string) Option { return func(s *settings) { s.stack = name } }

// Config adds config values, keyed "namespace:key"; structured values are JSON.
func Config(values map[string]string) Option {
	return func(s *settings) {
		if s.config == nil {
			s.config = map[string]string{}
		}
		maps.Copy(s.config, values)
	}
}

// Secrets marks config keys as secret.
func Secrets(keys ...string) Option {
	return func(s *settings) { s.secrets = append(s.secrets, keys...) }
}

// Preview runs the program as `pulumi preview` does: DryRun is true and every output a
// provider would compute is unknown.
func Preview() Option { return func(s *settings) { s.preview = true } }

// RootDirectory sets what ctx.RootDirectory() returns: the directory of Pulumi.yaml. The default
// is the nearest directory at or above the working directory that holds a Pulumi.yaml.
func RootDirectory(dir string) Option { return func(s *settings) { s.root = dir } }

// StackConfig loads the project file in projectDir and its Pulumi.<stack>.yaml (in the project's
// stackConfigDir) with the Pulumi SDK's workspace package, and runs the program as that stack,
// with that config and that project root. Secure values arrive as "[secret]" and are marked
// secret.
func StackConfig(projectDir, stack string) Option {
	return func(s *settings) {
		sf, err := LoadStackConfig(projectDir, stack)
		if err != nil {
			s.err = err
			return
		}
		FromStackFile(sf)(s)
	}
}

// FromStackFile runs the program as the stack a loaded StackFile describes (see StackConfig),
// without reading the file again.
func FromStackFile(sf *StackFile) Option {
	return func(s *settings) {
		s.project, s.stack, s.root = sf.Project, sf.Stack, sf.ProjectDir
		Config(sf.Values)(s)
		s.secrets = append(s.secrets, sf.Secrets...)
	}
}

// StackFile is a stack's config as Pulumi reads it.
type StackFile struct {
	// Project is the project's name from Pulumi.yaml; ProjectDir the directory that holds it.
	Project, ProjectDir string
	// Stack is the stack's name; Path the stack file's path.
	Stack, Path string
	// Values holds every config value as "namespace:key" -> string; objects and arrays as JSON.
	Values map[string]string
	// Secrets lists the keys whose values are secure (encrypted) in the file.
	Secrets []string
}

// LoadStackConfig reads projectDir/Pulumi.yaml and the stack's Pulumi.<stack>.yaml. A stack
// file that does not exist is an error here (Pulumi itself would treat it as empty config).
func LoadStackConfig(projectDir, stack string) (*StackFile, error) {
	projectFile := filepath.Join(projectDir, "Pulumi.yaml")
	proj, err := workspace.LoadProject(projectFile)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(projectDir, proj.StackConfigDir, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("stack %q: %w", stack, err)
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, proj, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	decrypted, err := ps.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sf := &StackFile{Project: string(proj.Name), ProjectDir: projectDir, Stack: stack, Path: path, Values: map[string]string{}}
	for k, v := range decrypted {
		sf.Values[k.String()] = v
	}
	for _, k := range ps.Config.SecureKeys() {
		sf.Secrets = append(sf.Secrets, k.String())
	}
	sort.Strings(sf.Secrets)
	return sf, nil
}

// FindProjectDir returns the nearest directory at or above dir that holds a Pulumi.yaml.
func FindProjectDir(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "Pulumi.yaml")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no Pulumi.yaml at or above %s", dir)
		}
	}
}

// Run runs program under a new Recorder and returns the Recorder with everything the program
// registered, whether or not the program failed, and the program's error.
//
// A program the mocks cannot record faithfully fails: one that registers a resource or a
// component with pulumi.Transforms, or registers a stack or invoke transform. The engine runs
// those in a deployment, the mock monitor does not, so the recording (and policy.Check on it)
// would show resources as they would not deploy. The error (see Recorder.Refused) names each
// and points to the components' typed transforms (package components/transform).
// pulumi.Transformations (deprecated) run in the program itself, so they are recorded.
func Run(program pulumi.RunFunc, opts ...Option) (*Recorder, error) {
	s := settings{project: "groundwork", stack: "test"}
	for _, o := range opts {
		o(&s)
	}
	rec := &Recorder{Project: s.project, Stack: s.stack, Preview: s.preview}
	if s.err != nil {
		return rec, s.err
	}
	if s.root == "" {
		if wd, err := os.Getwd(); err == nil {
			s.root, _ = FindProjectDir(wd)
		}
	}
	if r := s.config["aws:region"]; r != "" {
		rec.Region = r
	}
	err := pulumi.RunErr(program, pulumi.WithMocks(s.project, s.stack, rec), func(ri *pulumi.RunInfo) {
		ri.DryRun = s.preview
		ri.Config = s.config
		ri.ConfigSecretKeys = s.secrets
		ri.RootDirectory = s.root
	})
	if refused := rec.Refused(); len(refused) > 0 {
		// What the run did after a refusal (a child whose parent was refused, ...) follows
		// from it: the refusals are the error to fix.
		return rec, errors.Join(refused...)
	}
	return rec, err
}

// Mode is a way to run a program: as `pulumi up` or as `pulumi preview` would.
type Mode struct {
	// Name is "update" or "preview", for subtest names.
	Name string
	// Options select the mode; append them to a Run's options.
	Options []Option
}

// Modes are both modes, for tests that must hold in each, such as validation that has to
// fail before anything is registered whether or not outputs are known.
var Modes = []Mode{{Name: "update"}, {Name: "preview", Options: []Option{Preview()}}}
