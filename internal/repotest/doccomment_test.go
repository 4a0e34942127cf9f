package repotest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// documentedTrees are the directories, relative to the module root, whose packages (and
// every package below them) teams use: each exported identifier there needs a doc comment.
var documentedTrees = []string{"components", "stacks"}

// TestDocComments checks that every exported identifier of the packages under
// components/... and stacks has a doc comment: the package itself, types, functions,
// methods of exported types, constants and variables (a comment on their group counts, as
// godoc shows it), fields of exported struct types and methods of exported interfaces (a
// doc or a trailing comment; a comment above a run of consecutive fields documents the
// run). Embedded fields are named by their type and need none.
// Packages added later are covered by being under one of the trees; test files and
// testdata are not.
func TestDocComments(t *testing.T) {
	root := moduleRoot(t)
	// Given every package directory under the documented trees
	dirs := documentedDirs(t, root)

	// When each is parsed with its comments
	var missing []string
	packages := 0
	for _, dir := range dirs {
		found, pkgs := undocumented(t, root, dir)
		missing = append(missing, found...)
		packages += pkgs
	}

	// Then nothing exported lacks a doc comment
	if packages < len(documentedTrees) {
		t.Fatalf("found %d packages under %v; the walk is broken", packages, documentedTrees)
	}
	if len(missing) > 0 {
		t.Errorf("%d exported identifiers have no doc comment (say why they exist, not what they are):\n%s",
			len(missing), strings.Join(missing, "\n"))
	}
}

// documentedDirs lists the directories under documentedTrees, testdata and hidden ones left
// out as the go command leaves them out.
func documentedDirs(t testing.TB, root string) []string {
	t.Helper()
	var dirs []string
	for _, tree := range documentedTrees {
		err := filepath.WalkDir(filepath.Join(root, tree), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			if d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// BenchmarkDocComments measures one whole check: parsing every non-test file of the
// documented packages with comments and walking their declarations.
func BenchmarkDocComments(b *testing.B) {
	root := moduleRoot(b)
	dirs := documentedDirs(b, root)
	b.ReportAllocs()
	for b.Loop() {
		for _, dir := range dirs {
			undocumented(b, root, dir)
		}
	}
}

// undocumented returns "file:line: what" for each exported identifier without a doc comment
// in the non-test Go files of dir, and how many packages dir holds (0 or 1).
func undocumented(t testing.TB, root, dir string) ([]string, int) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name == "main" || ignoredByBuild(f) {
			continue
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, 0
	}
	var missing []string
	report := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		rel, err := filepath.Rel(root, p.Filename)
		if err != nil {
			rel = p.Filename
		}
		missing = append(missing, fmt.Sprintf("%s:%d: %s", filepath.ToSlash(rel), p.Line, fmt.Sprintf(format, args...)))
	}
	if !slices.ContainsFunc(files, func(f *ast.File) bool { return f.Doc != nil }) {
		rel, _ := filepath.Rel(root, dir)
		missing = append(missing, fmt.Sprintf("%s: package %s has no package doc comment", filepath.ToSlash(rel), files[0].Name.Name))
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv != nil {
					recv := receiverType(d.Recv.List[0].Type)
					if !ast.IsExported(recv) {
						continue
					}
					if d.Doc == nil {
						report(d.Pos(), "method %s.%s", recv, d.Name.Name)
					}
					continue
				}
				if d.Doc == nil {
					report(d.Pos(), "func %s", d.Name.Name)
				}
			case *ast.GenDecl:
				missing = append(missing, undocumentedSpecs(fset, d, report)...)
			}
		}
	}
	return missing, 1
}

