package localqueue

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// damageFixture is a closed queue whose file spans many pages: n messages of about 400
// bytes, the first few received once, and a last message sent alone in the last commit.
type damageFixture struct {
	dir, path string
	ids       []string          // in send order; the last one is "last"
	state     map[string]string // id -> snapshot line (body, receive count, visibility)
	lastID    string
}

const fixtureMessages = 200

func newDamageFixture(t *testing.T) *damageFixture {
	t.Helper()
	dir := fastDir(t) // the damage is made by hand: the disk's fsyncs are not under test

	c := newClock()
	q, err := Open(Config{Dir: dir, Now: c.Now})
	require.NoError(t, err)
	var bodies []string
	for i := range fixtureMessages {
		bodies = append(bodies, fmt.Sprintf("%04d-%s", i, strings.Repeat("x", 400)))
	}
	ids := send(t, q, bodies...)
	require.Len(t, receive(t, q, 10), 10)
	c.Advance(10 * 1e9)
	last := send(t, q, "last")[0]
	f := &damageFixture{dir: dir, path: filepath.Join(dir, fileName), ids: append(ids, last), lastID: last, state: map[string]string{}}
	for _, line := range snapshot(q) {
		f.state[strings.Fields(line)[0]] = line
	}
	require.NoError(t, q.Close())
	return f
}

// layout is where the fixture's file keeps what: its chosen meta, and the ids of the
// messages on each leaf page of the messages bucket.
type layout struct {
	pageSize    int
	metas       [2]meta
	newest      int // index of the meta with the higher txid
	leaves      map[uint64][]string
	messageRoot uint64 // root page of the messages bucket
}

func readLayout(t *testing.T, path string) layout {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	f, size := bytes.NewReader(data), int64(len(data))
	m0 := readMeta(f, size, 0)
	require.True(t, m0.valid, "meta page 0 of the fixture is valid")
	l := layout{pageSize: int(m0.pageSize), leaves: map[uint64][]string{}}
	l.metas = [2]meta{m0, readMeta(f, size, int64(m0.pageSize))}
	if l.metas[1].txid > m0.txid {
		l.newest = 1
	}
	chosen := l.metas[l.newest]
	s := newScanner(f, size, l.pageSize, chosen.hwm, &scanResult{ids: map[string]uint64{}})
	s.walk(chosen.root, nil, nil, nil, func(e element, _ uint64, _ string, _ int) {
		if string(e.key) == string(bucketMessages) {
			l.messageRoot = ne.Uint64(e.value)
		}
	})
	require.NotZero(t, l.messageRoot, "the messages bucket is not inline in a 200-message file")
	s.walk(l.messageRoot, nil, nil, nil, func(e element, page uint64, _ string, _ int) {
		m, err := decodeMessage(e.key, e.value)
		require.NoError(t, err)
		l.leaves[page] = append(l.leaves[page], m.id)
	})
	return l
}

// middleLeaf is a leaf page of the messages bucket that the last commit did not rewrite.
func (l layout) middleLeaf(t *testing.T, f *damageFixture) uint64 {
	var pages []uint64
	for p, ids := range l.leaves {
		if !slices.Contains(ids, f.lastID) {
			pages = append(pages, p)
		}
	}
	require.Greater(t, len(pages), 4, "the fixture spans many leaf pages")
	slices.Sort(pages)
	return pages[len(pages)/2]
}

