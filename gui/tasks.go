package gui

import (
	"fmt"
	"log"
	"runtime/debug"
	"sync/atomic"
)

// tasks runs slow work (a search, a student, a publish, a report) off the
// UI goroutine, so the window never freezes, and hands each result back
// through post: the one way into the UI goroutine from another. post is
// fyne.Do in the app. Fyne's test driver would run it on the calling
// goroutine, beside the test's own, so tests queue what is posted and run
// it on theirs, waiting while busy says work is in flight.
type tasks struct {
	post func(func())
	// failed tells the user, on the UI goroutine, of work a panic
	// stopped; nil where no window is there to tell it in.
	failed func(error)
	busy   atomic.Int64 // work whose result is not on screen yet
}

func newTasks(post func(func())) *tasks { return &tasks{post: post} }

// run runs work on a goroutine of its own, then the function it returns
// (if any) on the UI goroutine. what says what the work does, as in
// "while searching", for the one sentence a panic in either becomes: a
// panic off the UI goroutine would end the app with a stack trace, and
// the store has rolled back whatever the work was writing.
func (t *tasks) run(what string, work func() (apply func())) {
	t.busy.Add(1)
	go func() {
		apply, err := recovered(what, work)
		t.post(func() {
			defer t.busy.Add(-1)
			if err == nil && apply != nil {
				_, err = recovered(what, func() func() { apply(); return nil })
			}
			if err != nil && t.failed != nil {
				t.failed(err)
			}
		})
	}()
}

// recovered runs work and turns a panic in it into an error a person can
// act on. The stack goes to the log (stderr) for whoever fixes the bug,
// never to the screen.
func recovered(what string, work func() func()) (apply func(), err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("panic while %s: %v\n%s", what, r, debug.Stack())
			err = fmt.Errorf("something went wrong while %s: %v. Nothing was changed; please tell your administrator", what, r)
		}
	}()
	return work(), nil
}

// do updates the UI from a goroutine without waiting for it, as a
// progress bar does.
func (t *tasks) do(update func()) { t.post(update) }
