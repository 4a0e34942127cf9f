package localqueue

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// Why this file reads bbolt's pages itself: bbolt trusts its file. It checks the magic,
// version and checksum of its two meta pages (common.Meta.Validate) and nothing else; branch,
// leaf and freelist pages carry no checksum, and it reads them through a memory map. On a
// damaged file it panics (page.FastCheck, freelist reads), faults with SIGBUS on a page past
// the end of a truncated file (a fatal error, not a recoverable panic), or loops forever on a
// page that points at its ancestor; tx.Check walks the same pointers and can crash or hang on
// the same damage (etcd-io/bbolt#105, #107, #447, #446, #335). A zero-length file is not
// damage to bbolt at all: Open initializes it as a new, empty database.
//
// So before bbolt maps a queue file, scanFile reads it with ReadAt, checking every bound
// before it follows it: both meta pages, the file's length against the pages the last
// transaction uses, each page's id, type, element offsets and key order, each page reached
// at most once, and every value's CRC-32C (format.go). Only a file that passes is handed to
// bbolt. The same walk, continuing past what it cannot read, is what Repair salvages from.
//
// The layout read here is bbolt's file format version 2 (bbolt v1.3 to v1.5): a page header
// of id (8 bytes), flags (2), count (2), overflow (4); meta pages 0 and 1; branch elements of
// pos, ksize (4 each) and child page id (8); leaf elements of flags, pos, ksize, vsize (4
// each), positions relative to the element. Integers are in the machine's byte order, as
// bbolt writes them.

const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	pageHeaderSize     = 16
	elementSize        = 16
	branchPageFlag     = 0x01
	leafPageFlag       = 0x02
	freelistPageFlag   = 0x10
	bucketLeafFlag     = 0x01
	bucketHeaderSize   = 16
	metaChecksummed    = 56 // bytes of the meta the checksum covers
	metaSize           = 64
	pgidNoFreelist     = ^uint64(0)
	maxPageSize        = 1 << 16
	minPageSize        = 1 << 10
	maxReportedDamages = 50 // a file damaged all over is not listed page by page
)

var ne = binary.NativeEndian

// Damage is one place where a queue file, or an old journal, is not what this package wrote.
type Damage struct {
	// Where locates it: a page and its byte range, a meta page, a record, a journal line.
	Where string
	// Problem says what is wrong there.
	Problem string
}

func (d Damage) String() string { return d.Where + ": " + d.Problem }

// DamageError is the error Open returns for a queue whose file is damaged. Open leaves the
// file exactly as it found it; Repair sets it aside and keeps what is intact.
type DamageError struct {
	// File is the damaged file.
	File string
	// Damage lists where it is damaged, in file order (at most 50 places).
	Damage []Damage
}

// RepairHint, when set, returns the command that repairs a damaged file, for DamageError's
// message. The local server's command sets it to its own repair subcommand; nil means the
// message names Repair and the queue's directory.
var RepairHint func(file string) string

func (e *DamageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "localqueue: %s is damaged, and was left as it is: ", e.File)
	for i, d := range e.Damage {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Damage)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d.String())
	}
	hint := fmt.Sprintf("localqueue.Repair(%q)", filepath.Dir(e.File))
	if RepairHint != nil {
		hint = RepairHint(e.File)
	}
	fmt.Fprintf(&b, ". To set it aside and keep what is intact: %s", hint)
	return b.String()
}

// scanResult is what scanFile read from a queue file.
type scanResult struct {
	pageSize int
	txid     uint64
	messages []storedMessage   // intact messages, in seq order
	ids      map[string]uint64 // intact ids entries
	count    uint64            // messages after the last commit, if hasCount
	hasCount bool
	format   uint64
	journal  string // import marker (see journal.go)
	damage   []Damage
	// salvage is false when nothing could be located (both meta pages unreadable).
	salvage bool
	// idsComplete: the id index was read without damage, so it names every message.
	idsComplete bool
	// damaged counts the damaged places, listed or not.
	damaged int
	// notes say what restoring from an older transaction may have changed.
	notes []string
}

