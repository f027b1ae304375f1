package main

import (
	"testing"
	"time"
)

// TestExitIfStuck: the process is ended only when Run has not returned
// in time after the app started to quit.
func TestExitIfStuck(t *testing.T) {
	const after = 50 * time.Millisecond
	opened := make(chan struct{})
	close(opened)
	watch := func(quit, ret bool) bool {
		quitting, returned, exited := make(chan struct{}), make(chan struct{}), make(chan struct{})
		done := make(chan struct{})
		go func() {
			exitIfStuck(quitting, returned, opened, after, func() { close(exited) })
			close(done)
		}()
		if quit {
			close(quitting)
		}
		if ret {
			close(returned)
		}
		select {
		case <-done:
		case <-time.After(10 * after):
			if quit {
				t.Fatal("quitting and never returning, the watch did not end")
			}
		}
		defer func() {
			if !ret {
				close(returned) // ends the watch left waiting
			}
		}()
		select {
		case <-exited:
			return true
		default:
			return false
		}
	}
	if !watch(true, false) {
		t.Error("Run never returned after quitting, and the process was not ended")
	}
	if watch(true, true) {
		t.Error("Run returned after quitting, and the process was ended all the same")
	}
	if watch(false, true) {
		t.Error("Run returned without quitting (the last window closed), and the process was ended")
	}
	if watch(false, false) {
		t.Error("the app never quit, and the process was ended")
	}
}

// TestExitIfStuckWaitsForTheOpen: quit while the database opens (an
// upgrade) and Run stuck, the process is ended only once it is open, so
// that neither the upgrade nor its copy is cut short, and not at once
// then: Run, which now quits, is given its time.
func TestExitIfStuckWaitsForTheOpen(t *testing.T) {
	const after = 400 * time.Millisecond
	quitting, returned, opened, exited := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	defer close(returned) // ends the watch, whatever it waits for
	go exitIfStuck(quitting, returned, opened, after, func() { close(exited) })
	close(quitting)
	select {
	case <-exited:
		t.Fatal("the process was ended while the database was still being opened")
	case <-time.After(2 * after):
	}
	close(opened)
	select {
	case <-exited:
		t.Fatal("the process was ended as soon as the database was open, before Run could return")
	case <-time.After(after / 4):
	}
	select {
	case <-exited:
	case <-time.After(10 * after):
		t.Error("Run never returned after quitting, and the process was not ended once the database was open")
	}
}
