// Package reload is cmd/local's -watch: it rebuilds the local server when its Go code
// changes and swaps the new server in, without dropping a request, a queued event or a
// record. Supervise runs in the process `go run ./cmd/local -watch` starts; TakeOver is the
// side of each server that it runs. It is a package apart from cmd/local's main package
// because each rebuild recompiles that one (it imports the handlers): here it is compiled
// once.
//
// # Design
//
// The handlers are compiled Go, so new handler code means a new binary, and swapping it in
// means a new process. Two ways were weighed:
//
//   - A supervisor that owns the socket, the queues and the records, and runs only the
//     handler code in a child, speaking a small protocol (an event in, a response out). Its
//     queues and records would never close. But the handlers call the records, the archive
//     and the queue through inquiry.Service, so the protocol would have to carry those
//     calls too, a remote store that only -watch uses: requests would take a path that
//     neither the plain local server nor the Lambdas take, which is what the local server
//     exists to avoid. And code that lives in the supervisor (the adapters, the queue, the
//     event translation in localserver) would never be rebuilt: edits there would need a
//     restart by hand.
//   - Running the whole rebuilt server as a new process, handed the listening socket and
//     the data directory by the old one. Every edit is picked up, each server is exactly
//     what `go run ./cmd/local` runs, and the handover is what a SIGTERM already does: stop
//     accepting, answer every connection accepted (localserver's drain), let the worker
//     finish its batch (its deletes committed, a failed message's visibility timeout kept
//     in the queue file), close the bbolt files. Chosen.
//
// Who holds the socket and the lock between two servers decides whether anything is refused
// in between. A server that execs its successor itself (keeping its pid, so the go-run
// watcher and Ctrl-C would work unchanged) could not fall back to the old code when the new
// one fails to start (a panic at init, a data directory the new code refuses): the old
// process is gone once it has exec'd. So this process stays as a small supervisor that
// never serves and never opens the data: it holds the listening socket (connections that
// arrive between two servers wait in its accept backlog, none is refused) and the data
// directory's lock (no other server can take the directory between two of its servers:
// localserver.DirLock), runs each server as a child that inherits both
// (exec.Cmd.ExtraFiles), and rebuilds on change. A swap, with its protocol (child.go):
//
//  1. go build the server's main package; a failure prints the compiler's output and
//     leaves the running server alone.
//  2. Start the new binary; it reports "ready" once it runs, before it touches the data.
//     One that dies before that changes nothing either: the old server still serves.
//  3. Tell the old server to hand over: it drains as for SIGTERM and exits, which closes
//     its queue files. Requests arriving meanwhile wait in the socket's backlog.
//  4. Tell the new one to open the data directory; it reports "serving" and accepts.
//     Should it fail here, the previous build is started again on the same socket.
//
// The servers are the supervisor's children in its process group: Ctrl-C reaches them as it
// would reach a plain server, and each drains. SIGTERM to the supervisor, or the exit of the
// `go run` that started it (Config.StopWithParent), stops the server through its control
// pipe; if the supervisor dies outright, the pipe's end closes and the server stops as
// well. A server that exits by itself after serving (a crash) is started again; one that
// stops cleanly (SIGTERM sent to it) stops the supervisor too.
//
// # Builds
//
// Only a change the build reads starts one: a Go file (not a test) of a package of the
// module the server is built from (go list -deps, again after each build), a file such a
// package embeds, go.mod or go.sum; after a failed build any Go file of the module, as its
// imports may have changed. Files are watched with fsnotify (watchfs.go says why not by
// polling), and a burst of writes is one change.
//
// Builds add -ldflags=-w: without DWARF a rebuild (half of it is the link) takes about a
// quarter less here, and a stack trace still has its files and lines (debuggers lose the
// source view; run without -watch to debug). They keep the flags this binary was built
// with (-race, -tags, -trimpath, -gcflags, -ldflags), and -buildvcs=false, as go run does.
// A build that files changed under while it ran is not swapped in: the next one has them.
//
// Windows has no inherited file descriptors for exec.Cmd (ExtraFiles), so -watch is Unix
// only.
package reload
