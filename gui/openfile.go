package gui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// openFile opens a saved file with the program the computer has for its
// kind, off the UI goroutine, and says in a sentence why it could not. On
// Linux and the BSDs it runs xdg-open and waits for its verdict, since
// Fyne's OpenURL only starts it and never hears that nothing opened the
// file; elsewhere the system's own opener (through the app) answers.
func openFile(app reportApp, path string) error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
		return xdgOpen(context.Background(), "xdg-open", path, 10*time.Second)
	}
	if err := app.OpenURL(fileURL(path)); err != nil {
		return fmt.Errorf("the system could not open %s (%w); open it from its folder, %s", filepath.Base(path), err, filepath.Dir(path))
	}
	return nil
}

// xdgOpen runs opener on path and reads its exit status: xdg-open
// answers 3 when no program is set for the file's kind and 4 when the
// program failed. An opener still running after wait has started a
// program that keeps it waiting, which is success.
func xdgOpen(ctx context.Context, opener, path string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	cmd := exec.Command(opener, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	folder := fmt.Sprintf("open it from its folder, %s", filepath.Dir(path))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("this computer has no %s to open files with (%w); %s", opener, err, folder)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		return nil
	}
	var exit *exec.ExitError
	if err == nil || !errors.As(err, &exit) {
		return err
	}
	why := strings.TrimSpace(stderr.String())
	if i := strings.LastIndexByte(why, '\n'); i >= 0 {
		why = why[i+1:]
	}
	if why != "" {
		why = " (" + opener + " said: " + why + ")"
	}
	kind := strings.ToUpper(strings.TrimPrefix(filepath.Ext(path), "."))
	switch exit.ExitCode() {
	case 3:
		return fmt.Errorf("no program on this computer is set to open %s files%s; install one (LibreOffice opens both reports), or %s", kind, why, folder)
	case 2:
		return fmt.Errorf("the file %s is no longer there%s", path, why)
	}
	return fmt.Errorf("the program for %s files could not open %s (exit status %d)%s; %s", kind, filepath.Base(path), exit.ExitCode(), why, folder)
}
