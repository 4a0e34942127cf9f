package porttest

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// ArchiveStore runs the inquiry.ArchiveStore contract against the stores newArchive returns.
// newArchive is called once per subtest; every subtest writes under its own random root
// prefix, so a shared store works too.
func ArchiveStore(t *testing.T, newArchive func(t *testing.T) inquiry.ArchiveStore) {
	t.Helper()

	t.Run("Get returns the body Put stored", func(t *testing.T) {
		// Given an archive
		a, ctx := newArchive(t), t.Context()
		key := randomRoot() + "inquiries/2026/11/26/" + randomID() + ".json"
		body := []byte(`{"id":"x","message":"Ünïcödé ✓\n"}`)
		// When a body is put
		if err := a.Put(ctx, key, body); err != nil {
			t.Fatalf("Put: %v", err)
		}
		// Then Get returns the same bytes
		got, err := a.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get after Put: %v", err)
		}
		if !bytes.Equal(got, body) {
			t.Errorf("body read back = %q, want %q", got, body)
		}
	})

	t.Run("Put of the same body at the same key again is harmless", func(t *testing.T) {
		// Given a stored object
		a, ctx := newArchive(t), t.Context()
		root := randomRoot()
		key := root + "inquiries/2026/11/26/" + randomID() + ".json"
		body := []byte(`{"id":"again"}`)
		if err := a.Put(ctx, key, body); err != nil {
			t.Fatalf("first Put: %v", err)
		}
		// When the same body is put again, as a redelivered event would
		if err := a.Put(ctx, key, body); err != nil {
			t.Fatalf("second Put of the same body: %v, want nil", err)
		}
		// Then there is still one object with that body
		got, err := a.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get after second Put: %v", err)
		}
		if !bytes.Equal(got, body) {
			t.Errorf("body after second Put = %q, want %q", got, body)
		}
		keys, err := a.List(ctx, root)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if !slices.Equal(keys, []string{key}) {
			t.Errorf("List after two Puts = %q, want exactly [%q]", keys, key)
		}
	})

	t.Run("Get of an unknown key returns ErrNotFound", func(t *testing.T) {
		a, ctx := newArchive(t), t.Context()
		_, err := a.Get(ctx, randomRoot()+"inquiries/missing.json")
		if !errors.Is(err, inquiry.ErrNotFound) {
			t.Fatalf("Get(unknown) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("List returns exactly the keys under a prefix, sorted", func(t *testing.T) {
		// Given objects in and around a prefix, put out of order
		a, ctx := newArchive(t), t.Context()
		root := randomRoot()
		prefix := root + "inquiries/2026/11/"
		under := []string{
			prefix + "26/b.json",
			prefix + "25/z.json",
			prefix + "26/a.json",
			prefix + "26/a.json.bak",
		}
		outside := []string{
			root + "inquiries/2026/12/01/c.json",
			root + "inquiries/2026/11.json", // shares the text up to the slash only
			root + "other/inquiries/2026/11/26/d.json",
		}
		for _, k := range append(slices.Clone(under), outside...) {
			if err := a.Put(ctx, k, []byte(`{}`)); err != nil {
				t.Fatalf("Put(%s): %v", k, err)
			}
		}
		// When the prefix is listed
		got, err := a.List(ctx, prefix)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		// Then the keys under it come back sorted, and nothing else
		want := slices.Sorted(slices.Values(under))
		if !slices.Equal(got, want) {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	})

	t.Run("List of a prefix with no keys returns none", func(t *testing.T) {
		a, ctx := newArchive(t), t.Context()
		got, err := a.List(ctx, randomRoot())
		if err != nil {
			t.Fatalf("List(empty prefix): %v", err)
		}
		if len(got) != 0 {
			t.Errorf("List(empty prefix) = %q, want no keys", got)
		}
	})
}

// randomRoot returns a fresh key prefix ending in a slash.
func randomRoot() string { return "porttest-" + randomID() + "/" }
