// Package packtest runs a policy pack's analyzer in a test process and sends it what the
// Pulumi engine would, so a pack is tested without the Pulumi CLI: Start serves the pack with
// policyx.Main's own gRPC server on 127.0.0.1, StackRequest turns a componenttest recording
// into the engine's AnalyzeStack request, and Analyze drives one analysis as
// `pulumi preview --policy-pack` does.
//
// The server policyx.Main starts is one analyzer, configured per stack: tests that analyze
// must not run in parallel.
package packtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// Start serves factory's pack with policyx.Main in this process, as the pack's binary does
// when the CLI starts it, and returns a client connected to it. policyx.Main announces its
// port on os.Stdout, so Start swaps os.Stdout for a pipe until the port is read: call it from
// TestMain before m.Run, when nothing else writes to os.Stdout. The server runs until the
// process exits.
func Start(factory func(*pulumi.Context) (policyx.PolicyPack, error)) (pulumirpc.AnalyzerClient, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stdout := os.Stdout
	os.Stdout = w
	served := make(chan error, 1)
	go func() { served <- policyx.Main(factory) }()
	port := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		port <- strings.TrimSpace(line)
	}()
	var p string
	select {
	case p = <-port:
	case err = <-served:
	}
	os.Stdout = stdout
	if err == nil {
		_, err = strconv.Atoi(p)
		if err != nil {
			err = fmt.Errorf("policyx.Main announced %q, not a port", p)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("starting the analyzer: %w", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+p, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return pulumirpc.NewAnalyzerClient(conn), nil
}

// Stack is the stack the engine configures the analyzer for (AnalyzerStackConfigureRequest).
type Stack struct {
	// Organization, Project and Stack name it.
	Organization, Project, Stack string
	// Config is the stack's config, "namespace:key" -> value, objects as JSON, as the engine
	// decrypts it.
	Config map[string]string
	// DryRun is true for a preview.
	DryRun bool
	// RootDirectory is the pack's directory, as the engine's handshake gives it. Empty
	// means none.
	RootDirectory string
}

// StackOf is the stack a recording ran as, with config: its project and stack names.
func StackOf(rec *componenttest.Recorder, config map[string]string) Stack {
	return Stack{Organization: "organization", Project: rec.Project, Stack: rec.Stack, Config: config, DryRun: rec.Preview}
}

// Analysis is what one analysis returned.
type Analysis struct {
	// Info is GetAnalyzerInfo's answer: the pack's name, version and policies.
	Info *pulumirpc.AnalyzerInfo
	// Diagnostics are AnalyzeStack's violations.
	Diagnostics []*pulumirpc.AnalyzeDiagnostic
}

// Analyze runs one analysis as `pulumi preview --policy-pack DIR` does for a pack without a
// policy config file (pkg/engine LoadLocalPolicyPackAnalyzers, pkg/resource/plugin
// NewPolicyAnalyzer): Handshake, ConfigureStack, GetAnalyzerInfo, Configure with every policy at
// the enforcement level it declares, then AnalyzeStack with req.
func Analyze(ctx context.Context, c pulumirpc.AnalyzerClient, s Stack, req *pulumirpc.AnalyzeStackRequest) (Analysis, error) {
	hs := &pulumirpc.AnalyzerHandshakeRequest{}
	if s.RootDirectory != "" {
		hs.RootDirectory, hs.ProgramDirectory = &s.RootDirectory, &s.RootDirectory
	}
	if _, err := c.Handshake(ctx, hs); err != nil {
		return Analysis{}, fmt.Errorf("Handshake: %w", err)
	}
	if _, err := c.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Organization: s.Organization, Project: s.Project, Stack: s.Stack, Config: s.Config, DryRun: s.DryRun,
	}); err != nil {
		return Analysis{}, fmt.Errorf("ConfigureStack: %w", err)
	}
	info, err := c.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	if err != nil {
		return Analysis{}, fmt.Errorf("GetAnalyzerInfo: %w", err)
	}
	conf := &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: map[string]*pulumirpc.PolicyConfig{}}
	for _, p := range info.GetPolicies() {
		props, _ := structpb.NewStruct(nil)
		conf.PolicyConfig[p.GetName()] = &pulumirpc.PolicyConfig{EnforcementLevel: p.GetEnforcementLevel(), Properties: props}
	}
	if _, err := c.Configure(ctx, conf); err != nil {
		return Analysis{}, fmt.Errorf("Configure: %w", err)
	}
	resp, err := c.AnalyzeStack(ctx, req)
	if err != nil {
		return Analysis{Info: info}, fmt.Errorf("AnalyzeStack: %w", err)
	}
	return Analysis{Info: info, Diagnostics: resp.GetDiagnostics()}, nil
}

