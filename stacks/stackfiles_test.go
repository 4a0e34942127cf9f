package stacks_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/internal/platformconfig"
	"github.com/groundwork-dev/groundwork/stacks"
)

// envs are the stacks every program test runs: each stacks/Pulumi.<name>.yaml there is,
// found on disk, so a stack file added later is tested without anyone listing it.
var envs = discoverStacks(".")

// discoverStacks lists the stacks of the project at or above dir, by their files.
func discoverStacks(dir string) []string {
	root, err := componenttest.FindProjectDir(dir)
	if err != nil {
		panic(err)
	}
	files, err := filepath.Glob(filepath.Join(root, stacks.StackConfigDir, "Pulumi.*.yaml"))
	if err != nil {
		panic(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	return names
}

// checkStackFile checks a stack file as the Pulumi CLI would hand it to the program (read by
// the SDK's workspace package) and as the local server reads it (platformconfig), and
// returns the config's mistakes, or an error if the two readings differ.
func checkStackFile(projectDir, stack string) error {
	sf, err := componenttest.LoadStackConfig(projectDir, stack)
	if err != nil {
		return err
	}
	text, err := os.ReadFile(sf.Path)
	if err != nil {
		return err
	}
	local, err := platformconfig.ReadStackFile(sf.Path)
	if err != nil {
		return err
	}
	for _, k := range []string{stacks.ConfigKey, platformconfig.RegionKey} {
		if local.Values[k] != sf.Values[k] {
			return errors.New(stacks.StackFile(stack) + ": " + k + ": the local server reads " + local.Values[k] + " where Pulumi reads " + sf.Values[k])
		}
	}
	_, err = platformconfig.Check(platformconfig.Input{
		Stack: stack, File: stacks.StackFile(stack), Values: sf.Values, YAML: text, Rules: stacks.Rules,
	})
	return err
}

// configChecks remembers each stack file's check, so it runs once per test binary.
var configChecks sync.Map // stack -> func() error

// requireValidConfig skips a test of a stack whose file has mistakes: TestStackFiles reports
// each of them once, and every other test saying the same (or, under mocks, only that
// groundwork:platform is missing) would bury them.
func requireValidConfig(t testing.TB, stack string) {
	t.Helper()
	check, _ := configChecks.LoadOrStore(stack, sync.OnceValue(func() error {
		root, err := componenttest.FindProjectDir(".")
		if err != nil {
			return err
		}
		return checkStackFile(root, stack)
	}))
	if err := check.(func() error)(); err != nil {
		t.Skipf("%s has config mistakes: TestStackFiles reports them", stacks.StackFile(stack))
	}
}

// TestStackFiles checks every stack file there is, one message per mistake.
func TestStackFiles(t *testing.T) {
	require.NotEmpty(t, envs, "stack files are found")
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			var perr *platformconfig.Error
			switch err := checkStackFile(projectDir(t), env); {
			case errors.As(err, &perr):
				for _, line := range strings.Split(perr.Error(), "\n") {
					t.Error(line)
				}
			case err != nil:
				t.Error(err)
			}
		})
	}
}

// The stacks the tests run are the files there are: dev, staging and prod today, and any
// stack file added later.
func TestStacksAreDiscovered(t *testing.T) {
	assert.Subset(t, envs, []string{"dev", "staging", "prod"})

	// Given a copy of the project with a qa stack file added
	dir := copyProject(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.qa.yaml"), []byte("config: {}\n"), 0o644))

	// Then it is among the stacks the tests run
	assert.Contains(t, discoverStacks(dir), "qa")
}

// plantedQA is a new stack file with four mistakes.
const plantedQA = `# QA: a copy of staging, with four mistakes
config:
  pulumi:disable-default-providers:
    - "*"
  aws:region: eu-west-1
  groundwork:platform:
    tier: qa
    owner: platform-team
    accountId: 012345678901
    auth:
      issuer: https://auth.groundwork.dev/
      audience:
        - groundwork-api
      readScope: [groundwork-api/inquiries.read]
    alarmEmail: platform-oncall@groundwork.dev
`

// A planted stack file with four mistakes is refused with four messages, each naming the
// file, its line and the key, and saying how to put it right.
func TestAPlantedStackFileWithFourMistakes(t *testing.T) {
	// Given a copy of the project with the planted qa stack file
	dir := copyProject(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.qa.yaml"), []byte(plantedQA), 0o644))
	require.Contains(t, discoverStacks(dir), "qa", "the new file is found")

	// When it is checked as TestStackFiles checks every stack file
	err := checkStackFile(dir, "qa")

	// Then there is one message per mistake, in the file's order, with its line
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`stacks/Pulumi.qa.yaml:7: groundwork:platform.tier: "qa" is not dev, staging or prod`,
		`stacks/Pulumi.qa.yaml:9: groundwork:platform.accountId: want a string, got a number; quote the account id, as in accountId: "012345678901": YAML reads unquoted digits as a number and drops leading zeros (this one reads as 12345678901)`,
		`stacks/Pulumi.qa.yaml:12: groundwork:platform.auth.audience: unknown key; did you mean audiences? (known: issuer, audiences, publicReads, readScope)`,
		`stacks/Pulumi.qa.yaml:14: groundwork:platform.auth.readScope: want a string, got a list`,
	}, "\n"), err.Error())
}

// The program itself gives the same messages, lines included, when it runs on the file.
func TestTheProgramNamesTheLines(t *testing.T) {
	dir := copyProject(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.qa.yaml"), []byte(plantedQA), 0o644))
	want := checkStackFile(dir, "qa")
	require.Error(t, want)

	rec, err := componenttest.Run(stacks.Program, componenttest.StackConfig(dir, "qa"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), want.Error(), "the program's error is the check's, with the lines")
	assert.Empty(t, rec.Resources(), "nothing registered")
}

// A typo in the top-level key is one message that names the key to use, where under mocks
// the program alone could only say that groundwork:platform is missing.
func TestATopLevelTypoIsOneMessage(t *testing.T) {
	dir := copyProject(t)
	typo := strings.Replace(validStaging, "groundwork:platform:", "groundwork:platfrom:", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.staging.yaml"), []byte(typo), 0o644))

	err := checkStackFile(dir, "staging")
	require.Error(t, err)
	assert.Equal(t, "stacks/Pulumi.staging.yaml:4: groundwork:platfrom: unknown key; did you mean groundwork:platform? The settings go under it", err.Error())

	// The control: without the typo, the file is valid
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi.staging.yaml"), []byte(validStaging), 0o644))
	assert.NoError(t, checkStackFile(dir, "staging"))
}

// validStaging is a valid stack file, for tests that plant a mistake in it.
const validStaging = `config:
  pulumi:disable-default-providers: ["*"]
  aws:region: eu-west-1
  groundwork:platform:
    owner: platform-team
    auth:
      issuer: https://auth.groundwork.dev/
      audiences: [groundwork-api]
      readScope: groundwork-api/inquiries.read
`

// copyProject copies the project file and the stack files to a temporary directory.
func copyProject(t *testing.T) string {
	t.Helper()
	src := projectDir(t)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "stacks"), 0o755))
	files, err := filepath.Glob(filepath.Join(src, "stacks", "Pulumi.*.yaml"))
	require.NoError(t, err)
	for _, f := range append(files, filepath.Join(src, "Pulumi.yaml")) {
		rel, err := filepath.Rel(src, f)
		require.NoError(t, err)
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), b, 0o644))
	}
	return dir
}
