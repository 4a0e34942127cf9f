package localqueue

import (
	"bufio"
	"context"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// crashDirEnv names the queue directory of the child process of TestKillDashNineLosesNothing.
const crashDirEnv = "LOCALQUEUE_CRASH_CHILD_DIR"

// TestCrashChild is the child of TestKillDashNineLosesNothing (skipped otherwise): it sends,
// receives and deletes in a loop and prints each acknowledgement after the call returned,
// until it is killed. It stops by itself after 5,000 rounds, so a parent that died cannot
// leave it running for long.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child of TestKillDashNineLosesNothing")
	}
	ctx := context.Background()
	q, err := Open(Config{Dir: dir, VisibilityTimeout: time.Hour, Logger: quietLogger()})
	if err != nil {
		fmt.Printf("open %v\n", err)
		os.Exit(3)
	}
	out := os.Stdout // unbuffered: a line printed is in the pipe before the next call starts
	for i := range 5000 {
		id, err := q.Send(ctx, fmt.Sprintf("m-%d-%s", i, strings.Repeat("x", i%700)))
		if err != nil {
			fmt.Fprintf(out, "error %v\n", err)
			os.Exit(4)
		}
		fmt.Fprintf(out, "sent %s\n", id)
		if i%3 != 2 {
			continue
		}
		msgs, err := q.Receive(ctx, 5)
		if err != nil {
			fmt.Fprintf(out, "error %v\n", err)
			os.Exit(4)
		}
		for _, m := range msgs {
			fmt.Fprintf(out, "received %s %s\n", m.MessageId, m.Attributes["ApproximateReceiveCount"])
		}
		if len(msgs) > 0 {
			fmt.Fprintf(out, "deleting %s\n", msgs[0].MessageId)
			if err := q.Delete(ctx, msgs[0].ReceiptHandle); err != nil {
				fmt.Fprintf(out, "error %v\n", err)
				os.Exit(4)
			}
			fmt.Fprintf(out, "deleted %s\n", msgs[0].MessageId)
		}
	}
	os.Exit(0)
}

func TestKillDashNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process 6 times")
	}
	// Given a queue that a child process writes to in a loop, killed with SIGKILL at a
	// random point (seeded) after 20 to 80 acknowledgements, 6 times over on the same queue
	dir := t.TempDir()
	rng := mrand.New(mrand.NewPCG(9, 9))
	sent, deleted, received := map[string]bool{}, map[string]bool{}, map[string]int{}
	for cycle := range 6 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		killAfter, n, killed := 20+rng.IntN(60), 0, false
		// inFlight is the message whose delete had started but was not acknowledged when
		// the child died: it may or may not be gone, and nothing else may differ.
		inFlight := ""
		deadline := time.After(waitBound)
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break read // the child is dead and its output drained
				}
				f := strings.Fields(line)
				switch f[0] {
				case "sent":
					sent[f[1]] = true
				case "deleting":
					inFlight = f[1]
				case "deleted":
					deleted[f[1]] = true
					inFlight = ""
				case "received":
					received[f[1]], _ = strconv.Atoi(f[2])
				default:
					t.Fatalf("cycle %d: child: %s", cycle, line)
				}
				if n++; n == killAfter && !killed {
					require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
					killed = true
				}
			case <-deadline:
				_ = cmd.Process.Kill()
				t.Fatalf("cycle %d: the child printed %d lines in %v", cycle, n, waitBound)
			}
		}
		_ = cmd.Wait()
		require.True(t, killed, "cycle %d: the child was killed, not finished", cycle)

		// When the queue is opened after the kill
		q, err := Open(Config{Dir: dir, VisibilityTimeout: time.Hour, Logger: quietLogger()})

		// Then the file is whole and holds every acknowledged change
		require.NoError(t, err, "cycle %d: a kill -9 leaves a whole queue file", cycle)
		have := map[string]int{}
		for _, m := range q.Messages() {
			have[m.ID] = m.ReceiveCount
		}
		require.NoError(t, q.Close())
		for id := range sent {
			if id == inFlight {
				_, kept := have[id]
				deleted[id] = !kept
				continue
			}
			if deleted[id] {
				require.NotContains(t, have, id, "cycle %d: an acknowledged delete stays done", cycle)
				continue
			}
			require.Contains(t, have, id, "cycle %d: an acknowledged send is kept", cycle)
			require.GreaterOrEqual(t, have[id], received[id], "cycle %d: an acknowledged receive count is kept", cycle)
		}
	}
	require.NotEmpty(t, deleted)
	t.Logf("%d sends, %d deletes acknowledged over 6 kills", len(sent), len(deleted))
}
