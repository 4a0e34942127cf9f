//go:build !unix

package localqueue

import "os"

// lockFile does nothing where advisory file locks are not available: bbolt still locks the
// file when it opens it, after the check, and the local server locks its data directory.
func lockFile(*os.File) error { return nil }
