package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

// readStatusKB reads a field such as VmRSS or VmHWM, in kB, from /proc/<pid>/status
// (pid "self" for this process).
func readStatusKB(pid, field string) (int64, error) {
	raw, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s in /proc/%s/status: %w", field, pid, err)
			}
			return kb, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%s/status", field, pid)
}

// rssMB is a process's resident set size in MB (2^20 bytes), 0 if unreadable.
func rssMB(pid string) float64 {
	kb, err := readStatusKB(pid, "VmRSS")
	if err != nil {
		return 0
	}
	return float64(kb) / 1024
}

// cpuTime is the CPU time (user + system) a process has used, from /proc/<pid>/stat.
func cpuTime(pid string) time.Duration {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses, and it may hold spaces)
	// start at field 3; utime and stime are fields 14 and 15, in clock ticks
	// (USER_HZ, 100 a second on Linux).
	_, rest, ok := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	user, err1 := strconv.ParseInt(f[11], 10, 64)
	sys, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// rssSampler records the largest VmRSS of a process while it runs. each, when not
// nil, is called on every sample (the bench uses it to forget the fake's recorded
// calls, which would otherwise grow with the load it measures).
type rssSampler struct {
	peakKB atomic.Int64
	stop   chan struct{}
	done   chan struct{}
}

func sampleRSS(pid string, every time.Duration, each func()) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb, err := readStatusKB(pid, "VmRSS"); err == nil && kb > s.peakKB.Load() {
				s.peakKB.Store(kb)
			}
			if each != nil {
				each()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// end stops sampling and returns the peak in MB.
func (s *rssSampler) end() float64 {
	close(s.stop)
	<-s.done
	return float64(s.peakKB.Load()) / 1024
}

// child is a process the bench started: `referralbot serve`, or the bare handler.
type child struct {
	cmd       *exec.Cmd
	pid       string
	url       string
	started   time.Time
	listening time.Time     // when it logged where it listens
	rebuilt   chan struct{} // closed when serve logs that the reminder schedule is rebuilt
	rebuiltAt time.Time     // set before rebuilt is closed
	logs      *logTally
	exited    chan struct{} // closed when the process has exited and its log is drained
	waitErr   error         // how it exited; set before exited is closed
}

// startChild runs exe with args and env, reads its JSON log on stderr until it says
// where it listens, and keeps draining the log (counting warnings) after that.
func startChild(ctx context.Context, exe string, args, env []string) (*child, error) {
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	started := clock.Wall()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s %s: %w", exe, strings.Join(args, " "), err)
	}
	c := &child{cmd: cmd, pid: strconv.Itoa(cmd.Process.Pid), started: started, rebuilt: make(chan struct{}),
		logs: newLogTally(), exited: make(chan struct{})}
	listening := make(chan string, 1)
	var drained sync.WaitGroup
	drained.Go(func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var once sync.Once
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = c.logs.Write(line)
			var m struct{ Msg, Addr string }
			if json.Unmarshal(line, &m) != nil {
				continue
			}
			switch m.Msg {
			case "listening":
				select {
				case listening <- m.Addr:
				default:
				}
			case "reminder schedule rebuilt":
				once.Do(func() {
					c.rebuiltAt = clock.Wall()
					close(c.rebuilt)
				})
			}
		}
	})
	go func() {
		drained.Wait()
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case addr := <-listening:
		c.listening = clock.Wall()
		c.url = "http://" + addr
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("%s %s exited before listening: %v (%s)", exe, strings.Join(args, " "), c.waitErr, c.logs.summary())
	case <-timer.C:
	case <-ctx.Done():
	}
	c.kill()
	return nil, fmt.Errorf("%s %s did not listen within 30s", exe, strings.Join(args, " "))
}

// stop asks the child to shut down (SIGTERM, as a container runtime would) and
// waits for it; it kills the child if it takes more than 15 seconds. Stopping or
// killing a child that has exited does nothing more.
func (c *child) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(15 * time.Second)
	defer timer.Stop()
	select {
	case <-c.exited:
		return c.waitErr
	case <-timer.C:
		c.kill()
		return errors.New("child did not stop within 15s of SIGTERM; killed")
	}
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// waitRebuilt waits for serve's start-up rebuild of the reminder schedule.
func (c *child) waitRebuilt(ctx context.Context, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-c.rebuilt:
		return nil
	case <-timer.C:
		return fmt.Errorf("serve did not rebuild its reminders within %v", timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// firstReady asks the child's /readyz until it answers 200 and returns when it did.
func (c *child) firstReady(ctx context.Context) (time.Time, error) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for try := 0; try < 5000; try++ {
		resp, err := client.Get(c.url + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return clock.Wall(), nil
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
	return time.Time{}, errors.New("/readyz never answered 200")
}

// settle lets a freshly started process reach its idle state (background work
// done, allocation after start-up collected) before its RSS is read.
func settle(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// serveBare is the hidden `referralbot-bench -bare-server` mode: the bare handler in
// a process of its own, the baseline for the memory of `referralbot serve`. It logs
// where it listens as serve does, and runs until ctx ends (SIGTERM).
func serveBare(ctx context.Context, stderr io.Writer) error {
	url, stop, err := startBare()
	if err != nil {
		return err
	}
	defer stop()
	line, _ := json.Marshal(map[string]string{"msg": "listening", "addr": strings.TrimPrefix(url, "http://")})
	fmt.Fprintln(stderr, string(line))
	<-ctx.Done()
	return nil
}
