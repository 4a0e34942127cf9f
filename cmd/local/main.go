// Command local is the local test server: the inquiries API and its worker on a laptop,
// running the same handler code as the Lambdas on the same event payloads, with no Docker,
// no AWS account and no network.
//
//	go run ./cmd/local                      # http://127.0.0.1:8080, data in ./.groundwork/local
//	go run ./cmd/local -addr 127.0.0.1:9000 -data /tmp/gw -visibility 5s
//	go run ./cmd/local -stack staging -issuer local   # tokens checked as staging's authorizer
//	go run ./cmd/local token -stack staging -scope groundwork-api/inquiries.read
//
// Stop it with Ctrl-C (SIGINT) or SIGTERM: in-flight requests finish, then the worker
// finishes its batch. Run with `go run`, it also stops that way when the go command exits,
// even one killed by a signal it does not pass on (see stopWithGoRun). A restart on the
// same data directory finds every record, archive object and unprocessed event again.
//
// With -watch, saving a change to the server's Go code rebuilds it and swaps the new
// server in; the time from the save to the new code serving is logged ("reloaded in"):
//
//	go run ./cmd/local -watch
//
// Requests sent during a swap are answered, by the old server or the new one, none
// refused; queued events and stored records stay; a build that fails prints the compiler's
// errors and leaves the previous build serving.
//
// The handlers are compiled Go, so new code is a new binary. Each build runs as a whole
// server process, the same server `go run ./cmd/local` runs, rather than as handler code
// behind a supervisor that would keep the queues and records: such a split would send every
// store call over a protocol only -watch uses (a path neither the Lambdas nor the plain
// server take), and edits to the code kept in the supervisor (adapters, queue, event
// translation) would not reload. A server exec'ing its own successor was weighed too, and
// set aside: once exec'd, it cannot fall back to the old build when the new one fails to
// start. So the process `go run` starts only supervises: it holds the listening socket
// (connections arriving between two servers wait in its backlog) and the data directory's
// lock (no other server can take the directory in between), and runs each build as a child
// that inherits both. The old server drains as for SIGTERM (its requests answered, its
// worker batch finished and acknowledged, its bbolt files closed) before the new one opens
// the data directory. Package reload (cmd/local/internal/reload) has the details.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/localserver"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "local:", err)
		}
		os.Exit(2)
	}
}

