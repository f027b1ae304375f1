package gui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// openDemo opens the shared fixture (storetest) marked as a demo
// database: its profiles are on offer only on a demo.
func openDemo(t testing.TB) *store.Store {
	t.Helper()
	st := storetest.Open(t)
	if err := st.SetMeta(context.Background(), store.MetaDemo, "1"); err != nil {
		t.Fatal(err)
	}
	return st
}

// openDemoOf is openDemo with the extract ex in place of the fixture's:
// its users, a demo database.
func openDemoOf(t testing.TB, ex *data.Extract) *store.Store {
	t.Helper()
	st := storetest.OpenEmpty(t)
	ctx := context.Background()
	if _, err := st.ImportExtract(ctx, ex, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, u := range storetest.Users() {
		if err := st.SaveUser(ctx, "tester", u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetMeta(ctx, store.MetaDemo, "1"); err != nil {
		t.Fatal(err)
	}
	return st
}

// start builds the UI on Fyne's test app, shows it and waits until its
// start-up reads are done.
func start(t *testing.T, st *store.Store, opts Options) *UI {
	t.Helper()
	u := newUI(t, test.NewTempApp(t), st, opts)
	u.ShowMain()
	u.wait()
	return u
}

// startLocal starts the UI on a database that is not a demo and has
// never synced, and chooses to work on this computer only.
func startLocal(t *testing.T, st *store.Store) *UI {
	t.Helper()
	u := start(t, st, Options{})
	if u.signIn == nil || u.signIn.local == nil {
		t.Fatal("no sign-in with Work on this computer only at start")
	}
	tap(t, u, "Work on this computer only")
	return u
}

// newUI builds the UI on a test app, with what background work hands to
// the UI goroutine queued for the test's goroutine.
func newUI(t testing.TB, a fyne.App, st *store.Store, opts Options) *UI {
	t.Helper()
	queue := make(chan func(), 1024)
	u, err := newWithPost(a, st, opts, func(f func()) { queue <- f })
	if err != nil {
		t.Fatal(err)
	}
	queues[u.tasks] = queue
	t.Cleanup(func() {
		if u.sync != nil {
			u.sync.close()
		}
		delete(queues, u.tasks)
	})
	return u
}

// testTasks are tasks whose posts queue for the test's goroutine, for a
// screen built without the UI.
func testTasks(t testing.TB) *tasks {
	queue := make(chan func(), 1024)
	tk := newTasks(func(f func()) { queue <- f })
	queues[tk] = queue
	t.Cleanup(func() { delete(queues, tk) })
	return tk
}

// queues hold, per tasks of a test, what its background work hands to
// the UI goroutine.
var queues = map[*tasks]chan func(){}

// wait runs on the test's goroutine, as the app's UI goroutine would,
// what background work hands over, until no work is in flight.
func (t *tasks) wait() {
	q := queues[t]
	for t.busy.Load() > 0 {
		(<-q)()
	}
	for {
		select {
		case f := <-q:
			f()
		default:
			return
		}
	}
}

func (u *UI) wait() { u.tasks.wait() }

// until runs, one at a time, what background work hands over until cond
// holds, and reports whether it did before the work ran out.
func (t *tasks) until(cond func() bool) bool {
	q := queues[t]
	for !cond() {
		if t.busy.Load() == 0 && len(q) == 0 {
			return false
		}
		(<-q)()
	}
	return true
}

// pressEnter types Enter into an entry.
func pressEnter(u *UI, e *widgets.Entry) {
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
}

// retype replaces an entry's text the way a clerk does: select all,
// then type rune by rune.
func retype(e *widgets.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

// press runs the main-menu item bound to a shortcut, as the window does
// when the keys are pressed.
func press(t *testing.T, u *UI, sc fyne.Shortcut) {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == sc.ShortcutName() {
				it.Action()
				u.wait()
				return
			}
		}
	}
	t.Fatalf("no menu item has the shortcut %s", sc.ShortcutName())
}

// findButton finds a button by its text, in the top overlay first (a
// dialog), else in the window.
func findButton(c fyne.Canvas, text string) *widget.Button {
	roots := []fyne.CanvasObject{}
	if top := c.Overlays().Top(); top != nil {
		roots = append(roots, top)
	}
	roots = append(roots, c.Content())
	for _, root := range roots {
		for _, o := range walk(root) {
			b, ok := o.(*widget.Button)
			if kb, isKB := o.(*widgets.Button); isKB {
				b, ok = &kb.Button, true
			}
			if ok && b.Text == text && b.Visible() {
				return b
			}
		}
	}
	return nil
}

// tap taps the button with that text, failing when there is none or it
// is disabled.
func tap(t *testing.T, u *UI, text string) {
	t.Helper()
	b := findButton(u.win.Canvas(), text)
	if b == nil {
		t.Fatalf("no button %q on screen", text)
	}
	if b.Disabled() {
		t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
	u.wait()
}

// texts are the texts of every label and canvas text on screen,
// overlays included, for "the screen says" checks.
func texts(c fyne.Canvas) []string {
	roots := []fyne.CanvasObject{c.Content()}
	for _, o := range c.Overlays().List() {
		roots = append(roots, o)
	}
	var out []string
	for _, root := range roots {
		for _, o := range walk(root) {
			switch w := o.(type) {
			case *widget.Label:
				if w.Visible() {
					out = append(out, w.Text)
				}
			}
		}
	}
	return out
}

// walk lists o and everything drawn inside it, through the renderers the
// widgets already have.
func walk(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	for _, child := range children(o) {
		out = append(out, walk(child)...)
	}
	return out
}

// children are what o draws directly: a widget's through the renderer it
// already has, a container's objects.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch c := o.(type) {
	case fyne.Widget:
		return test.WidgetRenderer(c).Objects()
	case *fyne.Container:
		return c.Objects
	}
	return nil
}
