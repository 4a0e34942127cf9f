package function

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// kind names the component in errors: `function "api": MemoryMB 64 is outside 128-10240`.
const kind = "function"

// The roles of the children (naming.Child(name, role) is a child's logical name); the package
// doc lists them.
const (
	childRole      = "role"
	childLogging   = "logging"
	childVPC       = "vpc-access"
	childLogs      = "logs"
	childErrors    = "errors"
	childThrottles = "throttles"
)

// children are the function's children whose physical names Pulumi derives from the
// function's name. A grant's role policy is checked with the grant (its name is the grant's
// to choose).
var children = []naming.Physical{
	{Role: "", Kind: naming.LambdaFunction},
	{Role: childRole, Kind: naming.IAMRole},
	{Role: childLogging, Kind: naming.IAMRolePolicy},
	{Role: childVPC, Kind: naming.IAMRolePolicy},
	{Role: childLogs, Kind: naming.LogGroup},
	{Role: childErrors, Kind: naming.MetricAlarm},
	{Role: childThrottles, Kind: naming.MetricAlarm},
}

// settings are Args with every default applied, checked.
type settings struct {
	Args
}

var (
	envKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	reservedEnv   = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ"}
	// layerARN is a layer version's ARN, as Lambda's CreateFunction accepts in Layers.
	layerARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$`)
	// policyARN is a managed policy's ARN, an AWS managed one ("iam::aws:") included.
	policyARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$`)
	subnetID  = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	sgID      = regexp.MustCompile(`^sg-[0-9a-f]+$`)
)

// resolve applies the defaults to a copy of a and checks every field, reporting every
// invalid one. It is pure (no build, no file system): the decisions New makes are tested here
// without the engine.
func resolve(name string, a Args) (settings, error) {
	s := settings{Args: a}
	r := check.New(kind, name)
	nameOK := true
	if !r.Name(children) {
		nameOK = false
	}
	switch {
	case a.Package == "" && a.Archive == "":
		r.Addf("Package", "and Archive are both empty: set exactly one")
	case a.Package != "" && a.Archive != "":
		r.Addf("Package", "%q and Archive %q are both set: set exactly one", a.Package, a.Archive)
	}
	if len(a.Description) > 256 {
		r.Addf("Description", "is %d characters; Lambda allows 256", len(a.Description))
	}

	s.MemoryMB = orDefault(a.MemoryMB, DefaultMemoryMB)
	r.IntRange("MemoryMB", s.MemoryMB, 128, 10240)
	s.Timeout = orDefault(a.Timeout, DefaultTimeout)
	r.Seconds("Timeout", s.Timeout, time.Second, MaxTimeout)
	s.EphemeralStorageMB = orDefault(a.EphemeralStorageMB, DefaultEphemeralStorageMB)
	r.IntRange("EphemeralStorageMB", s.EphemeralStorageMB, 512, 10240)
	s.LogRetention = orDefault(a.LogRetention, DefaultLogRetention)
	r.LogRetention("LogRetention", s.LogRetention)
	if a.ReservedConcurrency < 0 {
		r.Addf("ReservedConcurrency", "%d is negative; zero means none reserved", a.ReservedConcurrency)
	}

	for _, k := range slices.Sorted(maps.Keys(a.Environment)) {
		switch {
		case !envKeyPattern.MatchString(k):
			r.Addf("Environment", "%q is not a valid variable name (a letter, then letters, digits and '_')", k)
		case strings.HasPrefix(k, "AWS_") || slices.Contains(reservedEnv, k):
			r.Addf("Environment", "%q is reserved by Lambda", k)
		}
	}
	if len(a.Layers) > MaxLayers {
		r.Addf("Layers", "has %d layers; Lambda allows at most %d", len(a.Layers), MaxLayers)
	}
	for i, l := range a.Layers {
		plain(r, fmt.Sprintf("Layers[%d]", i), l, layerARN, "a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)")
	}
	if a.PermissionsBoundary != nil {
		plain(r, "PermissionsBoundary", a.PermissionsBoundary, policyARN, "a managed policy ARN (arn:aws:iam::<account>:policy/<name>)")
	}
	if v := a.VPC; v != nil {
		ids(r, "VPC.SubnetIDs", "subnet", v.SubnetIDs, MaxSubnets, subnetID)
		ids(r, "VPC.SecurityGroupIDs", "security group", v.SecurityGroupIDs, MaxSecurityGroups, sgID)
	}

	seen := map[string]bool{}
	for i, g := range a.Grants {
		field := fmt.Sprintf("Grants[%d]", i)
		if err := g.Err(); err != nil {
			r.Add(field, err)
			continue
		}
		switch {
		case g.Name == childLogging || g.Name == childVPC:
			r.Addf(field+".Name", "%q is the name of the function's own %s policy", g.Name, g.Name)
		case seen[g.Name]:
			r.Addf(field+".Name", "%q is the name of an earlier grant: each grant is a role policy named for it", g.Name)
		case g.Name == "":
			r.Addf(field+".Name", "is empty: each grant is a role policy named for it")
		case nameOK:
			if err := naming.Check(naming.Child(name, g.Name), []naming.Physical{{Kind: naming.IAMRolePolicy}}); err != nil {
				r.Addf(field+".Name", "%q: %v", g.Name, err)
			}
		}
		seen[g.Name] = true
		if err := iampolicy.Check(grantStatements(g)...); err != nil {
			r.Addf(field, "%q: %v", g.Name, err)
		}
	}
	return s, r.Err()
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// plain checks an input whose value is known now (a pulumi.String) against re; a value that
// comes from another resource is checked by AWS when it deploys. A nil input is an error.
func plain(r *check.Report, field string, in pulumi.StringInput, re *regexp.Regexp, want string) {
	switch v := in.(type) {
	case nil:
		r.Addf(field, "is nil")
	case pulumi.String:
		if !re.MatchString(string(v)) {
			r.Addf(field, "%q is not %s", string(v), want)
		}
	}
}

// ids checks a list of 1 to most resource IDs of one kind.
func ids(r *check.Report, field, what string, in []pulumi.StringInput, most int, re *regexp.Regexp) {
	if len(in) < 1 || len(in) > most {
		r.Addf(field, "has %d; Lambda takes 1 to %d %s IDs", len(in), most, what)
	}
	for i, id := range in {
		plain(r, fmt.Sprintf("%s[%d]", field, i), id, re, "a "+what+" ID")
	}
}
