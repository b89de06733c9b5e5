package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readyTimeout bounds how long a process may take to answer /readyz.
const readyTimeout = 60 * time.Second

// process is one server the harness started: teamsops or the bare server.
type process struct {
	cmd     *exec.Cmd
	addr    string // host:port it listens on
	logPath string // its stdout and stderr
	exited  chan struct{}
	err     error // why it exited, once exited is closed
	// ready is how long it took from exec to the first /readyz 200.
	ready time.Duration
	// pprof is the address of its profiler (--pprof-addr), if it has one.
	pprof string
}

// buildTeamsops builds ./cmd/teamsops into dir and returns the binary.
func buildTeamsops(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	bin := filepath.Join(dir, "teamsops")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/teamsops/teamsops/cmd/teamsops")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/teamsops (run from the repository, or give --bin): %w", err)
	}
	return bin, nil
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startProcess runs bin with args (addr is where it will listen), its
// output going to logPath, and waits until /readyz answers 200.
func startProcess(ctx context.Context, bin string, args []string, addr, logPath string) (*process, error) {
	return startProcessEnv(ctx, bin, args, nil, addr, logPath)
}

// startProcessEnv is startProcess with env as the process's environment
// (nil: the harness's own).
func startProcessEnv(ctx context.Context, bin string, args, env []string, addr, logPath string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own copy
	p := &process{cmd: exec.Command(bin, args...), addr: addr, logPath: logPath, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr, p.cmd.Env = logf, logf, env
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(ctx); err != nil {
		p.stop()
		return nil, fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, p.logTail())
	}
	p.ready = time.Since(began)
	return p, nil
}

// waitReady polls /readyz every millisecond until it answers 200.
func (p *process) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("exited before it was ready: %v", p.err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if res, err := client.Get("http://" + p.addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("not ready after %v", readyTimeout)
}

// stop sends SIGTERM, waits for the process to finish what it is doing,
// and kills it if it takes longer than teamsops' own shutdown grace.
func (p *process) stop() {
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// rss returns the process's resident memory in bytes (Linux's VmRSS), or
// 0 where /proc does not say.
func (p *process) rss() int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's times: 100
// on every architecture Go supports there.
const clockTicks = 100

// cpu returns the CPU time the process has used, user and system, all its
// threads; 0 where /proc does not say.
func (p *process) cpu() time.Duration { return cpuOfPid(p.cmd.Process.Pid) }

// selfCPU is the CPU time the harness itself has used: the client's cost.
func selfCPU() time.Duration { return cpuOfPid(os.Getpid()) }

func cpuOfPid(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing parenthesis. utime and stime are fields 14 and 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(user+sys) * time.Second / clockTicks
}

// cpuOf is the CPU time all of procs have used.
func cpuOf(procs []*process) time.Duration {
	var d time.Duration
	for _, p := range procs {
		d += p.cpu()
	}
	return d
}

// logTail returns the last lines the process wrote, for error messages.
func (p *process) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// rssSampler records the largest resident memory of some processes while
// a scenario runs.
type rssSampler struct {
	stopc chan struct{}
	done  chan int64
}

// sampleRSS reads the processes' memory every 100 ms until stop is called;
// it keeps the largest one process had.
func sampleRSS(procs []*process) *rssSampler {
	r := &rssSampler{stopc: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, p := range procs {
				peak = max(peak, p.rss())
			}
			select {
			case <-r.stopc:
				r.done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return r
}

// stop ends the sampling and returns the peak in bytes.
func (r *rssSampler) stop() int64 {
	close(r.stopc)
	return <-r.done
}

// runOutput runs bin with args and returns its standard output, trimmed.
func runOutput(ctx context.Context, bin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), args[0], err, strings.TrimSpace(errOut.String()))
	}
	s := bufio.NewScanner(&out)
	if !s.Scan() {
		return "", errors.New(filepath.Base(bin) + " " + args[0] + " printed nothing")
	}
	return strings.TrimSpace(s.Text()), nil
}
