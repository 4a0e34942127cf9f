package platformconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

var typeOfPlatform = reflect.TypeFor[PlatformConfig]()

// decode decodes the JSON object raw into p strictly, adding a problem for every unknown
// key and every value of the wrong kind, and going on past each, so that one run names
// every mistake. encoding/json alone would stop at the first, accept "Tier" for "tier", and
// name a Go type ("slice") where the user wrote YAML.
func (c *checker) decode(raw []byte, p *PlatformConfig) {
	c.badPaths = map[string]bool{}
	c.unknown = map[string][]string{}
	c.decodeValue(raw, reflect.ValueOf(p).Elem(), []string{Key})
}

func (c *checker) decodeValue(raw []byte, v reflect.Value, path []string) {
	got := kindOf(raw)
	if got == "null" { // a key with nothing after it: its zero value, as encoding/json has it
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if got != "mapping" {
			c.wrongKind(path, "a mapping (keys indented under it)", got, "")
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			c.wrongKind(path, "a mapping", got, err.Error())
			return
		}
		fields, known := fieldsOf(v.Type())
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			i, ok := fields[k]
			if !ok {
				msg := "unknown key"
				if s := closest(k, known); s != "" {
					msg += fmt.Sprintf("; did you mean %s?", s)
				}
				c.add(append(slices.Clip(path), k), "%s (known: %s)", msg, strings.Join(known, ", "))
				c.unknown[joinPath(path)] = append(c.unknown[joinPath(path)], k)
				continue
			}
			c.decodeValue(obj[k], v.Field(i), append(slices.Clip(path), k))
		}
	case reflect.String:
		if got != "string" {
			c.wrongKind(path, "a string", got, quoteHint(path, raw, got))
			return
		}
		_ = json.Unmarshal(raw, v.Addr().Interface()) // a JSON string: cannot fail
	case reflect.Int:
		if got != "number" {
			c.wrongKind(path, "a number", got, "")
			return
		}
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			c.wrongKind(path, "a whole number", "number "+string(raw), "")
		}
	case reflect.Bool:
		if got != "true or false" {
			hint := ""
			if got == "string" {
				hint = "write true or false without quotes"
			}
			c.wrongKind(path, "true or false", got, hint)
			return
		}
		_ = json.Unmarshal(raw, v.Addr().Interface())
	case reflect.Slice:
		if got != "list" {
			hint := ""
			if got == "string" || got == "number" {
				hint = fmt.Sprintf("write it as a list, one \"- %s\" line under the key, or [%s]", scalarText(raw), scalarText(raw))
			}
			c.wrongKind(path, "a list", got, hint)
			return
		}
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			c.decodeValue(item, s.Index(i), append(slices.Clip(path), fmt.Sprintf("[%d]", i)))
		}
		v.Set(s)
	default:
		panic(fmt.Sprintf("platformconfig: no decoder for %s", v.Type())) // a field added without one
	}
}

// wrongKind adds the problem of a value of the wrong kind and marks its key, so that its
// value is not checked again.
func (c *checker) wrongKind(path []string, want, got, hint string) {
	msg := fmt.Sprintf("want %s, got %s", want, article(got))
	if hint != "" {
		msg += "; " + hint
	}
	c.add(path, "%s", msg)
	c.badPaths[joinPath(path)] = true
}

// quoteHint is the advice for a number or true/false where a string is wanted: YAML reads
// an unquoted 012345678901 as a number (and Pulumi passes it on as one, without its leading
// zero), so an account id must be quoted.
func quoteHint(path []string, raw []byte, got string) string {
	if got != "number" && got != "true or false" {
		return ""
	}
	name := path[len(path)-1]
	if name == "accountId" {
		return fmt.Sprintf("quote the account id, as in accountId: \"012345678901\": YAML reads unquoted digits as a number and drops leading zeros (this one reads as %s)", scalarText(raw))
	}
	return fmt.Sprintf("quote it (%s: \"%s\")", name, scalarText(raw))
}

func scalarText(raw []byte) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// kindOf names the kind of a JSON value as the user wrote it in YAML: a string, a number,
// true or false, a list, a mapping, null.
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	if !json.Valid(raw) {
		return "string" // a scalar as Pulumi passes a top-level one on: its YAML text
	}
	switch raw[0] {
	case '"':
		return "string"
	case '[':
		return "list"
	case '{':
		return "mapping"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "number"
}

func article(kind string) string {
	switch {
	case kind == "true or false":
		return "true or false"
	case strings.HasPrefix(kind, "number "):
		return kind[len("number "):]
	case kind == "null":
		return "nothing"
	}
	return "a " + kind
}

// fieldsOf maps a struct's JSON names to field indexes, and lists the names in field order.
func fieldsOf(t reflect.Type) (map[string]int, []string) {
	fields := map[string]int{}
	var known []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			fields[name] = i
			known = append(known, name)
		}
	}
	return fields, known
}

// fieldNamed returns the JSON name of t's field called name, in any case.
func fieldNamed(t reflect.Type, name string) (string, bool) {
	_, known := fieldsOf(t)
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}
