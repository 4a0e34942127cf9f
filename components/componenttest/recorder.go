package componenttest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Account and DefaultRegion are what the mocks answer for the caller identity and region, and
// what the ARNs they invent contain.
const (
	Account       = "123456789012"
	DefaultRegion = "us-east-1"
)

// Resource is one registered resource as the engine saw it.
type Resource struct {
	// Type is the type token, such as "aws:s3/bucketV2:BucketV2".
	Type string
	// Name is the logical name the program gave it.
	Name string
	// URN is the resource's URN, computed as the mock monitor computes it.
	URN string
	// ID is the physical id the mocks answered; empty for components and in preview mode.
	ID string
	// Custom is true for resources a provider manages, false for components.
	Custom bool
	// Parent is the URN of the parent; the root stack's URN for top-level resources.
	Parent string
	// Provider is the provider reference ("<provider URN>::<provider id>") the engine would use;
	// empty for components and for resources left to a default provider.
	Provider string
	// Protect, DeleteBeforeReplace and RetainOnDelete are the resource options of those names.
	Protect             bool
	DeleteBeforeReplace bool
	RetainOnDelete      bool
	// DependsOn lists the URNs of explicit dependencies (the DependsOn option).
	DependsOn []string
	// PropertyDependencies maps an input property to the URNs its value came from.
	PropertyDependencies map[string][]string
	// IgnoreChanges is the IgnoreChanges option.
	IgnoreChanges []string
	// Inputs are the inputs as registered. In preview mode inputs that depend on unknown
	// outputs are missing, as the engine leaves them out.
	Inputs resource.PropertyMap
	// Outputs is the state the mocks answered.
	Outputs resource.PropertyMap
}

// Input returns the plain Go value at a property path of the inputs, such as "tags.environment",
// "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", and whether it is there. Objects
// come back as map[string]any, arrays as []any, numbers as float64.
func (r Resource) Input(path string) (any, bool) { return lookup(r.Inputs, path) }

// Output is Input for the outputs.
func (r Resource) Output(path string) (any, bool) { return lookup(r.Outputs, path) }

// InputString returns the string at path, or "" when it is missing or not a string.
func (r Resource) InputString(path string) string {
	v, _ := r.Input(path)
	s, _ := v.(string)
	return s
}

// DependsOnURN reports whether urn is among r's explicit dependencies.
func (r Resource) DependsOnURN(urn string) bool { return slices.Contains(r.DependsOn, urn) }

func lookup(m resource.PropertyMap, path string) (any, bool) {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return nil, false
	}
	v, ok := p.Get(resource.NewObjectProperty(m))
	if !ok || v.IsNull() {
		return nil, false
	}
	return plain(v), true
}

// plain turns a property value into JSON-like Go values; secrets are unwrapped.
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsOutput():
		if !v.OutputValue().Known {
			return Unknown{}
		}
		return plain(v.OutputValue().Element)
	case v.IsComputed():
		return Unknown{}
	case v.IsObject():
		out := make(map[string]any, len(v.ObjectValue()))
		for k, e := range v.ObjectValue() {
			out[string(k)] = plain(e)
		}
		return out
	case v.IsArray():
		out := make([]any, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = plain(e)
		}
		return out
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	}
	return v.Mappable()
}

// Unknown stands for a value not known during preview.
type Unknown struct{}

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
}

var _ pulumi.MockResourceMonitor = (*Recorder)(nil)

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

// NewResource records a registration and answers with realistic state for its type.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	res := Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Inputs:   args.Inputs,
		Provider: args.Provider,
	}
	parent := ""
	if rpc := args.RegisterRPC; rpc != nil {
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

	id, outputs := r.answer(res)
	res.ID, res.Outputs = id, outputs
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
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	r.invokes = append(r.invokes, Invoke{Token: args.Token, Provider: args.Provider})
	r.mu.Unlock()
	region := r.regionOf(args.Provider)
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": Account,
			"arn":       "arn:aws:iam::" + Account + ":user/componenttest",
			"userId":    "AIDACOMPONENTTEST",
			"id":        Account,
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": region, "id": region, "region": region,
			"description": region, "endpoint": "ec2." + region + ".amazonaws.com",
		}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
			"reverseDnsPrefix": "com.amazonaws",
		}), nil
	}
	return nil, fmt.Errorf("componenttest: no mock for invoke %q", args.Token)
}

