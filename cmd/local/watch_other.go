//go:build !unix

package main

import (
	"context"
	"errors"
	"io"
)

// supervise refuses: -watch hands the listening socket and the data directory's lock to
// each rebuilt server as inherited file descriptors, which exec.Cmd cannot pass here.
func supervise(context.Context, []string, string, string, io.Writer, io.Writer) error {
	return errors.New("-watch needs a Unix system: it hands the listening socket to each rebuilt server as an inherited file descriptor")
}
