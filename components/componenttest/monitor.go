package componenttest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// Recorder is a pulumi.MockResourceMonitor that records every resource and answers invokes.
// It is safe for concurrent use, as the engine registers resources from several goroutines.
type Recorder struct {
	// Project and Stack name the program's project and stack; they go into URNs.
	Project, Stack string
	// Region is the region of resources whose provider names none (the config's aws:region
	// when Run has it). Empty means DefaultRegion.
	Region string
	// Preview makes the recorder answer as `pulumi preview` does: no ids, no computed outputs.
	Preview bool

	mu        sync.Mutex
	resources []Resource
	invokes   []Invoke
	regions   map[string]string // provider reference -> its region input
	refused   []error           // customizations the mocks cannot run, in the order seen
	stackXf   error             // set once the program registers a stack transform
	invokeXf  error             // set once the program registers an invoke transform
}

var (
	_ pulumi.MockResourceMonitor               = (*Recorder)(nil)
	_ pulumi.MockResourceMonitorWithTransforms = (*Recorder)(nil)
)

// regionOf is the region a resource is created in: its provider's region input when the
// provider has one, else Region, else DefaultRegion.
func (r *Recorder) regionOf(providerRef string) string {
	r.mu.Lock()
	reg := r.regions[providerRef]
	r.mu.Unlock()
	if reg != "" {
		return reg
	}
	if r.Region != "" {
		return r.Region
	}
	return DefaultRegion
}

// NewResource records a registration and answers with realistic state for its type. A
// registration the mocks cannot record faithfully is refused with an error (see Run): one
// with pulumi.Transforms, or any after the program registered a stack transform.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if err := r.refuseTransforms(args); err != nil {
		return "", nil, err
	}
	res := Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Inputs:   args.Inputs,
		Provider: args.Provider,
	}
	parent := ""
	rpc := args.RegisterRPC
	if rpc != nil && r.Preview {
		// The mock monitor unmarshals the inputs without their unknowns, so an input built
		// from an unknown output would be indistinguishable from one never set; the request
		// still carries it as unknown, as the engine (and a policy pack) sees it. An update
		// has no unknowns.
		inputs, err := plugin.UnmarshalProperties(rpc.GetObject(), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true,
		})
		if err != nil {
			return "", nil, fmt.Errorf("componenttest: %s %q: inputs: %w", args.TypeToken, args.Name, err)
		}
		res.Inputs = inputs
	}
	if rpc != nil {
		parent = rpc.GetParent()
		res.Protect = rpc.GetProtect()
		res.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.DependsOn = rpc.GetDependencies()
		res.IgnoreChanges = rpc.GetIgnoreChanges()
		if deps := rpc.GetPropertyDependencies(); len(deps) > 0 {
			res.PropertyDependencies = make(map[string][]string, len(deps))
			for k, v := range deps {
				res.PropertyDependencies[k] = v.GetUrns()
			}
		}
	}
	res.Parent = parent
	res.URN = r.urn(parent, args.TypeToken, args.Name)
	if parent == "" {
		res.Parent = r.urn("", string(resource.RootStackType), r.Project+"-"+r.Stack)
	}
	res.Aliases = r.aliases(rpc, res)
	res.PhysicalName = physicalName(res, rpc)

	id, outputs := r.answer(res)
	res.ID, res.Outputs = id, outputs
	if r.Preview && res.Custom {
		res.IDUnknown = true
		// What the provider would compute is unknown in a preview: recorded as unknown, so a
		// rule can tell it from a value never set; the program gets it as unknown too.
		_, computed := r.answerUpdate(res)
		res.Outputs = res.Outputs.Copy()
		name := naming.Types[res.Type].Property
		for k := range computed {
			switch _, set := res.Outputs[k]; {
			case set:
			case string(k) == name && res.PhysicalName != "":
				// The engine's Check gives a resource its auto-name before the preview.
				res.Outputs[k] = resource.NewProperty(res.PhysicalName)
			default:
				res.Outputs[k] = resource.MakeComputed(resource.NewProperty(""))
			}
		}
	}
	r.mu.Lock()
	r.resources = append(r.resources, res)
	if reg := res.InputString("region"); strings.HasPrefix(res.Type, "pulumi:providers:") && reg != "" {
		if r.regions == nil {
			r.regions = map[string]string{}
		}
		r.regions[res.URN+"::"+id] = reg
	}
	r.mu.Unlock()
	return id, outputs, nil
}

// urn computes a URN the way the mock monitor does.
func (r *Recorder) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.Stack), tokens.PackageName(r.Project), parentType,
		tokens.Type(typ), name))
}

// Call answers the invokes components make: caller identity, region, partition. Any other
// invoke is an error naming its token, so a test notices a new dependency on the cloud.
//
// After the program registered an invoke transform, every invoke is refused (see Run).
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	refused := r.invokeXf
	if refused == nil {
		r.invokes = append(r.invokes, Invoke{Token: args.Token, Provider: args.Provider})
	}
	r.mu.Unlock()
	if refused != nil {
		return nil, refused
	}
	region := r.regionOf(args.Provider)
	if out, ok := invokeAnswer(args.Token, region); ok {
		return out, nil
	}
	return nil, fmt.Errorf("componenttest: no mock for invoke %q", args.Token)
}

// aliases resolves a registration's Aliases option to URNs as the engine does for the
// resource's own aliases (its step generator's collapseAliasToUrn): a field an alias leaves
// empty is the resource's own (name, type, parent, project, stack), and an alias whose
// parent is the stack has none.
func (r *Recorder) aliases(rpc *pulumirpc.RegisterResourceRequest, res Resource) []string {
	out := slices.Clone(rpc.GetAliasURNs())
	for _, a := range rpc.GetAliases() {
		spec := a.GetSpec()
		if spec == nil {
			out = append(out, a.GetUrn())
			continue
		}
		name, typ := cmp.Or(spec.GetName(), res.Name), cmp.Or(spec.GetType(), res.Type)
		project, stack := cmp.Or(spec.GetProject(), r.Project), cmp.Or(spec.GetStack(), r.Stack)
		parent := resource.URN(cmp.Or(spec.GetParentUrn(), res.Parent))
		if spec.GetNoParent() || parent != "" && parent.QualifiedType() == resource.RootStackType {
			parent = ""
		}
		out = append(out, string(resource.CreateURN(name, typ, parent, project, stack)))
	}
	return out
}