// Resources returns every recorded resource in registration order.
func (r *Recorder) Resources() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.resources)
}

// Invoke is one invoke (data source call) the program made.
type Invoke struct {
	// Token names the function, such as "aws:index/getCallerIdentity:getCallerIdentity".
	Token string
	// Provider is the provider reference it went to; empty means the default provider,
	// which a stack with pulumi:disable-default-providers refuses.
	Provider string
}

// Invokes returns the invokes the program made, in order.
func (r *Recorder) Invokes() []Invoke {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.invokes)
}

// ByType returns the resources of one type token, in registration order.
func (r *Recorder) ByType(typ string) []Resource {
	var out []Resource
	for _, res := range r.Resources() {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// Named returns the resource with a logical name (the first one, should two types share it).
func (r *Recorder) Named(name string) (Resource, bool) {
	for _, res := range r.Resources() {
		if res.Name == name {
			return res, true
		}
	}
	return Resource{}, false
}

// Get returns the resource of a type with a logical name.
func (r *Recorder) Get(typ, name string) (Resource, bool) {
	for _, res := range r.Resources() {
		if res.Type == typ && res.Name == name {
			return res, true
		}
	}
	return Resource{}, false
}

// ByURN returns the resource with a URN.
func (r *Recorder) ByURN(urn string) (Resource, bool) {
	for _, res := range r.Resources() {
		if res.URN == urn {
			return res, true
		}
	}
	return Resource{}, false
}

// Children returns the direct children of the resource with URN parent.
func (r *Recorder) Children(parent string) []Resource {
	var out []Resource
	for _, res := range r.Resources() {
		if res.Parent == parent {
			out = append(out, res)
		}
	}
	return out
}

// Descendants returns every resource below the resource with URN root, depth first in
// registration order.
func (r *Recorder) Descendants(root string) []Resource {
	var out []Resource
	for _, c := range r.Children(root) {
		out = append(out, c)
		out = append(out, r.Descendants(c.URN)...)
	}
	return out
}

// physicalName is the name AWS would get: the explicit one from the inputs, or the logical name
// plus a suffix derived from the URN, as Pulumi's auto-naming adds 7 random hex characters.
func physicalName(res Resource, keys ...string) string {
	for _, k := range keys {
		if v := res.Inputs[resource.PropertyKey(k)]; v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	sum := sha256.Sum256([]byte(res.URN))
	name := res.Name + "-" + hex.EncodeToString(sum[:])[:7]
	if v := res.Inputs["fifoQueue"]; v.IsBool() && v.BoolValue() {
		name += ".fifo"
	}
	return name
}

func shortID(res Resource, n int) string {
	sum := sha256.Sum256([]byte(res.URN))
	return hex.EncodeToString(sum[:])[:n]
}

// answer returns the id and state for a registration. In preview mode the state is the inputs
// alone, so every output the provider would compute resolves as unknown, and there is no id.
func (r *Recorder) answer(res Resource) (string, resource.PropertyMap) {
	state := res.Inputs.Copy()
	if !res.Custom {
		return "", state
	}
	if r.Preview {
		return "", state
	}
	region := r.regionOf(res.Provider)
	arnPrefix := func(svc string) string {
		return "arn:aws:" + svc + ":" + region + ":" + Account + ":"
	}
	set := func(kv ...string) {
		for i := 0; i+1 < len(kv); i += 2 {
			if _, ok := state[resource.PropertyKey(kv[i])]; !ok || kv[i] == "arn" {
				state[resource.PropertyKey(kv[i])] = resource.NewProperty(kv[i+1])
			}
		}
	}
	typ := res.Type
	switch {
	case strings.HasPrefix(typ, "pulumi:providers:"):
		return shortID(res, 12), state
	case typ == "aws:s3/bucketV2:BucketV2" || typ == "aws:s3/bucket:Bucket":
		name := physicalName(res, "bucket")
		set("bucket", name, "arn", "arn:aws:s3:::"+name, "bucketDomainName", name+".s3.amazonaws.com",
			"bucketRegionalDomainName", name+".s3."+region+".amazonaws.com", "region", region)
		return name, state
	case typ == "aws:dynamodb/table:Table":
		name := physicalName(res, "name")
		set("name", name, "arn", arnPrefix("dynamodb")+"table/"+name)
		if v := res.Inputs["streamEnabled"]; v.IsBool() && v.BoolValue() {
			set("streamArn", arnPrefix("dynamodb")+"table/"+name+"/stream/2026-01-01T00:00:00.000",
				"streamLabel", "2026-01-01T00:00:00.000")
		}
		return name, state
	case typ == "aws:lambda/function:Function":
		name := physicalName(res, "name")
		arn := arnPrefix("lambda") + "function:" + name
		set("name", name, "arn", arn, "qualifiedArn", arn+":$LATEST", "version", "$LATEST",
			"invokeArn", "arn:aws:apigateway:"+region+":lambda:path/2015-03-31/functions/"+arn+"/invocations")
		return name, state
	case typ == "aws:iam/role:Role":
		name := physicalName(res, "name")
		set("name", name, "arn", "arn:aws:iam::"+Account+":role/"+name, "uniqueId", "AROA"+strings.ToUpper(shortID(res, 16)))
		return name, state
	case typ == "aws:iam/rolePolicy:RolePolicy":
		name := physicalName(res, "name")
		role := res.InputString("role")
		set("name", name)
		return role + ":" + name, state
	case typ == "aws:cloudwatch/logGroup:LogGroup":
		name := physicalName(res, "name")
		set("name", name, "arn", arnPrefix("logs")+"log-group:"+name)
		return name, state
	case typ == "aws:sqs/queue:Queue":
		name := physicalName(res, "name")
		url := "https://sqs." + region + ".amazonaws.com/" + Account + "/" + name
		set("name", name, "arn", arnPrefix("sqs")+name, "url", url)
		return url, state
	case typ == "aws:sns/topic:Topic":
		name := physicalName(res, "name")
		arn := arnPrefix("sns") + name
		set("name", name, "arn", arn)
		return arn, state
	case typ == "aws:apigatewayv2/api:Api":
		id := shortID(res, 10)
		set("apiEndpoint", "https://"+id+".execute-api."+region+".amazonaws.com",
			"executionArn", arnPrefix("execute-api")+id, "arn", "arn:aws:apigateway:"+region+"::/apis/"+id)
		return id, state
	case typ == "aws:apigatewayv2/stage:Stage":
		name := physicalName(res, "name")
		api := res.InputString("apiId")
		path := "/" + name
		if name == "$default" {
			path = "/"
		}
		set("invokeUrl", "https://"+api+".execute-api."+region+".amazonaws.com"+path,
			"executionArn", arnPrefix("execute-api")+api+"/"+name)
		return name, state
	case typ == "aws:apigatewayv2/domainName:DomainName":
		name := res.InputString("domainName")
		if cfg := state["domainNameConfiguration"]; cfg.IsObject() {
			obj := cfg.ObjectValue().Copy()
			obj["targetDomainName"] = resource.NewProperty("d-" + shortID(res, 10) + ".execute-api." + region + ".amazonaws.com")
			obj["hostedZoneId"] = resource.NewProperty("Z2FDTNDATAQYW2")
			state["domainNameConfiguration"] = resource.NewProperty(obj)
		}
		set("arn", "arn:aws:apigateway:"+region+"::/domainnames/"+name, "apiMappingSelectionExpression", "$request.basepath")
		return name, state
	case typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
		name := physicalName(res, "name")
		set("name", name, "arn", arnPrefix("cloudwatch")+"alarm:"+name)
		return name, state
	}
	// Anything else: an id derived from its URN and a plausible ARN.
	id := res.Name + "-" + shortID(res, 8)
	svc := typ
	if i := strings.Index(typ, ":"); i >= 0 {
		svc = typ[i+1:]
	}
	if i := strings.Index(svc, "/"); i >= 0 {
		svc = svc[:i]
	}
	set("arn", arnPrefix(svc)+id)
	return id, state
}
