//go:build !unix && !windows

package main

import "context"

// watchParent returns nil: there is no way to watch the parent here, so the server runs
// until it is stopped itself.
func watchParent(context.Context, int) <-chan struct{} { return nil }
