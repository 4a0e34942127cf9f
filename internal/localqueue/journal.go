package localqueue

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
)

// Migration from the journal of earlier versions (dir/journal.jsonl: one JSON record per
// line, "send", "recv" or "del"). A queue directory that has a journal and no queue file is
// imported once, at Open: every message the journal holds, with its receive count, first
// receive and visibility, in send order, is written into a new queue file; then the journal
// is renamed to journal.jsonl.imported-<time> (kept, never deleted). The queue file records
// which journal it came from (its SHA-256 and the name it is set aside under), so a crash
// between the two steps is finished at the next Open instead of importing twice.
//
// A journal is imported only whole. The earlier versions dropped a last line without its
// newline as the torn tail of an interrupted write, but a journal cut short by damage looks
// the same and lost an acknowledged message that way; so any line that does not parse, the
// last one included, makes Open refuse the journal as damaged (naming the line and its
// bytes), and Repair imports the lines that are intact and reports the others.

// The ops of the journal's records.
const (
	opSend    = "send"
	opReceive = "recv"
	opDelete  = "del"
)

// journalRecord is one line of the old journal. Times are Unix nanoseconds.
type journalRecord struct {
	Op      string `json:"op"`
	ID      string `json:"id"`
	Body    string `json:"body,omitempty"`
	Sent    int64  `json:"sent,omitempty"`
	Count   int    `json:"n,omitempty"`
	First   int64  `json:"first,omitempty"`
	Visible int64  `json:"vis,omitempty"`
}

// journalImport is what a journal holds.
type journalImport struct {
	messages []storedMessage // in send order, seq from 1
	damage   []Damage
	notes    []string // what the damaged lines cost, for Repair's report
	lostIDs  []string // messages whose send line is damaged (when the id could be read)
	sum      string   // SHA-256 of the journal, hex
}

var idInLine = regexp.MustCompile(`"id"\s*:\s*"([^"\\]{1,200})"`)
var opInLine = regexp.MustCompile(`"op"\s*:\s*"(send|recv|del)"`)

// readJournal replays a journal. Damaged lines are skipped and listed.
func readJournal(path string) (*journalImport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	ji := &journalImport{sum: hex.EncodeToString(sum[:])}
	if len(data) == 0 {
		return ji, nil // an empty journal: the old version wrote one for an empty queue
	}
	type live struct {
		m    storedMessage
		gone bool
	}
	var (
		order []*live
		byID  = map[string]*live{}
	)
	for line, off := 1, 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		var raw []byte
		next := len(data)
		if end >= 0 {
			raw, next = data[off:off+end], off+end+1
		} else {
			raw = data[off:]
		}
		where := fmt.Sprintf("line %d (bytes %d-%d)", line, off, next-1)
		var r journalRecord
		problem := ""
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		switch err := dec.Decode(&r); {
		case end < 0:
			problem = "the last line has no newline: it was cut short"
		case err != nil:
			problem = err.Error()
		case dec.More():
			problem = "more than one record on the line"
		case r.ID == "":
			problem = "a record without a message id"
		case r.Op != opSend && r.Op != opReceive && r.Op != opDelete:
			problem = fmt.Sprintf("unknown op %q", r.Op)
		case r.Op == opSend && validBody(r.Body) != nil:
			problem = validBody(r.Body).Error()
		}
		if problem != "" {
			ji.damage = append(ji.damage, Damage{Where: where, Problem: problem})
			ji.noteLost(raw, where)
			off = next
			continue
		}
		switch r.Op {
		case opSend:
			if byID[r.ID] == nil {
				l := &live{m: storedMessage{id: r.ID, body: r.Body, sentAt: time.Unix(0, r.Sent)}}
				byID[r.ID] = l
				order = append(order, l)
			}
		case opReceive:
			if l := byID[r.ID]; l != nil {
				l.m.receiveCount, l.m.firstRecv, l.m.visibleAt = r.Count, fromUnixNano(r.First), fromUnixNano(r.Visible)
			}
		case opDelete:
			if l := byID[r.ID]; l != nil {
				l.gone = true
				delete(byID, r.ID)
			}
		}
		off = next
	}
	for _, l := range order {
		if !l.gone {
			l.m.seq = uint64(len(ji.messages) + 1)
			ji.messages = append(ji.messages, l.m)
		}
	}
	return ji, nil
}

// noteLost says what a damaged line costs, as far as what is left of it tells.
func (ji *journalImport) noteLost(raw []byte, where string) {
	id := "an unknown message"
	if m := idInLine.FindSubmatch(raw); m != nil {
		id = "message " + string(m[1])
	}
	op := ""
	if m := opInLine.FindSubmatch(raw); m != nil {
		op = string(m[1])
	}
	switch op {
	case opSend:
		ji.notes = append(ji.notes, fmt.Sprintf("%s: the send of %s is lost", where, id))
		if m := idInLine.FindSubmatch(raw); m != nil {
			ji.lostIDs = append(ji.lostIDs, string(m[1]))
		}
	case opReceive:
		ji.notes = append(ji.notes, fmt.Sprintf("%s: a receive of %s is lost: its receive count may be lower than it was", where, id))
	case opDelete:
		ji.notes = append(ji.notes, fmt.Sprintf("%s: the delete of %s is lost: if it was sent, it is delivered again", where, id))
	default:
		ji.notes = append(ji.notes, fmt.Sprintf("%s (%d bytes): unreadable; it held a send, a receive or a delete of %s", where, len(raw), id))
	}
}

// journalMark is what a queue file records of the journal it was imported from.
func journalMark(sum, aside string) string { return sum + " " + filepath.Base(aside) }

// importJournal imports the journal in dir into a new queue file at path, then sets the
// journal aside. A damaged journal is refused with a *DamageError and left as it is.
func importJournal(path, journal string) error {
	ji, err := readJournal(journal)
	if err != nil {
		return fmt.Errorf("localqueue: read %s: %w", journal, err)
	}
	if len(ji.damage) > 0 {
		return &DamageError{File: journal, Damage: ji.damage}
	}
	aside, err := asideName(journal, "imported")
	if err != nil {
		return err
	}
	if err := createFile(path, ji.messages, journalMark(ji.sum, aside)); err != nil {
		return err
	}
	return setJournalAside(journal, aside)
}

func setJournalAside(journal, aside string) error {
	if err := os.Rename(journal, aside); err != nil {
		return fmt.Errorf("localqueue: set the imported journal aside: %w", err)
	}
	return fsutil.SyncDir(filepath.Dir(journal))
}

// finishImport runs at Open when a queue file and a journal are both there: it sets the
// journal aside if the queue file was imported from it (a crash came between the import and
// the rename), and refuses otherwise.
func finishImport(path, journal, mark string) error {
	data, err := os.ReadFile(journal)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	hexSum, aside, ok := strings.Cut(mark, " ")
	if ok && hexSum == hex.EncodeToString(sum[:]) && aside != "" && !strings.ContainsAny(aside, `/\`) {
		return setJournalAside(journal, filepath.Join(filepath.Dir(journal), aside))
	}
	return fmt.Errorf("localqueue: %s and %s are both there, and the queue file was not imported from this journal: "+
		"move the journal away to keep the queue file, or the queue file to import the journal", path, journal)
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