// lost returns the ids of the messages the file names (in its ids index) that are not among
// its intact messages, and how many more it lost whose ids are unknown.
func (r *scanResult) lost() (ids []string, unknown int) {
	have := make(map[string]uint64, len(r.messages))
	for _, m := range r.messages {
		have[m.id] = m.seq
	}
	for id, seq := range r.ids {
		if s, ok := have[id]; !ok || s != seq {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if r.hasCount {
		unknown = int(r.count) - len(r.messages) - len(ids)
	}
	return ids, max(unknown, 0)
}

func (r *scanResult) add(where, format string, args ...any) {
	r.damaged++
	if len(r.damage) < maxReportedDamages {
		r.damage = append(r.damage, Damage{Where: where, Problem: fmt.Sprintf(format, args...)})
	}
}

// scanner walks the pages of one file.
type scanner struct {
	f        io.ReaderAt
	size     int64
	pageSize int
	hwm      uint64          // pages in use by the chosen transaction: 0 .. hwm-1
	seen     map[uint64]bool // pages reached so far
	res      *scanResult
}

func (s *scanner) pageRange(id, n uint64) string {
	start := id * uint64(s.pageSize)
	return fmt.Sprintf("page %d (bytes %d-%d)", id, start, start+n*uint64(s.pageSize)-1)
}

type meta struct {
	valid    bool
	problem  string
	pageSize uint32
	root     uint64
	freelist uint64
	hwm      uint64
	txid     uint64
}

// readMeta reads the meta page at off.
func readMeta(f io.ReaderAt, size, off int64) meta {
	buf := make([]byte, pageHeaderSize+metaSize)
	if off+int64(len(buf)) > size {
		return meta{problem: fmt.Sprintf("the file ends at byte %d, before it", size)}
	}
	if _, err := f.ReadAt(buf, off); err != nil {
		return meta{problem: err.Error()}
	}
	b := buf[pageHeaderSize:]
	m := meta{
		pageSize: ne.Uint32(b[8:]),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		hwm:      ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}
	h := fnv.New64a()
	h.Write(b[:metaChecksummed])
	switch {
	case ne.Uint32(b[0:]) != boltMagic:
		m.problem = "not a bbolt meta page (wrong magic number)"
	case ne.Uint32(b[4:]) != boltVersion:
		m.problem = fmt.Sprintf("bbolt file format version %d, not %d", ne.Uint32(b[4:]), boltVersion)
	case ne.Uint64(b[56:]) != h.Sum64():
		m.problem = "checksum mismatch"
	case m.pageSize < minPageSize || m.pageSize > maxPageSize || m.pageSize&(m.pageSize-1) != 0:
		m.problem = fmt.Sprintf("page size %d is not a power of two between %d and %d", m.pageSize, minPageSize, maxPageSize)
	case m.root < 2 || m.root >= m.hwm:
		m.problem = fmt.Sprintf("root page %d is outside pages 2..%d", m.root, m.hwm-1)
	case m.freelist != pgidNoFreelist && (m.freelist < 2 || m.freelist >= m.hwm):
		m.problem = fmt.Sprintf("freelist page %d is outside pages 2..%d", m.freelist, m.hwm-1)
	default:
		m.valid = true
	}
	return m
}

// scanFile reads a whole queue file without trusting any of it. The error is for I/O only;
// damage is in the result.
func scanFile(f io.ReaderAt, size int64) (*scanResult, error) {
	res := &scanResult{ids: map[string]uint64{}}
	if size == 0 {
		res.add("byte 0", "the file is empty; a queue file always holds at least its meta pages")
		return res, nil
	}
	// The page size is in the meta pages; meta page 1 is at one page size.
	m0 := readMeta(f, size, 0)
	pageSize := int64(m0.pageSize)
	var m1 meta
	if m0.valid {
		m1 = readMeta(f, size, pageSize)
	} else {
		pageSize = 0
		for ps := int64(minPageSize); ps <= maxPageSize; ps <<= 1 {
			if m := readMeta(f, size, ps); m.valid && int64(m.pageSize) == ps {
				m1, pageSize = m, ps
				break
			}
		}
		if pageSize == 0 {
			m1 = meta{problem: "no valid meta page at any page size"}
		}
	}
	metas := [2]meta{m0, m1}
	for i, m := range metas {
		if !m.valid {
			where := fmt.Sprintf("meta page %d", i)
			if pageSize > 0 {
				where += fmt.Sprintf(" (bytes %d-%d)", int64(i)*pageSize, int64(i+1)*pageSize-1)
			}
			res.add(where, "%s; if it held the last committed transaction, that transaction's changes are lost", m.problem)
		}
	}
	chosen, other := m0, m1
	if !m0.valid || (m1.valid && m1.txid > m0.txid) {
		chosen, other = m1, m0
	}
	if !chosen.valid {
		return res, nil // nothing can be located
	}
	res.salvage, res.pageSize, res.txid = true, int(pageSize), chosen.txid
	if need := int64(chosen.hwm) * pageSize; size < need {
		res.add(fmt.Sprintf("end of file (byte %d)", size),
			"the file is truncated: transaction %d uses %d pages (%d bytes)", chosen.txid, chosen.hwm, need)
	}
	s := newScanner(f, size, int(pageSize), chosen.hwm, res)
	s.walkRoot(chosen.root)
	if chosen.freelist != pgidNoFreelist {
		s.checkFreelist(chosen.freelist)
	}
	s.crossCheck()
	if len(res.damage) > 0 && other.valid {
		// What the last transaction's tree lost may still be in the one before it: bbolt
		// reuses the pages a commit frees only in the commit after it, so the previous
		// transaction's tree is whole unless the damage reached it too.
		prev := &scanResult{ids: map[string]uint64{}}
		ps := newScanner(f, size, int(pageSize), other.hwm, prev)
		ps.walkRoot(other.root)
		res.fillFrom(prev, other.txid)
	}
	return res, nil
}

func newScanner(f io.ReaderAt, size int64, pageSize int, hwm uint64, res *scanResult) *scanner {
	return &scanner{f: f, size: size, pageSize: pageSize, hwm: hwm, seen: map[uint64]bool{0: true, 1: true}, res: res}
}

// fillFrom adds the messages of the previous transaction (prev, transaction txid) that the
// last one's damaged tree lost: those its id index still names, as they were one
// transaction earlier, and, when its id index is damaged too, every one (a message that
// the last transaction deleted then comes back: delivered again, rather than lost).
func (r *scanResult) fillFrom(prev *scanResult, txid uint64) {
	have := make(map[uint64]bool, len(r.messages))
	for _, m := range r.messages {
		have[m.seq] = true
	}
	lastNamed := make(map[string]uint64, len(r.ids))
	for id, seq := range r.ids {
		lastNamed[id] = seq
	}
	if !r.idsComplete {
		// The last transaction's id index is damaged: the previous one's names the messages
		// it may have lost too (a message the last transaction deleted is then reported as
		// lost, never the other way round).
		for id, seq := range prev.ids {
			if _, ok := r.ids[id]; !ok {
				r.ids[id] = seq
			}
		}
	}
	restored := 0
	defer func() {
		if restored > 0 || !r.idsComplete || !r.hasCount {
			r.notes = append(r.notes, fmt.Sprintf("where the last transaction's pages are unreadable, messages are kept as they were at transaction %d: "+
				"what the last transaction changed there is lost (a message it sent, unless named above; a receive; a delete)", txid))
		}
	}()
	for _, m := range prev.messages {
		if have[m.seq] {
			continue
		}
		switch seq, named := lastNamed[m.id]; {
		case named && seq == m.seq:
			r.notes = append(r.notes, fmt.Sprintf("message %s restored as it was at transaction %d: its receive count may be one lower", m.id, txid))
		case named || r.idsComplete:
			continue // the last transaction deleted it (or moved it: then it is named)
		default:
			r.notes = append(r.notes, fmt.Sprintf("message %s restored as it was at transaction %d: the last transaction may have deleted it, and then it is delivered again", m.id, txid))
		}
		r.messages = append(r.messages, m)
		have[m.seq] = true
		restored++
	}
	slices.SortFunc(r.messages, func(a, b storedMessage) int { return cmpUint(a.seq, b.seq) })
}

// readPage reads page id and its overflow pages, refusing anything out of bounds.
func (s *scanner) readPage(id uint64) ([]byte, string, error) {
	where := s.pageRange(id, 1)
	if id < 2 || id >= s.hwm {
		return nil, where, fmt.Errorf("a pointer names page %d, outside the pages in use (2..%d)", id, s.hwm-1)
	}
	off := int64(id) * int64(s.pageSize)
	if off+pageHeaderSize > s.size {
		return nil, where, fmt.Errorf("the page lies beyond the end of the file (byte %d)", s.size)
	}
	hdr := make([]byte, pageHeaderSize)
	if _, err := s.f.ReadAt(hdr, off); err != nil {
		return nil, where, err
	}
	if got := ne.Uint64(hdr); got != id {
		return nil, where, fmt.Errorf("the page's header says it is page %d (zeroed or overwritten)", got)
	}
	n := uint64(ne.Uint32(hdr[12:])) + 1
	where = s.pageRange(id, n)
	if id+n > s.hwm {
		return nil, where, fmt.Errorf("its %d overflow pages run past the pages in use", n-1)
	}
	if off+int64(n)*int64(s.pageSize) > s.size {
		return nil, where, fmt.Errorf("the page runs past the end of the file (byte %d): truncated", s.size)
	}
	for i := range n {
		if s.seen[id+i] {
			return nil, where, fmt.Errorf("page %d is reached a second time (a damaged pointer)", id+i)
		}
	}
	for i := range n {
		s.seen[id+i] = true
	}
	buf := make([]byte, int(n)*s.pageSize)
	if _, err := s.f.ReadAt(buf, off); err != nil {
		return nil, where, err
	}
	return buf, where, nil
}

type element struct {
	flags      uint32
	key, value []byte
	child      uint64
}

// parseNode reads the elements of a branch or leaf page, checking every offset.
func parseNode(buf []byte) (leaf bool, elems []element, err error) {
	if len(buf) < pageHeaderSize {
		return false, nil, fmt.Errorf("%d bytes, shorter than a page header", len(buf))
	}
	flags, count := binary.NativeEndian.Uint16(buf[8:]), int(ne.Uint16(buf[10:]))
	switch flags {
	case leafPageFlag:
		leaf = true
	case branchPageFlag:
		if count == 0 {
			return false, nil, errors.New("a branch page with no elements")
		}
	default:
		return false, nil, fmt.Errorf("page type %#x is neither branch nor leaf", flags)
	}
	if pageHeaderSize+count*elementSize > len(buf) {
		return false, nil, fmt.Errorf("%d elements do not fit in the page", count)
	}
	elems = make([]element, count)
	for i := range elems {
		at := pageHeaderSize + i*elementSize
		e := buf[at : at+elementSize]
		var pos, ksize, vsize uint64
		if leaf {
			elems[i].flags = ne.Uint32(e)
			pos, ksize, vsize = uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		} else {
			pos, ksize = uint64(ne.Uint32(e)), uint64(ne.Uint32(e[4:]))
			elems[i].child = ne.Uint64(e[8:])
		}
		start := uint64(at) + pos
		if start+ksize+vsize > uint64(len(buf)) {
			return false, nil, fmt.Errorf("element %d points past the end of the page", i)
		}
		elems[i].key = buf[start : start+ksize]
		elems[i].value = buf[start+ksize : start+ksize+vsize]
		if i > 0 && bytes.Compare(elems[i-1].key, elems[i].key) >= 0 {
			return false, nil, fmt.Errorf("element %d's key is not after element %d's", i, i-1)
		}
	}
	return leaf, elems, nil
}

// walk visits the leaf elements of the tree rooted at page root (or at the inline page,
// when root is 0), whose keys must lie in [lo, hi) (nil: unbounded). Damaged pages are
// reported and skipped.
func (s *scanner) walk(root uint64, inline []byte, lo, hi []byte, visit func(e element, page uint64, where string, i int)) {
	buf, where := inline, "inline page"
	if root != 0 {
		var err error
		if buf, where, err = s.readPage(root); err != nil {
			s.res.add(where, "%v", err)
			return
		}
	}
	leaf, elems, err := parseNode(buf)
	if err == nil && inline != nil && !leaf {
		err = errors.New("an inline bucket page that is not a leaf")
	}
	if err != nil {
		s.res.add(where, "%v", err)
		return
	}
	for i, e := range elems {
		if (lo != nil && bytes.Compare(e.key, lo) < 0) || (hi != nil && bytes.Compare(e.key, hi) >= 0) {
			s.res.add(where, "element %d's key is outside the range its parent gives it", i)
			continue
		}
		if leaf {
			visit(e, root, where, i)
			continue
		}
		next := hi
		if i+1 < len(elems) {
			next = elems[i+1].key
		}
		s.walk(e.child, nil, e.key, next, visit)
	}
}

// walkRoot walks the root bucket, whose elements are this package's three buckets.
func (s *scanner) walkRoot(root uint64) {
	found := map[string]bool{}
	s.walk(root, nil, nil, nil, func(e element, _ uint64, where string, i int) {
		name := string(e.key)
		if e.flags&bucketLeafFlag == 0 || len(e.value) < bucketHeaderSize {
			s.res.add(where, "element %d (%q) is not a bucket", i, name)
			return
		}
		found[name] = true
		broot := ne.Uint64(e.value)
		var inline []byte
		if broot == 0 {
			inline = e.value[bucketHeaderSize:]
		}
		switch name {
		case string(bucketMessages):
			s.walk(broot, inline, nil, nil, s.visitMessage)
		case string(bucketIDs):
			before := s.res.damaged
			s.walk(broot, inline, nil, nil, s.visitID)
			s.res.idsComplete = s.res.damaged == before
		case string(bucketInfo):
			s.walk(broot, inline, nil, nil, s.visitInfo)
		default:
			s.res.add(where, "element %d: unknown bucket %q", i, name)
		}
	})
	for _, b := range [][]byte{bucketMessages, bucketIDs, bucketInfo} {
		if !found[string(b)] {
			s.res.add("root bucket", "bucket %q is missing", b)
		}
	}
}

func (s *scanner) visitMessage(e element, _ uint64, where string, i int) {
	m, err := decodeMessage(e.key, e.value)
	if err != nil || e.flags != 0 {
		if err == nil {
			err = errors.New("a bucket where a message belongs")
		}
		what := fmt.Sprintf("%s, element %d", where, i)
		if len(e.key) == 8 {
			what += fmt.Sprintf(" (message #%d)", binary.BigEndian.Uint64(e.key))
		}
		s.res.add(what, "%v", err)
		return
	}
	s.res.messages = append(s.res.messages, m)
}

func (s *scanner) visitID(e element, _ uint64, where string, i int) {
	seq, err := decodeSeq(e.key, e.value)
	if err != nil || e.flags != 0 {
		if err == nil {
			err = errors.New("a bucket where an id belongs")
		}
		s.res.add(fmt.Sprintf("%s, element %d (ids index)", where, i), "%v", err)
		return
	}
	s.res.ids[string(e.key)] = seq
}

func (s *scanner) visitInfo(e element, _ uint64, where string, i int) {
	var err error
	switch {
	case bytes.Equal(e.key, keyFormat):
		s.res.format, err = decodeUint(e.key, e.value)
		if err == nil && s.res.format != formatVersion {
			err = fmt.Errorf("queue file format %d, not %d", s.res.format, formatVersion)
		}
	case bytes.Equal(e.key, keyCount):
		s.res.count, err = decodeUint(e.key, e.value)
		s.res.hasCount = err == nil
	case bytes.Equal(e.key, keyJournal):
		var p []byte
		p, err = unseal(e.key, e.value)
		s.res.journal = string(p)
	default:
		err = fmt.Errorf("unknown key %q", e.key)
	}
	if err != nil {
		s.res.add(fmt.Sprintf("%s, element %d (info)", where, i), "%v", err)
	}
}

// checkFreelist checks the freelist page a transaction names. Queue files are written
// without one (bbolt's NoFreelistSync: the free pages are found from the tree at Open), but
// the first transaction of a new file has one, and bbolt reads it when that is the
// transaction it opens.
func (s *scanner) checkFreelist(id uint64) {
	buf, where, err := s.readPage(id)
	if err != nil {
		s.res.add(where, "freelist: %v", err)
		return
	}
	if flags := ne.Uint16(buf[8:]); flags != freelistPageFlag {
		s.res.add(where, "freelist page of type %#x", flags)
		return
	}
	start, count := pageHeaderSize, uint64(ne.Uint16(buf[10:]))
	if count == 0xFFFF {
		count, start = ne.Uint64(buf[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > uint64(len(buf)-start)/8 {
		s.res.add(where, "freelist of %d ids does not fit in its page", count)
		return
	}
	var prev uint64
	for i := range count {
		free := ne.Uint64(buf[start+int(i)*8:])
		if free < 2 || free >= s.hwm || free <= prev || s.seen[free] {
			s.res.add(where, "freelist entry %d (page %d) is out of order, out of range or in use", i, free)
			return
		}
		prev = free
	}
}

// crossCheck compares the messages with their index and count.
func (s *scanner) crossCheck() {
	r := s.res
	if r.format == 0 && len(r.damage) == 0 {
		r.add("info bucket", "the format version is missing")
	}
	bySeq := map[uint64]bool{}
	byID := map[string]bool{}
	kept := r.messages[:0]
	for _, m := range r.messages {
		switch {
		case bySeq[m.seq] || byID[m.id]:
			r.add(fmt.Sprintf("message #%d", m.seq), "message %s appears twice", m.id)
			continue
		case r.ids[m.id] != m.seq:
			r.add(fmt.Sprintf("message #%d", m.seq), "message %s is missing from the ids index", m.id)
		}
		bySeq[m.seq], byID[m.id] = true, true
		kept = append(kept, m)
	}
	r.messages = kept
	slices.SortFunc(r.messages, func(a, b storedMessage) int { return cmpUint(a.seq, b.seq) })
	ids, unknown := r.lost()
	for _, id := range ids {
		r.add(fmt.Sprintf("message #%d", r.ids[id]), "message %s, named in the ids index, is not readable", id)
	}
	if r.hasCount && uint64(len(r.messages)) != r.count {
		r.add("info bucket", "the last transaction left %d messages; %d are readable (%d lost without an id)", r.count, len(r.messages), unknown)
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
