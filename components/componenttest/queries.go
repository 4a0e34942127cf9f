package componenttest

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
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
	// IDUnknown is true for a custom resource whose id is not known yet: every one in a
	// preview recording, and one a policy pack receives with an unknown id (a preview of a
	// resource to be created).
	IDUnknown bool
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
	// Inputs are the inputs as registered. In preview mode an input built from an unknown
	// output is a computed value (resource.MakeComputed), as the engine receives it: Input
	// treats it as not there, Unknown tells it from an input never set.
	Inputs resource.PropertyMap
	// Outputs is the state the mocks answered. In preview mode it is the inputs, and every
	// output the provider would compute (what update mode answers beyond the inputs) is a
	// computed value, but the name property, which holds PhysicalName when it is known: the
	// engine's Check gives a resource its auto-name before the preview.
	Outputs resource.PropertyMap
	// PhysicalName is the name AWS would give the resource: the name input the program set
	// ("name", "bucket", ... as the type has it), else namePrefix and 26 characters, else
	// Pulumi's auto-name, the logical name and AutoSuffixLen characters ("-" and 7 random
	// ones; lower-cased for S3, with ".fifo" for a FIFO queue or topic). It is what the mocks
	// answer as that output in update mode. Empty for components, for types without a name
	// of their own (a queue policy, a route), for types componenttest does not know (see
	// CheckNames), and for a name input unknown in preview.
	PhysicalName string
	// Aliases are the URNs the resource's Aliases option resolves to, as the engine resolves
	// them: an alias's empty fields are the resource's own. The aliases the engine derives for
	// a child from its parent's aliases are not listed (look at the parent's).
	Aliases []string
}

// Input returns the plain Go value at a property path of the inputs, such as "tags.environment",
// "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", and whether it is there. Objects
// come back as map[string]any, arrays as []any, numbers as float64; an unknown value within
// them as Unknown{}. A value that is itself unknown, or inside an unknown one, is not there:
// ask Unknown.
func (r Resource) Input(path string) (any, bool) { return lookup(r.Inputs, path) }

// Output is Input for the outputs.
func (r Resource) Output(path string) (any, bool) { return lookup(r.Outputs, path) }

// Unknown reports whether the property at path is unknown (a preview): the value at path,
// or an object or array on the way to it, is unknown in the inputs or the outputs. A path
// whose value is simply not set is not unknown, so a rule can tell "missing because not
// known yet" from "missing because never set". The path "id" asks about ID (IDUnknown).
func (r Resource) Unknown(path string) bool {
	if path == "id" {
		return r.IDUnknown
	}
	return unknownAt(r.Inputs, path) || unknownAt(r.Outputs, path)
}

// unknownAt reports whether the value at path in m, or one on the way to it, is unknown.
func unknownAt(m resource.PropertyMap, path string) bool {
	if !strings.ContainsAny(path, "[]\"'") {
		// Object keys only ("tags.name"): walk them without parsing, as the rules ask often.
		v := resource.NewObjectProperty(m)
		for rest, more := path, true; more; {
			var k string
			k, rest, more = strings.Cut(rest, ".")
			if isUnknown(v) {
				return true
			}
			if v = unwrap(v); !v.IsObject() {
				return false
			}
			var ok bool
			if v, ok = v.ObjectValue()[resource.PropertyKey(k)]; !ok {
				return false
			}
		}
		return isUnknown(v)
	}
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return false
	}
	v := resource.NewObjectProperty(m)
	for _, k := range p {
		if isUnknown(v) {
			return true
		}
		v = unwrap(v)
		var ok bool
		switch key := k.(type) {
		case string:
			if !v.IsObject() {
				return false
			}
			v, ok = v.ObjectValue()[resource.PropertyKey(key)]
		case int:
			if !v.IsArray() || key < 0 || key >= len(v.ArrayValue()) {
				return false
			}
			v, ok = v.ArrayValue()[key], true
		}
		if !ok {
			return false
		}
	}
	return isUnknown(v)
}

// isUnknown reports whether v is an unknown value: computed, or an output not known.
func isUnknown(v resource.PropertyValue) bool {
	switch {
	case v.IsComputed():
		return true
	case v.IsOutput():
		return !v.OutputValue().Known
	case v.IsSecret():
		return isUnknown(v.SecretValue().Element)
	}
	return false
}

// unwrap returns the value inside a secret or a known output.
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

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
	if !ok || v.IsNull() || isUnknown(v) {
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
	return r.filter(func(res Resource) bool { return res.Type == typ })
}

// Named returns the resource with a logical name (the first one, should two types share it).
func (r *Recorder) Named(name string) (Resource, bool) {
	return r.first(func(res Resource) bool { return res.Name == name })
}

// Get returns the resource of a type with a logical name.
func (r *Recorder) Get(typ, name string) (Resource, bool) {
	return r.first(func(res Resource) bool { return res.Type == typ && res.Name == name })
}

// ByURN returns the resource with a URN.
func (r *Recorder) ByURN(urn string) (Resource, bool) {
	return r.first(func(res Resource) bool { return res.URN == urn })
}

// Children returns the direct children of the resource with URN parent.
func (r *Recorder) Children(parent string) []Resource {
	return r.filter(func(res Resource) bool { return res.Parent == parent })
}

// filter returns the recorded resources keep accepts, in registration order.
func (r *Recorder) filter(keep func(Resource) bool) []Resource {
	var out []Resource
	for _, res := range r.Resources() {
		if keep(res) {
			out = append(out, res)
		}
	}
	return out
}

// first returns the first recorded resource match accepts.
func (r *Recorder) first(match func(Resource) bool) (Resource, bool) {
	for _, res := range r.Resources() {
		if match(res) {
			return res, true
		}
	}
	return Resource{}, false
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