// run parses args, starts the server and serves until SIGINT or SIGTERM, or until the go
// command that runs it exits.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "repair" {
		return repair(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "token" {
		return token(ctx, args[1:], stdout, stderr)
	}
	start := time.Now()
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (keep it on loopback: the server has no authentication)")
	data := fs.String("data", ".groundwork/local", "data directory: records, archive, queues")
	visibility := fs.Duration("visibility", localserver.DefaultVisibilityTimeout, "events queue visibility timeout: the retry delay of a failed event and the worker's time limit (whole seconds, 1s-12h)")
	maxReceive := fs.Int("max-receive", localserver.DefaultMaxReceiveCount, "tries before an event moves to the dead-letter queue (1-1000)")
	batch := fs.Int("batch", localserver.DefaultBatchSize, "events per worker invocation (1-10)")
	noWorker := fs.Bool("no-worker", false, "leave events in the queue (a later run processes them)")
	quiet := fs.Bool("quiet", false, "do not log each request")
	var auth authFlags
	auth.register(fs)
	watch := fs.Bool("watch", false, "rebuild the server when its Go code changes, and swap it in without dropping requests, queued events or data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkFlags(*visibility, *maxReceive, *batch); err != nil {
		return err
	}
	stack, stackFile, err := auth.check()
	if err != nil {
		return err
	}
	tokens, err := auth.mode(stack, stackFile, *data)
	if err != nil {
		return err
	}
	h, err := takeHandover(*watch, *data) // nil unless the -watch supervisor started this process
	switch {
	case errors.Is(err, errStoppedBeforeOpen):
		return nil // nothing was opened
	case err != nil:
		return err
	case *watch && h == nil:
		return supervise(ctx, args, *addr, *data, stdout, stderr)
	}

	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := localserver.New(localserver.Config{
		DataDir:           *data,
		VisibilityTimeout: *visibility,
		MaxReceiveCount:   *maxReceive,
		BatchSize:         *batch,
		NoWorker:          *noWorker,
		Logger:            log,
		Authorizer:        tokens.authz,
		Lock:              h.dirLock(),
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := h.listen(srv, *addr)
	if err != nil {
		return err
	}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err == nil && !ap.Addr().IsLoopback() {
		log.Warn("listening beyond loopback: anyone who can reach this address can read every inquiry", "addr", ln.Addr().String())
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, goRun, stopWatching := h.stopWith(ctx, log)
	defer stopWatching()
	if h.first() {
		banner(stdout, srv, "http://"+ln.Addr().String(), goRun, tokens, time.Since(start))
	}
	err = srv.Serve(ctx, ln)
	if !h.handedOver() {
		fmt.Fprintln(stdout, "stopped: requests drained, worker batch finished")
	}
	return err
}

// checkFlags refuses flag values outside their ranges, naming each flag and its range: a
// value the server would replace by a default, or AWS would refuse, is a mistake to report.
// The ranges are those of the AWS settings the flags stand for; -visibility is stricter than
// localserver.Config (whose tests use milliseconds) because SQS counts whole seconds, and 0
// would leave the worker no time at all.
func checkFlags(visibility time.Duration, maxReceive, batch int) error {
	var errs []error
	if visibility < time.Second || visibility > localserver.MaxVisibilityTimeout || visibility%time.Second != 0 {
		errs = append(errs, fmt.Errorf("-visibility %v is out of range: whole seconds from 1s to 12h (SQS's visibility timeout)", visibility))
	}
	if maxReceive < 1 || maxReceive > localserver.MaxReceiveCountLimit {
		errs = append(errs, fmt.Errorf("-max-receive %d is out of range: 1 to %d (SQS's maxReceiveCount)", maxReceive, localserver.MaxReceiveCountLimit))
	}
	if batch < 1 || batch > localserver.MaxBatchSize {
		errs = append(errs, fmt.Errorf("-batch %d is out of range: 1 to %d (SQS returns at most %[2]d messages per receive)", batch, localserver.MaxBatchSize))
	}
	return errors.Join(errs...)
}

// banner prints where the server is, what it keeps where, the settings in effect, and its
// routes. goRun is the pid of the go command whose exit stops the server, or 0.
func banner(w io.Writer, srv *localserver.Server, url string, goRun int, tokens authMode, ready time.Duration) {
	cfg := srv.Config()
	q, dlq := srv.Queues()
	st := q.Stats()
	worker := fmt.Sprintf("batch %d, visibility %v, dead-letter after %d tries", cfg.BatchSize, cfg.VisibilityTimeout, cfg.MaxReceiveCount)
	if cfg.NoWorker {
		worker = "off (-no-worker): events stay in the queue"
	}
	process := fmt.Sprintf("pid %d", os.Getpid())
	if goRun != 0 {
		process += fmt.Sprintf(", stops when go run (pid %d) exits", goRun)
	}
	fmt.Fprintf(w, "groundwork local server on %s (ready in %v)\n", url, ready.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  data\t%s\n", cfg.DataDir)
	fmt.Fprintf(tw, "  worker\t%s\n", worker)
	fmt.Fprintf(tw, "  queue\t%d waiting, %d in flight, %d dead-lettered\n", st.Visible, st.InFlight, len(dlq.Messages()))
	fmt.Fprintf(tw, "  process\t%s\n", process)
	fmt.Fprintf(tw, "  tokens\t%s\n", tokens.summary())
	fmt.Fprintln(tw, "routes:")
	for _, rt := range httpapi.Routes {
		fmt.Fprintf(tw, "  %s\t%s%s\t%s\n", rt.Method, url, rt.Path, tokens.route(rt))
	}
	tw.Flush()
}
