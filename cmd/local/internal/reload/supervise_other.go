//go:build !unix

package reload

import (
	"context"
	"errors"
)

// Supervise refuses: -watch hands the listening socket and the data directory's lock to
// each rebuilt server as inherited file descriptors, which exec.Cmd cannot pass here.
func Supervise(context.Context, Config) error {
	return errors.New("-watch needs a Unix system: it hands the listening socket to each rebuilt server as an inherited file descriptor")
}
