package platformconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReadStackFile reads a stack file (stacks/Pulumi.<stack>.yaml) as the Pulumi CLI and the
// SDK's workspace package read it: its config mapping flattened to "namespace:key" ->
// value, scalars as their text and mappings and lists as JSON (numbers stay numbers, so an
// unquoted account id arrives as a number, as it does under Pulumi). The stack's name is
// the file's: Pulumi.<stack>.yaml. Pass the Input to Check, with the Rules that apply.
func ReadStackFile(path string) (Input, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return Input{}, err
	}
	values, err := flatten(text)
	if err != nil {
		return Input{}, fmt.Errorf("%s: %w", path, err)
	}
	name := filepath.Base(path)
	stack := strings.TrimSuffix(strings.TrimPrefix(name, "Pulumi."), filepath.Ext(name))
	return Input{Stack: stack, File: path, Values: values, YAML: text}, nil
}

// flatten reads a stack file's config mapping.
func flatten(text []byte) (map[string]string, error) {
	cfg, err := configNode(text)
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	if cfg == nil {
		return values, nil
	}
	for i := 0; i+1 < len(cfg.Content); i += 2 {
		k, v := cfg.Content[i], cfg.Content[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				values[k.Value] = ""
				continue
			}
			values[k.Value] = v.Value
		default:
			var x any
			if err := v.Decode(&x); err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
			}
			j, err := json.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
			}
			values[k.Value] = string(j)
		}
	}
	return values, nil
}

// configNode returns the stack file's config mapping, or nil when it has none.
func configNode(text []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotStackFile, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file: no config, as Pulumi has it
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: line %d: want a mapping with a config: key", ErrNotStackFile, root.Line)
	}
	cfg := lookup(root, "config")
	if cfg == nil || (cfg.Kind == yaml.ScalarNode && cfg.Tag == "!!null") {
		return nil, nil
	}
	if cfg.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: line %d: config: want a mapping of keys", ErrNotStackFile, cfg.Line)
	}
	return cfg, nil
}

// locate gives each problem the line of its key in the stack file text, when the file holds
// the groundwork:platform object that was checked (raw): under a test that runs the program
// with config of its own, the file at hand is another one, and its lines would mislead.
// A key that is missing gets the line of the mapping that should hold it.
func locate(text []byte, raw string, problems []Problem) {
	cfg, err := configNode(text)
	if err != nil || cfg == nil {
		return
	}
	values, err := flatten(text)
	if err != nil || !sameJSON(normalize(values)[Key], raw) {
		return
	}
	for i := range problems {
		problems[i].Line = lineOf(cfg, problems[i].path)
	}
}

// lineOf returns the line of the key at path under the config mapping cfg, or of the
// deepest mapping or list on the way that holds it.
func lineOf(cfg *yaml.Node, path []string) int {
	if len(path) == 0 {
		return 0
	}
	top := path[0]
	keyNode, node := entry(cfg, top)
	if keyNode == nil {
		if short, ok := strings.CutPrefix(top, Project+":"); ok {
			keyNode, node = entry(cfg, short)
		}
	}
	if keyNode == nil {
		return 0
	}
	line := keyNode.Line
	for _, seg := range path[1:] {
		switch {
		case node.Kind == yaml.MappingNode && !strings.HasPrefix(seg, "["):
			k, v := entry(node, seg)
			if k == nil {
				return line
			}
			line, node = k.Line, v
		case node.Kind == yaml.SequenceNode && strings.HasPrefix(seg, "["):
			i, err := strconv.Atoi(strings.Trim(seg, "[]"))
			if err != nil || i < 0 || i >= len(node.Content) {
				return line
			}
			node = node.Content[i]
			line = node.Line
		default:
			return line
		}
	}
	return line
}

// entry returns the key and value nodes of a mapping's key.
func entry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	_, v := entry(m, key)
	return v
}

// sameJSON reports whether two JSON texts hold the same value ("" is no value).
func sameJSON(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
