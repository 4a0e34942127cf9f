package localqueue

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
)

// RepairReport says what Repair did to one queue directory.
type RepairReport struct {
	// Dir is the queue's directory.
	Dir string
	// File is the damaged file (the queue file or an old journal); empty when nothing in
	// Dir was damaged, and Repair changed nothing.
	File string
	// SetAside is the damaged file's new name. The file is kept there as it was.
	SetAside string
	// Damage lists where the file was damaged.
	Damage []Damage
	// Kept is how many messages the new queue file holds.
	Kept int
	// LostIDs are the ids of the messages that could not be kept.
	LostIDs []string
	// LostUnknown counts the messages that could not be kept and whose ids could not be
	// read either.
	LostUnknown int
	// Notes say what else the damage cost (a receive count that may be lower, a deleted
	// message that comes back, a file whose messages could not be located).
	Notes []string
}

// Repaired reports whether Repair found damage, and replaced the damaged file.
func (r *RepairReport) Repaired() bool { return r.File != "" }

// Repair makes the queue kept under dir open again after damage: it sets the damaged file
// aside (renamed to <name>.damaged-<UTC time>, never deleted), writes a new queue file with
// every message that is intact, in send order and with its receive count and visibility,
// and reports what it could not keep. A queue whose files are whole is left as it is. The
// queue must not be open, here or in another process (its file's lock is checked).
func Repair(dir string) (*RepairReport, error) {
	rep := &RepairReport{Dir: dir}
	path, journal := filepath.Join(dir, fileName), filepath.Join(dir, journalName)
	haveFile, err := exists(path)
	if err != nil {
		return nil, err
	}
	if haveFile {
		return rep, repairFile(rep, path)
	}
	haveJournal, err := exists(journal)
	if err != nil || !haveJournal {
		return rep, err
	}
	return rep, repairJournal(rep, path, journal)
}

// repairFile repairs a damaged queue file.
func repairFile(rep *RepairReport, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close() // after the new file is in place: holds the lock until then
	res, err := lockAndScan(f)
	if err != nil {
		return err
	}
	if len(res.damage) == 0 {
		return nil
	}
	rep.File, rep.Damage, rep.Kept = path, res.damage, len(res.messages)
	rep.LostIDs, rep.LostUnknown = res.lost()
	rep.Notes = append(rep.Notes, res.notes...)
	if !res.salvage {
		rep.Notes = append(rep.Notes, "no meta page is readable, so no message could be located: the new queue file is empty; the damaged file is kept for recovery by hand")
	} else if !res.hasCount {
		rep.Notes = append(rep.Notes, "the count of messages is unreadable: messages lost with their ids unreadable too are not counted")
	}
	if rep.SetAside, err = asideName(path, "damaged"); err != nil {
		return err
	}
	// The damaged file gets its new name before the new file replaces it, by a hard link, so
	// there is no moment without a file at path: a crash in between leaves the damaged file
	// at both names, and Repair runs again.
	if err := setAside(f, path, rep.SetAside); err != nil {
		return err
	}
	return createFile(path, res.messages, res.journal)
}

// setAside gives the file at path (open as f) a second name, durably: a hard link, or a
// copy where the file system has none.
func setAside(f *os.File, path, aside string) error {
	if err := os.Link(path, aside); err != nil {
		out, err := os.OpenFile(aside, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("localqueue: set %s aside: %w", path, err)
		}
		_, err = io.Copy(out, io.NewSectionReader(f, 0, 1<<62))
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("localqueue: copy %s aside: %w", path, err)
		}
	}
	return fsutil.SyncDir(filepath.Dir(path))
}

// repairJournal imports what is intact of a damaged journal.
func repairJournal(rep *RepairReport, path, journal string) error {
	f, err := os.Open(journal)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("localqueue: %w", err)
	}
	ji, err := readJournal(journal)
	if err != nil {
		return fmt.Errorf("localqueue: read %s: %w", journal, err)
	}
	if len(ji.damage) == 0 {
		return nil // whole: Open imports it
	}
	rep.File, rep.Damage, rep.Kept, rep.LostIDs, rep.Notes = journal, ji.damage, len(ji.messages), ji.lostIDs, ji.notes
	if rep.SetAside, err = asideName(journal, "damaged"); err != nil {
		return err
	}
	if err := createFile(path, ji.messages, journalMark(ji.sum, rep.SetAside)); err != nil {
		return err
	}
	// A crash here leaves the queue file and the journal: Open finds the journal's mark in
	// the queue file and finishes this rename.
	return setJournalAside(journal, rep.SetAside)
}
