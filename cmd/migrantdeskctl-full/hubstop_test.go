package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl+C stops hub serve once the requests in flight have finished, for
// up to 30 seconds; a second Ctrl+C during that wait stops it at once,
// cutting them off, and the log says so. The request held here is a push
// whose body is still on its way.
func TestHubServeStopsAtOnceOnASecondInterrupt(t *testing.T) {
	addr := freeAddr(t)
	file := hubWithUser(t, "--username", "kim", "--name", "Kim Lee", "--role", "state_admin")
	var log bytes.Buffer
	hubProc := exec.Command(os.Args[0], "-test.run=^TestImportChild$", "-test.count=1")
	hubProc.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{"hub", "serve", "--db", file, "--addr", addr}, "\x1f"))
	hubProc.Stderr = &log
	if err := hubProc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hubProc.Process.Kill(); hubProc.Wait() })
	body, _ := json.Marshal(map[string]string{"username": "kim", "password": "correct horse battery"})
	var token string
	for deadline := time.Now().Add(30 * time.Second); token == ""; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the hub did not start")
		}
		resp, err := http.Post("http://"+addr+"/v1/signin", "application/json", bytes.NewReader(body))
		if err != nil {
			continue
		}
		var signedIn struct{ Token string }
		json.NewDecoder(resp.Body).Decode(&signedIn)
		resp.Body.Close()
		token = signedIn.Token
	}
	held, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	fmt.Fprintf(held, "POST /v1/push HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", addr, token)
	time.Sleep(300 * time.Millisecond)
	exited := make(chan error, 1)
	if err := hubProc.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- hubProc.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("the hub stopped (%v) with a request in flight: %s", err, log.String())
	case <-time.After(time.Second):
	}
	if err := hubProc.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("a second Ctrl+C did not stop the hub")
	}
	if !strings.Contains(log.String(), "requests in flight were cut off") {
		t.Errorf("the log does not say the requests in flight were cut off: %s", log.String())
	}
}