func (l layout) pageBytes(p uint64) (int64, int64) {
	return int64(p) * int64(l.pageSize), int64(p+1)*int64(l.pageSize) - 1
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(b, off)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestDamagedQueueFileIsRefusedThenRepaired(t *testing.T) {
	type expect struct {
		where *regexp.Regexp // the first damaged place Open names
		lost  []string       // ids Repair reports lost by id; nil: none
		// unknownLost is how many messages Repair reports lost without an id.
		unknownLost int
		// gone are ids that are neither kept nor named: the transaction that held them
		// is unreadable, which the damage list says.
		gone []string
		// mayGo are ids that may be gone in the same way, depending on where bbolt put
		// the last transaction's pages.
		mayGo []string
	}
	cases := []struct {
		name   string
		damage func(t *testing.T, f *damageFixture, l layout) expect
	}{
		{"zero-length file", func(t *testing.T, f *damageFixture, _ layout) expect {
			require.NoError(t, os.Truncate(f.path, 0))
			return expect{where: regexp.MustCompile(`^byte 0$`), gone: f.ids}
		}},
		{"random bytes over the whole file", func(t *testing.T, f *damageFixture, _ layout) expect {
			st, err := os.Stat(f.path)
			require.NoError(t, err)
			junk := make([]byte, st.Size())
			_, _ = rand.Read(junk)
			writeAt(t, f.path, 0, junk)
			return expect{where: regexp.MustCompile(`^meta page 0`), gone: f.ids}
		}},
		{"truncated into the pages in use", func(t *testing.T, f *damageFixture, l layout) expect {
			hwm := l.metas[l.newest].hwm
			require.NoError(t, os.Truncate(f.path, int64(hwm)*int64(l.pageSize)-int64(l.pageSize)/2))
			// The last transaction's pages may be among those cut off: its message is then
			// gone, and the damage says the file is cut short at that transaction.
			return expect{where: regexp.MustCompile(`^end of file \(byte \d+\)$`), mayGo: []string{f.lastID}}
		}},
		{"a page in the middle zeroed", func(t *testing.T, f *damageFixture, l layout) expect {
			p := l.middleLeaf(t, f)
			start, end := l.pageBytes(p)
			writeAt(t, f.path, start, make([]byte, l.pageSize))
			return expect{where: regexp.MustCompile(fmt.Sprintf(`^page %d \(bytes %d-%d\)$`, p, start, end)), lost: l.leaves[p]}
		}},
		{"bytes flipped in a message", func(t *testing.T, f *damageFixture, l layout) expect {
			p := l.middleLeaf(t, f)
			victim := l.leaves[p][1]
			start, _ := l.pageBytes(p)
			page := make([]byte, l.pageSize)
			fd, err := os.Open(f.path)
			require.NoError(t, err)
			_, err = fd.ReadAt(page, start)
			require.NoError(t, err)
			fd.Close()
			body := strings.Fields(f.state[victim])[1][1:5] // the body's 4-digit prefix, unique
			at := bytes.Index(page, []byte(body+"-xxxx"))
			require.Positive(t, at, "the victim's body is on its page")
			writeAt(t, f.path, start+int64(at)+10, []byte("y")) // an x becomes a y
			return expect{where: regexp.MustCompile(fmt.Sprintf(`^page %d \(bytes \d+-\d+\), element 1 \(message #\d+\)$`, p)), lost: []string{victim}}
		}},
		{"newest meta page torn", func(t *testing.T, f *damageFixture, l layout) expect {
			start, _ := l.pageBytes(uint64(l.newest))
			writeAt(t, f.path, start+pageHeaderSize+20, []byte{0xde, 0xad})
			return expect{where: regexp.MustCompile(fmt.Sprintf(`^meta page %d \(bytes %d-`, l.newest, start)), gone: []string{f.lastID}}
		}},
		{"older meta page zeroed", func(t *testing.T, f *damageFixture, l layout) expect {
			start, _ := l.pageBytes(uint64(1 - l.newest))
			writeAt(t, f.path, start, make([]byte, l.pageSize))
			return expect{where: regexp.MustCompile(fmt.Sprintf(`^meta page %d `, 1-l.newest))}
		}},
		{"a branch pointer flipped", func(t *testing.T, f *damageFixture, l layout) expect {
			start, _ := l.pageBytes(l.messageRoot)
			// The messages bucket's root is a branch page: its element 0 names its first
			// child at bytes 8-15 of the element.
			fd, err := os.ReadFile(f.path)
			require.NoError(t, err)
			require.Equal(t, uint16(branchPageFlag), ne.Uint16(fd[start+8:]), "the messages root is a branch page")
			child := ne.Uint64(fd[start+pageHeaderSize+8:])
			writeAt(t, f.path, start+pageHeaderSize+8, ne.AppendUint64(nil, child^0x4000))
			// The last commit rewrote this branch page (its path to the last message); the
			// page it replaced, in the previous transaction's tree, still points at the
			// child, whose messages the last commit did not change: nothing is lost.
			return expect{where: regexp.MustCompile(`^page \d+ \(bytes \d+-\d+\)$`)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a queue file damaged in a known place
			f := newDamageFixture(t)
			want := tc.damage(t, f, readLayout(t, f.path))
			damaged, err := os.ReadFile(f.path)
			require.NoError(t, err)
			entries := dirEntries(t, f.dir)

			// When the queue is opened
			_, err = Open(Config{Dir: f.dir})

			// Then it is refused, naming the file and where it is damaged, and nothing changed
			var de *DamageError
			require.ErrorAs(t, err, &de, "a damaged queue file is refused as damaged: %v", err)
			require.Equal(t, f.path, de.File, "the error names the damaged file")
			require.NotEmpty(t, de.Damage)
			require.Regexp(t, want.where, de.Damage[0].Where, "the error says where the file is damaged: %v", de.Damage)
			require.Contains(t, err.Error(), f.path)
			require.Contains(t, err.Error(), "localqueue.Repair", "the error says how to repair")
			after, err := os.ReadFile(f.path)
			require.NoError(t, err)
			require.True(t, bytes.Equal(damaged, after), "a refused file is not rewritten")
			require.Equal(t, entries, dirEntries(t, f.dir), "a refused open creates no file")

			// When it is repaired
			rep, err := Repair(f.dir)
			require.NoError(t, err)

			// Then the damaged file is set aside as it was, and the report names the damage
			require.True(t, rep.Repaired())
			require.Equal(t, f.path, rep.File)
			aside, err := os.ReadFile(rep.SetAside)
			require.NoError(t, err, "the damaged file is kept under a new name")
			require.True(t, bytes.Equal(damaged, aside), "the set-aside file is the damaged file, unchanged")
			require.Regexp(t, `queue\.db\.damaged-\d{8}T\d{6}Z$`, rep.SetAside)
			require.Equal(t, de.Damage, rep.Damage, "the report lists the damage Open named")

			// And the new queue holds every intact message exactly as it was, and the
			// report accounts for the others
			q, err := Open(Config{Dir: f.dir})
			require.NoError(t, err, "the repaired queue opens")
			kept := map[string]string{}
			for _, line := range snapshot(q) {
				kept[strings.Fields(line)[0]] = line
			}
			require.NoError(t, q.Close())
			require.Equal(t, len(kept), rep.Kept, "the report counts the kept messages")
			slices.Sort(want.lost)
			require.Equal(t, want.lost, rep.LostIDs, "the report names the lost messages")
			require.Equal(t, want.unknownLost, rep.LostUnknown)
			var missing []string
			for _, id := range f.ids {
				line, ok := kept[id]
				switch {
				case ok:
					require.Equal(t, f.state[id], line, "a kept message keeps its body, receive count and visibility")
				case !slices.Contains(rep.LostIDs, id):
					missing = append(missing, id)
				}
			}
			sort.Strings(missing)
			wantGone := slices.Clone(want.gone)
			sort.Strings(wantGone)
			if len(want.mayGo) > 0 && len(missing) > 0 {
				require.Subset(t, want.mayGo, missing, "only a message of the cut-off transaction is gone")
				wantGone = missing
			}
			require.Equal(t, wantGone, missing, "every message is kept or reported, but those of an unreadable transaction")
			require.Len(t, kept, len(f.ids)-len(rep.LostIDs)-len(missing), "no message appears that was not sent")

			// And a second repair finds nothing to do
			again, err := Repair(f.dir)
			require.NoError(t, err)
			require.False(t, again.Repaired(), "a repaired queue is whole: %v", again.Damage)
		})
	}
}

func TestOpenRefusesAQueueFileInUse(t *testing.T) {
	dir := t.TempDir()
	q, err := Open(Config{Dir: dir})
	require.NoError(t, err)
	defer q.Close()
	_, err = Open(Config{Dir: dir})
	if !errors.Is(err, ErrInUse) {
		t.Skipf("no advisory locks here: %v", err)
	}
	require.ErrorIs(t, err, ErrInUse, "a second open of the same queue file is refused")
	_, err = Repair(dir)
	require.ErrorIs(t, err, ErrInUse, "a queue in use is not repaired")
}

func TestRepairHintNamesTheCommand(t *testing.T) {
	f := newDamageFixture(t)
	require.NoError(t, os.Truncate(f.path, 0))
	RepairHint = func(file string) string { return "fix " + file }
	defer func() { RepairHint = nil }()
	_, err := Open(Config{Dir: f.dir})
	require.ErrorContains(t, err, "To set it aside and keep what is intact: fix "+f.path)
}

// TestNoFlippedByteChangesAMessageSilently flips one byte at a time, at random places of a
// queue file (seeded), and checks the property the damage checks exist for: either the
// file is reported damaged, or it holds exactly the messages it held before.
func TestNoFlippedByteChangesAMessageSilently(t *testing.T) {
	f := newDamageFixture(t)
	orig, err := os.ReadFile(f.path)
	require.NoError(t, err)
	l := readLayout(t, f.path)
	inUse := int64(l.metas[l.newest].hwm) * int64(l.pageSize)
	want := make([]string, 0, len(f.state))
	for _, line := range f.state {
		want = append(want, line)
	}
	sort.Strings(want)
	rng := mrand.New(mrand.NewPCG(7, 26))
	dir := fastDir(t)
	damaged, whole := 0, 0
	for i := range 250 {
		// Given the file with one byte changed, within the pages the last transaction uses
		data := bytes.Clone(orig)
		at := rng.Int64N(inUse)
		data[at] ^= byte(1 + rng.IntN(255))

		// When it is scanned
		res, err := scanFile(bytes.NewReader(data), int64(len(data)))
		require.NoError(t, err)

		// Then it is damaged, or bbolt opens it and it holds the same messages
		if len(res.damage) > 0 {
			damaged++
			continue
		}
		whole++
		qdir := filepath.Join(dir, fmt.Sprint(i))
		require.NoError(t, os.MkdirAll(qdir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(qdir, fileName), data, 0o644))
		q, err := Open(Config{Dir: qdir, Now: newClock().Now})
		require.NoError(t, err, "byte %d: a file scanned whole opens", at)
		got := snapshot(q)
		require.NoError(t, q.Close())
		sort.Strings(got)
		require.Equal(t, want, got, "byte %d changed: the file was not reported damaged, so its messages are unchanged", at)
	}
	t.Logf("%d flips reported as damage, %d in bytes no message depends on", damaged, whole)
	require.Positive(t, damaged, "flips were detected")
}
