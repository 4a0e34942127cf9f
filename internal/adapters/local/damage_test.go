package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

func TestDamagedStoreFilesAreRefusedThenSetAside(t *testing.T) {
	idemFile := func(key string) string {
		sum := sha256.Sum256([]byte(key))
		return filepath.Join("idem", hex.EncodeToString(sum[:])+".json")
	}
	cases := []struct {
		name    string
		file    string                                 // relative to the store
		damage  func(t *testing.T, data []byte) []byte // the file's new content
		where   string                                 // regexp
		problem string                                 // substring
		holds   string                                 // substring
	}{
		{"a record cut short", "records/victim.json",
			func(_ *testing.T, d []byte) []byte { return d[:len(d)-10] },
			`^byte \d+ \(the end of the file\)$`, "ends in the middle", "the record of inquiry victim"},
		{"an empty record", "records/victim.json",
			func(*testing.T, []byte) []byte { return nil },
			`^byte 0$`, "empty", "the record of inquiry victim"},
		{"a record with a byte flipped into its syntax", "records/victim.json",
			func(t *testing.T, d []byte) []byte {
				i := bytes.IndexByte(d, ':')
				require.Positive(t, i)
				d[i] = ';'
				return d
			},
			`^byte \d+ of \d+$`, "invalid character", "the record of inquiry victim"},
		{"a record with a misspelt field", "records/victim.json",
			func(_ *testing.T, d []byte) []byte { return bytes.Replace(d, []byte(`"email"`), []byte(`"emajl"`), 1) },
			`^byte \d+ of \d+$`, `unknown field "emajl"`, "the record of inquiry victim"},
		{"a record under another record's name", "records/victim.json",
			func(_ *testing.T, d []byte) []byte {
				return bytes.Replace(d, []byte(`"id":"victim"`), []byte(`"id":"vectim"`), 1)
			},
			`^field id$`, `holds "vectim"`, "the record of inquiry victim"},
		{"garbage after the record", "records/victim.json",
			func(_ *testing.T, d []byte) []byte { return append(d, []byte(`{"id":"x"}`)...) },
			`^byte \d+ of \d+$`, "more data after the JSON value", "the record of inquiry victim"},
		{"an idempotency key cut short", idemFile("victim-key"),
			func(_ *testing.T, d []byte) []byte { return d[:5] },
			`^byte \d+ \(the end of the file\)$`, "ends in the middle", "an idempotency key"},
		{"a committed Create damaged", "pending/pending-victim.json",
			func(_ *testing.T, d []byte) []byte { return d[:len(d)/2] },
			`^byte \d+ \(the end of the file\)$`, "ends in the middle", "a committed Create of inquiry pending-victim"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a store with records, a key and a pending Create, one file of which is
			// damaged
			ctx := context.Background()
			dir := t.TempDir()
			s, err := Open(dir)
			require.NoError(t, err)
			expires := time.Now().Add(time.Hour).UTC()
			require.NoError(t, s.Create(ctx, newInquiry("victim"), &inquiry.Idempotency{Key: "victim-key", InquiryID: "victim", ExpiresAt: expires}))
			require.NoError(t, s.Create(ctx, newInquiry("bystander"), nil))
			pending, err := json.Marshal(pendingCreate{Record: newInquiry("pending-victim"), Idem: inquiry.Idempotency{Key: "k2", InquiryID: "pending-victim", ExpiresAt: expires}})
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "pending", "pending-victim.json"), pending, 0o644))
			path := filepath.Join(dir, tc.file)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			damaged := tc.damage(t, bytes.Clone(data))
			require.NoError(t, os.WriteFile(path, damaged, 0o644))

			// When it is opened
			_, err = Open(dir)

			// Then it is refused, naming the file, where it is damaged and what it held;
			// the file is left as it is and the pending Create is not applied
			var de *DamageError
			require.ErrorAs(t, err, &de, "a damaged store is refused: %v", err)
			require.Len(t, de.Files, 1, "exactly the damaged file is named: %v", de.Files)
			got := de.Files[0]
			require.Equal(t, path, got.Path)
			require.Regexp(t, regexp.MustCompile(tc.where), got.Where)
			require.Contains(t, got.Problem, tc.problem)
			require.Contains(t, got.Holds, tc.holds)
			require.Contains(t, err.Error(), path)
			require.Contains(t, err.Error(), "local.Repair(")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			require.True(t, bytes.Equal(damaged, after), "the damaged file is not rewritten")
			_, err = os.Stat(filepath.Join(dir, "pending", "pending-victim.json"))
			require.NoError(t, err, "nothing is applied while the store is refused")

			// When it is repaired
			rep, err := Repair(dir)
			require.NoError(t, err)

			// Then the damaged file is moved aside as it was, and the store opens with the rest
			require.Len(t, rep.Files, 1)
			require.Equal(t, path, rep.Files[0].Path)
			require.True(t, strings.HasPrefix(rep.Files[0].SetAside, filepath.Join(dir, "damaged")+string(filepath.Separator)))
			aside, err := os.ReadFile(rep.Files[0].SetAside)
			require.NoError(t, err)
			require.True(t, bytes.Equal(damaged, aside), "the set-aside file is the damaged file, unchanged")
			_, err = os.Stat(path)
			require.True(t, errors.Is(err, os.ErrNotExist), "the damaged file is no longer where the store reads")
			s, err = Open(dir)
			require.NoError(t, err, "the repaired store opens")
			b, err := s.Get(ctx, "bystander")
			require.NoError(t, err)
			require.Equal(t, newInquiry("bystander"), b, "the other records are kept as they were")
			again, err := Repair(dir)
			require.NoError(t, err)
			require.Empty(t, again.Files, "a repaired store has nothing left to repair")
		})
	}
}

func TestStrayFilesAreNotDamage(t *testing.T) {
	// Given files the store neither wrote nor reads (an editor's backup, a directory)
	dir := t.TempDir()
	_, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "records", "a.json~"), []byte("junk"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "records", "sub.json"), 0o755))
	// When it is opened, then they are left alone
	_, err = Open(dir)
	require.NoError(t, err)
}
