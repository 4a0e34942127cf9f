package local

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Damage detection. Every file of a Store is written whole and renamed into place, so a
// file that does not decode, or disagrees with its own name, was damaged after it was
// written: by the disk, by a hand, by a copy cut short. Open checks every record,
// idempotency and pending file before it reads or writes any (a pending Create would
// otherwise be applied over a damaged record), and refuses to open with a *DamageError that
// names each damaged file and where it is damaged. Repair moves the damaged files into
// dir/damaged/<UTC time>/ (kept, never deleted) and reports what each one held.
//
// What this cannot see: the files stay plain JSON, readable and editable by hand, so they
// carry no checksum, and a change that leaves a file valid JSON of the right shape (a
// letter of a name changed) is not detected. A misspelt field name is: decoding refuses
// fields the record types do not have.

// DamagedFile is one damaged file of a Store.
type DamagedFile struct {
	// Path is the file.
	Path string
	// Where locates the damage in it: a byte offset, or a field.
	Where string
	// Problem says what is wrong there.
	Problem string
	// Holds says what the file held, as far as its name tells.
	Holds string
	// SetAside is where Repair moved it; empty until then.
	SetAside string
}

func (d DamagedFile) String() string {
	return fmt.Sprintf("%s (%s), at %s: %s", d.Path, d.Holds, d.Where, d.Problem)
}

// DamageError is the error Open returns when files of the store are damaged. Open leaves
// every file as it found it; Repair sets the damaged ones aside.
type DamageError struct {
	// Dir is the store's directory.
	Dir string
	// Files are the damaged files, in directory order.
	Files []DamagedFile
}

// RepairHint, when set, returns the command that repairs a damaged store, for DamageError's
// message. The local server's command sets it to its own repair subcommand; nil means the
// message names Repair.
var RepairHint func(dir string) string

func (e *DamageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "local store: %d damaged file(s), left as they are: ", len(e.Files))
	for i, f := range e.Files {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Files)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	hint := fmt.Sprintf("local.Repair(%q)", e.Dir)
	if RepairHint != nil {
		hint = RepairHint(e.Dir)
	}
	fmt.Fprintf(&b, ". To set them aside and keep the rest: %s", hint)
	return b.String()
}

// checkDir checks every file the store reads: records, idempotency keys, pending Creates.
func checkDir(dir string) error {
	var damaged []DamagedFile
	for _, sub := range []string{"records", "idem", "pending"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return fmt.Errorf("local store: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
				continue // not a file this store wrote, nor one it reads
			}
			d, err := checkFile(sub, filepath.Join(dir, sub, e.Name()))
			if err != nil {
				return fmt.Errorf("local store: %w", err)
			}
			if d != nil {
				damaged = append(damaged, *d)
			}
		}
	}
	if len(damaged) > 0 {
		return &DamageError{Dir: dir, Files: damaged}
	}
	return nil
}

// checkFile checks one file of kind sub; the error is for I/O only.
func checkFile(sub, path string) (*DamagedFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	d := &DamagedFile{Path: path}
	var v any
	switch sub {
	case "records":
		d.Holds = "the record of inquiry " + name
		v = &inquiry.Inquiry{}
	case "idem":
		d.Holds = "an idempotency key, SHA-256 " + name
		v = &inquiry.Idempotency{}
	default:
		d.Holds = "a committed Create of inquiry " + name + " and its idempotency key"
		v = &pendingCreate{}
	}
	if len(data) == 0 {
		d.Where, d.Problem = "byte 0", "the file is empty"
		return d, nil
	}
	if where, err := decodeStrict(data, v); err != nil {
		d.Where, d.Problem = where, err.Error()
		return d, nil //nolint:nilerr // the decoding error is the damage found, reported in d
	}
	switch v := v.(type) {
	case *inquiry.Inquiry:
		if v.ID != name {
			d.Where, d.Problem = "field id", fmt.Sprintf("holds %q; the file's name says %q", v.ID, name)
			return d, nil
		}
	case *inquiry.Idempotency:
		if sum := sha256.Sum256([]byte(v.Key)); hex.EncodeToString(sum[:]) != name {
			d.Where, d.Problem = "field key", fmt.Sprintf("%q does not hash to the file's name", v.Key)
			return d, nil
		}
	case *pendingCreate:
		if v.Record.ID != name {
			d.Where, d.Problem = "field record.id", fmt.Sprintf("holds %q; the file's name says %q", v.Record.ID, name)
			return d, nil
		}
	}
	return nil, nil
}

// decodeStrict decodes exactly one JSON value of v's type, with no field v does not have,
// and says where it failed.
func decodeStrict(data []byte, v any) (where string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("byte %d of %d", syntax.Offset, len(data)), err
	case errors.As(err, &typ):
		return fmt.Sprintf("byte %d of %d (field %s)", typ.Offset, len(data), typ.Field), err
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("byte %d (the end of the file)", len(data)), errors.New("the file ends in the middle of its JSON value")
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return fmt.Sprintf("byte %d of %d", max(bytes.Index(data, []byte(field)), 0), len(data)), err
	case err != nil:
		return fmt.Sprintf("byte %d of %d", dec.InputOffset(), len(data)), err
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return fmt.Sprintf("byte %d of %d", dec.InputOffset(), len(data)), errors.New("more data after the JSON value")
	}
	return "", nil
}

// RepairReport says what Repair did to a store.
type RepairReport struct {
	// Dir is the store's directory.
	Dir string
	// SetAsideDir holds the damaged files Repair moved, under their own sub-directory and
	// name; empty when no file was damaged.
	SetAsideDir string
	// Files are the damaged files, each with where it was moved.
	Files []DamagedFile
}

// Repair moves the damaged files of the store kept under dir (those Open refuses) into
// dir/damaged/<UTC time>/, keeping each one as it was, so that the store opens with every
// other file. The store must not be open meanwhile.
func Repair(dir string) (*RepairReport, error) {
	rep := &RepairReport{Dir: dir}
	err := checkDir(dir)
	var de *DamageError
	if err == nil || !errors.As(err, &de) {
		if errors.Is(err, os.ErrNotExist) {
			err = nil // no store yet: nothing to repair
		}
		return rep, err
	}
	rep.SetAsideDir = filepath.Join(dir, "damaged", time.Now().UTC().Format("20060102T150405.000000000Z"))
	for _, f := range de.Files {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			return rep, err
		}
		f.SetAside = filepath.Join(rep.SetAsideDir, rel)
		if err := os.MkdirAll(filepath.Dir(f.SetAside), 0o755); err != nil {
			return rep, fmt.Errorf("local store: %w", err)
		}
		if err := os.Rename(f.Path, f.SetAside); err != nil {
			return rep, fmt.Errorf("local store: set %s aside: %w", f.Path, err)
		}
		for _, d := range []string{filepath.Dir(f.SetAside), filepath.Dir(f.Path)} {
			if err := fsutil.SyncDir(d); err != nil {
				return rep, fmt.Errorf("local store: %w", err)
			}
		}
		rep.Files = append(rep.Files, f)
	}
	return rep, nil
}