// StackRequest is the AnalyzeStack request the engine would send for the resources rec
// recorded, built as pkg/resource/deploy stepGenerator.AnalyzeResources builds it: each
// resource's final outputs as its properties (for a custom resource with an id, "id" among
// them, as a bridged provider such as pulumi-aws returns it), its options, parent,
// dependencies and property dependencies, and its provider as the provider resource's type,
// name, URN and inputs. The root stack resource comes first, as the engine registers it.
// Where a recording cannot know what the engine would send, it sends what it has: a
// component's recorded inputs stand for the outputs it registered (the mocks drop those). In
// preview mode the unknown values of the recording (inputs built from unknown outputs, the
// outputs the provider would compute, the id) are sent as unknown, as the engine sends them.
func StackRequest(rec *componenttest.Recorder) (*pulumirpc.AnalyzeStackRequest, error) {
	return Request(rec.Project, rec.Stack, rec.Resources())
}

// Request is StackRequest for resources recorded in a stack of a project, such as a
// recording changed to plant a violation.
func Request(project, stack string, recorded []componenttest.Resource) (*pulumirpc.AnalyzeStackRequest, error) {
	byURN := make(map[string]componenttest.Resource, len(recorded))
	for _, r := range recorded {
		byURN[r.URN] = r
	}
	root := resource.DefaultRootStackURN(tokens.QName(stack), tokens.PackageName(project))
	req := &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{{
		Urn: string(root), Type: string(resource.RootStackType), Name: root.Name(),
		Properties: &structpb.Struct{}, Options: &pulumirpc.AnalyzerResourceOptions{
			CustomTimeouts: &pulumirpc.AnalyzerResourceOptions_CustomTimeouts{},
		},
	}}}
	var errs []error
	for _, r := range recorded {
		ar, err := analyzerResource(r, byURN)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.URN, err))
			continue
		}
		req.Resources = append(req.Resources, ar)
	}
	return req, errors.Join(errs...)
}

func analyzerResource(r componenttest.Resource, byURN map[string]componenttest.Resource) (*pulumirpc.AnalyzerResource, error) {
	outputs := r.Outputs.Copy()
	if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
		switch {
		case r.IDUnknown:
			outputs["id"] = resource.MakeComputed(resource.NewProperty(""))
		case r.ID != "":
			outputs["id"] = resource.NewProperty(r.ID)
		}
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	ar := &pulumirpc.AnalyzerResource{
		Urn: r.URN, Type: r.Type, Name: r.Name, Properties: props,
		Options: &pulumirpc.AnalyzerResourceOptions{
			Protect:                    r.Protect,
			IgnoreChanges:              r.IgnoreChanges,
			DeleteBeforeReplace:        r.DeleteBeforeReplace,
			DeleteBeforeReplaceDefined: r.DeleteBeforeReplace,
			Aliases:                    r.Aliases,
			CustomTimeouts:             &pulumirpc.AnalyzerResourceOptions_CustomTimeouts{},
			Parent:                     r.Parent,
		},
		Parent:       r.Parent,
		Dependencies: r.DependsOn,
	}
	if len(r.PropertyDependencies) > 0 {
		ar.PropertyDependencies = map[string]*pulumirpc.AnalyzerPropertyDependencies{}
		for k, urns := range r.PropertyDependencies {
			if len(urns) > 0 {
				ar.PropertyDependencies[k] = &pulumirpc.AnalyzerPropertyDependencies{Urns: urns}
			}
		}
	}
	if r.Provider != "" {
		urn := r.Provider[:strings.LastIndex(r.Provider, "::")]
		p, ok := byURN[urn]
		if !ok {
			return nil, fmt.Errorf("provider %s was not recorded", urn)
		}
		pprops, err := marshal(p.Inputs)
		if err != nil {
			return nil, err
		}
		ar.Provider = &pulumirpc.AnalyzerProviderResource{Urn: p.URN, Type: p.Type, Name: p.Name, Properties: pprops}
	}
	return ar, nil
}

// marshal marshals properties as the engine's analyzer client does.
func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true})
}