// undocumentedSpecs reports the exported types, constants and variables of one declaration
// that have no doc comment of their own or of their group, and the undocumented fields and
// interface methods of its exported types. It returns nothing itself: report collects.
func undocumentedSpecs(fset *token.FileSet, d *ast.GenDecl, report func(token.Pos, string, ...any)) []string {
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			if !s.Name.IsExported() {
				continue
			}
			if s.Doc == nil && d.Doc == nil {
				report(s.Pos(), "type %s", s.Name.Name)
			}
			switch ty := s.Type.(type) {
			case *ast.StructType:
				// A comment above a run of fields with no blank line between them documents
				// the run ("// URL, ARN and Name are the main queue's."), as godoc shows it.
				runDocumented, prevEnd := false, 0
				for _, field := range ty.Fields.List {
					start := fset.Position(field.Pos()).Line
					switch {
					case field.Doc != nil:
						runDocumented = true
					case start != prevEnd+1:
						runDocumented = false
					}
					prevEnd = fset.Position(field.End()).Line
					if len(field.Names) == 0 || runDocumented || field.Comment != nil {
						continue
					}
					for _, n := range field.Names {
						if n.IsExported() {
							report(n.Pos(), "field %s.%s", s.Name.Name, n.Name)
						}
					}
				}
			case *ast.InterfaceType:
				for _, m := range ty.Methods.List {
					if len(m.Names) == 0 || m.Doc != nil || m.Comment != nil {
						continue
					}
					for _, n := range m.Names {
						if n.IsExported() {
							report(n.Pos(), "interface method %s.%s", s.Name.Name, n.Name)
						}
					}
				}
			}
		case *ast.ValueSpec:
			if s.Doc != nil || d.Doc != nil || s.Comment != nil && d.Lparen.IsValid() {
				continue
			}
			for _, n := range s.Names {
				if n.IsExported() {
					report(n.Pos(), "%s %s", d.Tok, n.Name)
				}
			}
		}
	}
	return nil
}

// receiverType is the name of a method's receiver type: T for T, *T, T[P] and *T[P].
func receiverType(expr ast.Expr) string {
	for {
		switch e := expr.(type) {
		case *ast.StarExpr:
			expr = e.X
		case *ast.IndexExpr:
			expr = e.X
		case *ast.IndexListExpr:
			expr = e.X
		case *ast.Ident:
			return e.Name
		default:
			return ""
		}
	}
}

// ignoredByBuild reports whether a file is left out of every build (//go:build ignore).
func ignoredByBuild(f *ast.File) bool {
	for _, c := range f.Comments {
		if c.Pos() >= f.Package {
			break
		}
		for _, l := range c.List {
			if strings.TrimSpace(l.Text) == "//go:build ignore" {
				return true
			}
		}
	}
	return false
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod at or above %s", dir)
		}
	}
}

// TestUndocumentedFinds checks the checker itself: each kind of exported identifier without
// a doc comment is found, and the documented forms (own doc, group doc, a run of fields under
// one comment, a trailing comment) are not.
func TestUndocumentedFinds(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // the "what" of each finding, in order
	}{
		{"package without doc", "package p\n", []string{"package p has no package doc comment"}},
		{"func", "// P.\npackage p\nfunc F() {}\n", []string{"func F"}},
		{"unexported func", "// P.\npackage p\nfunc f() {}\n", nil},
		{"method of exported type", "// P.\npackage p\n// T.\ntype T int\nfunc (T) M() {}\nfunc (*T) N() {}\n", []string{"method T.M", "method T.N"}},
		{"method of unexported type", "// P.\npackage p\ntype t int\nfunc (t) M() {}\n", nil},
		{"type", "// P.\npackage p\ntype T int\n", []string{"type T"}},
		{"grouped consts under a group doc", "// P.\npackage p\n// The values.\nconst (\n\tA = 1\n\tB = 2\n)\n", nil},
		{"grouped consts, trailing comments", "// P.\npackage p\nconst (\n\tA = 1 // a\n\tB = 2\n)\n", []string{"const B"}},
		{"var", "// P.\npackage p\nvar V = 1\n", []string{"var V"}},
		{"fields", "// P.\npackage p\n// T.\ntype T struct {\n\t// A.\n\tA int\n\tB int\n\n\tC int\n\tD int // d\n\te int\n\tT\n}\n", []string{"field T.C"}},
		{"interface methods", "// P.\npackage p\n// I.\ntype I interface {\n\t// M.\n\tM()\n\n\tN()\n}\n", []string{"interface method I.N"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Given a package of one file
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			// When it is checked
			found, _ := undocumented(t, dir, dir)
			// Then exactly the undocumented identifiers are named
			var got []string
			for _, f := range found {
				got = append(got, f[strings.LastIndex(f, ": ")+2:])
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("undocumented identifiers = %q, want %q", got, c.want)
			}
		})
	}
}
