package e2etest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/sync/client"
)

// BenchmarkSyncLoad50's district users are workstations of their own
// with real databases: each first sync writes a few thousand rows, some
// 45 ms of CPU a workstation, ten at once as the load starts. On fifty
// machines that work is theirs; on the benchmark machine it took the
// cores from the hub, and set the p99 of every request in the first half
// second (README, session 13). So each runs in a process of its own of
// the test binary at the lowest CPU priority (nice 19), which gets the
// cores the hub and the clerks leave idle, as its own machine would give
// it. Its requests are timed there as the clerks' are here, and counted
// with them; so are its sign-in and its CPU.

// workstationEnv carries a district workstation's work to the process
// that runs it.
const workstationEnv = "MIGRANTDESK_LOAD_WORKSTATION"

// workstationNice is the priority the district workstations run at.
const workstationNice = "19"

// workstationWork is what a district workstation's process is given.
type workstationWork struct {
	User   data.User
	URL    string // the hub it syncs with
	Rounds int
	DB     string // its database, made by its first sync
}

// workstationResult is what its process answers, its times in
// nanoseconds.
type workstationResult struct {
	SignIn, Pull, Push []time.Duration
	CPU                time.Duration // of the process, from the start on
	Err                string
}

// districtWorkstation is the process running a district user's
// workstation, from the benchmark's side.
type districtWorkstation struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *lockedBuffer
}

// startWorkstation starts the process of a district user's workstation,
// which signs in and waits for start.
func startWorkstation(b *testing.B, user data.User, url string, rounds int) *districtWorkstation {
	b.Helper()
	work, err := json.Marshal(workstationWork{User: user, URL: url, Rounds: rounds, DB: filepath.Join(b.TempDir(), "ws.db")})
	if err != nil {
		b.Fatal(err)
	}
	nice, err := exec.LookPath("nice")
	if err != nil {
		b.Fatalf("the district workstations run under nice: %v", err)
	}
	d := &districtWorkstation{stderr: &lockedBuffer{}}
	d.cmd = exec.Command(nice, "-n", workstationNice, os.Args[0], "-test.run", "^$")
	d.cmd.Env = append(os.Environ(), workstationEnv+"="+string(work))
	d.cmd.Stderr = d.stderr
	if d.in, err = d.cmd.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		d.cmd.Process.Kill()
		d.cmd.Wait()
	})
	d.out = bufio.NewReader(out)
	return d
}

// line is the process's next line that starts with prefix, without it.
func (d *districtWorkstation) line(b *testing.B, prefix string) string {
	for {
		l, err := d.out.ReadString('\n')
		if err != nil {
			b.Fatalf("a district workstation's process ended before it said %q: %v\n%s", prefix, err, d.stderr)
		}
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return strings.TrimSpace(v)
		}
	}
}

// ready waits until the workstation has signed in.
func (d *districtWorkstation) ready(b *testing.B) { d.line(b, "ready") }

// start has the workstation sync.
func (d *districtWorkstation) start(b *testing.B) {
	if _, err := io.WriteString(d.in, "go\n"); err != nil {
		b.Fatal(err)
	}
}

// wait returns what the workstation measured once it is done.
func (d *districtWorkstation) wait(b *testing.B) workstationResult {
	var res workstationResult
	if err := json.Unmarshal([]byte(d.line(b, "result ")), &res); err != nil {
		b.Fatal(err)
	}
	if err := d.cmd.Wait(); err != nil {
		b.Fatalf("a district workstation's process: %v\n%s", err, d.stderr)
	}
	if res.Err != "" {
		b.Fatal(res.Err)
	}
	return res
}

// runWorkstation is a district workstation's process (TestMain runs it
// instead of the tests when workstationEnv is set): it signs its user
// in, says "ready", waits for a line on its input, syncs as loadClient
// does and prints "result " and the times of its requests as JSON.
func runWorkstation(spec string) int {
	var work workstationWork
	res := workstationResult{}
	err := json.Unmarshal([]byte(spec), &work)
	if err == nil {
		err = syncWorkstation(work, &res)
	}
	if err != nil {
		res.Err = err.Error()
	}
	out, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("result %s\n", out)
	return 0
}

func syncWorkstation(work workstationWork, res *workstationResult) error {
	lat := newLatencies()
	defer lat.timeTransport()()
	c, err := client.New(work.URL)
	if err != nil {
		return err
	}
	if err := c.SignIn(context.Background(), work.User.Username, Password); err != nil {
		return fmt.Errorf("%s: %w", work.User.Username, err)
	}
	res.SignIn = lat.of("/v1/signin")
	lat.reset()
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fmt.Errorf("wait for the start: %w", err)
	}
	before := processCPU()
	err = loadClient(c, work.User, nil, work.Rounds, 0, work.DB)
	res.CPU = processCPU() - before
	res.Pull, res.Push = lat.of("/v1/pull"), lat.of("/v1/push")
	return err
}
