package localserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// holder is what the server holding a data directory writes into the directory's lock file,
// so that a second server refused the directory can name the process that holds it and the
// address it listens on: enough to find it (ss, lsof, kill) without guessing.
type holder struct {
	PID     int      `json:"pid"`
	Command []string `json:"command,omitempty"`
	Addr    string   `json:"addr,omitempty"`
}

// thisProcess is the holder record of the running process, before it listens.
func thisProcess() holder { return holder{PID: os.Getpid(), Command: os.Args} }

// maxCommandLen bounds the command line quoted in an error message.
const maxCommandLen = 200

// String describes h for an error message: "pid 42 (local -addr :8080), listening on 127.0.0.1:8080".
func (h holder) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pid %d", h.PID)
	if len(h.Command) > 0 {
		words := make([]string, len(h.Command))
		words[0] = filepath.Base(h.Command[0]) // go run's binary lives in a long temporary path
		for i, w := range h.Command[1:] {
			if w == "" || strings.ContainsAny(w, " \t\n\"'\\") {
				w = strconv.Quote(w)
			}
			words[i+1] = w
		}
		cmd := strings.Join(words, " ")
		if len(cmd) > maxCommandLen {
			cmd = cmd[:maxCommandLen] + "..."
		}
		fmt.Fprintf(&b, " (%s)", cmd)
	}
	if h.Addr != "" {
		fmt.Fprintf(&b, ", listening on %s", h.Addr)
	} else {
		b.WriteString(", not listening yet")
	}
	return b.String()
}

// describeHolder reads the lock file at path and says who holds it, for the error of a
// server refused the directory.
func describeHolder(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "its lock file cannot be read: " + err.Error()
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	var h holder
	if err != nil || json.Unmarshal(b, &h) != nil || h.PID <= 0 {
		// The holder is between taking the lock and writing its record, or predates it.
		return "its lock file does not name the process yet"
	}
	return h.String()
}

// Listen listens on the TCP address addr, as net.Listen("tcp", addr) does, and records the
// address in the data directory's lock file, so that a second server started on the same
// directory names this one's address (and process) in its error. Pass the listener to Serve.
func (s *Server) Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := s.lock.listening(ln.Addr().String()); err != nil {
		// The record only improves another server's error message: serve without it.
		s.log.Warn("cannot record the listening address in the data directory's lock file", "error", err)
	}
	return ln, nil
}
