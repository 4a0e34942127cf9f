package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
)

// The refusal to start on a damaged file names this command with the data directory.
func init() {
	// A queue's files are DATA/queues/<name>/<file>; the record store is DATA/table.
	localqueue.RepairHint = func(file string) string {
		return repairCommand(filepath.Dir(filepath.Dir(filepath.Dir(file))))
	}
	local.RepairHint = func(dir string) string { return repairCommand(filepath.Dir(dir)) }
}

func repairCommand(data string) string {
	if strings.ContainsAny(data, " \t'\"\\$`") {
		data = "'" + strings.ReplaceAll(data, "'", `'\''`) + "'"
	}
	return "go run ./cmd/local repair -data " + data
}

// repair is `go run ./cmd/local repair [-data DIR]`: it sets the damaged files of a data
// directory aside (renamed, never deleted), keeps everything intact, and reports what it
// could not keep. It refuses to run while a server holds the data directory.
func repair(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("local repair", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/local repair [-data DIR]\n\n"+
			"Sets the damaged files of the local server's data directory aside, keeps what is\n"+
			"intact, and reports what could not be kept. Stop the server first.")
		fs.PrintDefaults()
	}
	data := fs.String("data", ".groundwork/local", "data directory to repair")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("repair: unexpected arguments %q", fs.Args())
	}
	if st, err := os.Stat(*data); err != nil || !st.IsDir() {
		return fmt.Errorf("repair: data directory %s: not found", *data)
	}
	release, err := localqueue.LockFile(filepath.Join(*data, "LOCK"))
	if errors.Is(err, localqueue.ErrInUse) {
		return fmt.Errorf("repair: data directory %s is in use by a running local server: stop it first", *data)
	}
	if err != nil {
		return fmt.Errorf("repair: lock data directory %s: %w", *data, err)
	}
	defer func() { _ = release() }() // the lock file's lock ends with the process anyway

	fmt.Fprintf(stdout, "repair of %s\n", *data)
	damaged := 0
	table, err := local.Repair(filepath.Join(*data, "table"))
	if err != nil {
		return fmt.Errorf("repair: table: %w", err)
	}
	if len(table.Files) == 0 {
		fmt.Fprintln(stdout, "  table: whole")
	}
	for _, f := range table.Files {
		damaged++
		fmt.Fprintf(stdout, "  table: %s was damaged at %s: %s\n", rel(*data, f.Path), f.Where, f.Problem)
		fmt.Fprintf(stdout, "    set aside as %s\n", rel(*data, f.SetAside))
		fmt.Fprintf(stdout, "    not kept: %s\n", f.Holds)
	}
	queues, err := os.ReadDir(filepath.Join(*data, "queues"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("repair: %w", err)
	}
	for _, e := range queues {
		if !e.IsDir() {
			continue
		}
		rep, err := localqueue.Repair(filepath.Join(*data, "queues", e.Name()))
		if err != nil {
			return fmt.Errorf("repair: queue %s: %w", e.Name(), err)
		}
		name := "queues/" + e.Name()
		if !rep.Repaired() {
			fmt.Fprintf(stdout, "  %s: whole\n", name)
			continue
		}
		damaged++
		fmt.Fprintf(stdout, "  %s: %s was damaged:\n", name, rel(*data, rep.File))
		for _, d := range rep.Damage {
			fmt.Fprintf(stdout, "      %s\n", d)
		}
		fmt.Fprintf(stdout, "    set aside as %s\n", rel(*data, rep.SetAside))
		fmt.Fprintf(stdout, "    kept %d messages\n", rep.Kept)
		if len(rep.LostIDs) > 0 {
			fmt.Fprintf(stdout, "    not kept: %d messages: %s\n", len(rep.LostIDs), strings.Join(rep.LostIDs, ", "))
		}
		if rep.LostUnknown > 0 {
			fmt.Fprintf(stdout, "    not kept: %d more messages whose ids are unreadable\n", rep.LostUnknown)
		}
		for _, n := range rep.Notes {
			fmt.Fprintf(stdout, "    note: %s\n", n)
		}
	}
	if damaged == 0 {
		fmt.Fprintln(stdout, "nothing was damaged; nothing was changed")
	} else {
		fmt.Fprintf(stdout, "%d damaged file(s) set aside; the server starts again on what was kept\n", damaged)
	}
	return nil
}

func rel(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil {
		return r
	}
	return path
}
