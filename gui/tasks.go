package gui

import "sync/atomic"

// tasks runs slow work (a search, a student, a publish, a report) off the
// UI goroutine, so the window never freezes, and hands each result back
// through post: the one way into the UI goroutine from another. post is
// fyne.Do in the app. Fyne's test driver would run it on the calling
// goroutine, beside the test's own, so tests queue what is posted and run
// it on theirs, waiting while busy says work is in flight.
type tasks struct {
	post func(func())
	busy atomic.Int64 // work whose result is not on screen yet
}

func newTasks(post func(func())) *tasks { return &tasks{post: post} }

// run runs work on a goroutine of its own, then the function it returns
// (if any) on the UI goroutine.
func (t *tasks) run(work func() (apply func())) {
	t.busy.Add(1)
	go func() {
		apply := work()
		t.post(func() {
			defer t.busy.Add(-1)
			if apply != nil {
				apply()
			}
		})
	}()
}

// do updates the UI from a goroutine without waiting for it, as a
// progress bar does.
func (t *tasks) do(update func()) { t.post(update) }
