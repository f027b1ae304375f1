package gui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// goodExtract is the importer's test extract, copied so that a test may
// spoil it.
func goodExtract(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "data", "importer", "testdata", "good")
	dir := t.TempDir()
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestImportFromTheApp: on an empty database the search offers the
// import; a spoiled extract shows its problems with file, line and column
// and writes nothing; a good one shows what it will change, and Enter on
// the confirmation imports it.
func TestImportFromTheApp(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u := startLocal(t, st)
	if !strings.Contains(u.search.hint.Text, "import the state extract") {
		t.Fatalf("empty database hint %q", u.search.hint.Text)
	}
	tap(t, u, "Import the state extract…")
	s := u.imports
	if s == nil || u.current != s.obj || u.win.Canvas().Focused() != s.path {
		t.Fatal("the import screen is not shown with the cursor in the path")
	}

	bad := goodExtract(t)
	students := filepath.Join(bad, "students.csv")
	b, _ := os.ReadFile(students)
	os.WriteFile(students, []byte(strings.Replace(string(b), "06/15/2010", "06/31/2010", 1)), 0o644)
	test.Type(s.path, bad)
	key(u, fyne.KeyReturn)
	if len(s.probs) != 1 || !s.problems.Visible() || !s.run.Disabled() {
		t.Fatalf("problems %+v, run disabled %v, hint %q", s.probs, s.run.Disabled(), s.hint.Text)
	}
	// One problem is "it", and Enter on a row says what it does.
	if want := "The extract cannot be imported: 1 problem to fix. Nothing was written. Fix it in the files and check " +
		"again; Copy the problems puts the list on the clipboard, Enter on a row copies that problem."; s.hint.Text != want {
		t.Errorf("hint %q, want %q", s.hint.Text, want)
	}
	if got := []string{problemCell(s.probs[0], 0), problemCell(s.probs[0], 2), problemCell(s.probs[0], 3)}; got[0] != "students.csv" ||
		got[1] != "3" || got[2] != "birth_date" {
		t.Errorf("problem located at %q", got)
	}
	tap(t, u, "Copy the problems")
	if c := fyne.CurrentApp().Clipboard().Content(); !strings.Contains(c, "students.csv line 3, column birth_date") {
		t.Errorf("clipboard %q", c)
	}
	if n, _ := st.Districts(context.Background(), ""); len(n) != 0 {
		t.Fatal("a refused extract wrote districts")
	}

	// Pasted as Windows's Copy as path gives it: in quotes.
	s.path.SetText(` "` + goodExtract(t) + `" `)
	tap(t, u, "Check the extract")
	if s.run.Disabled() || !strings.Contains(s.summary.Text, "Students: 3 (3 new, 0 changed, 0 as they are).") {
		t.Fatalf("summary %q, hint %q", s.summary.Text, s.hint.Text)
	}
	if u.win.Canvas().Focused() != s.run {
		t.Fatal("the keyboard is not on Import after a good check")
	}
	key(u, fyne.KeyReturn) // Enter on Import asks
	key(u, fyne.KeyReturn) // Enter confirms
	if !strings.HasPrefix(s.hint.Text, "Imported the state extract: ") || !strings.HasPrefix(u.status.message.Text, "Imported") {
		t.Fatalf("after importing: %q", s.hint.Text)
	}
	if ds, _ := st.Districts(context.Background(), ""); len(ds) == 0 || len(u.search.districts) == 0 {
		t.Fatal("the import wrote no districts, or the search did not read them")
	}
}

// TestImportCancelLeavesTheDatabase: an import whose context is cancelled
// while the rows go in writes nothing.
func TestImportCancelLeavesTheDatabase(t *testing.T) {
	st := storetest.Open(t)
	before := storetest.CountRows(t, st)
	x, err := importer.OpenExtract(goodExtract(t))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = st.LoadExtract(ctx, data.Operator("admin"), func(l *store.ExtractLoad) error {
		// A row goes in, then the person cancels.
		if err := l.Region(data.Region{Code: "Z", Name: "Zed"}); err != nil {
			return err
		}
		cancel()
		return x.Scan(&countingSink{ExtractSink: l, ctx: ctx, tick: func(int) {}})
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Fatalf("a cancelled import wrote: %+v after %+v", after, before)
	}
}

// TestImportRefusedWithAHub: a database that syncs offers no import.
func TestImportRefusedWithAHub(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Admin)
	if u.mayImport() {
		t.Fatal("a synced database offers the import")
	}
	u.showImport()
	if u.imports != nil || !strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "syncs with the hub") {
		t.Fatal("File → Import on a synced database did not say why not")
	}
}

// What is wrong with the path (none given, none there) is said under the
// path, where the person looks and the cursor is, not in the line of
// text above the field; typing clears it.
func TestImportPathErrorIsUnderThePath(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Admin})
	u.showImport()
	s := u.imports
	under := func(when, says string) {
		t.Helper()
		if !s.pathErr.Visible() || !strings.Contains(s.pathErr.Text, says) {
			t.Fatalf("%s: the error under the path is %q (shown %v), want it to say %q", when, s.pathErr.Text, s.pathErr.Visible(), says)
		}
		if strings.Contains(s.hint.Text, says) {
			t.Errorf("%s: the text above the path says it too: %q", when, s.hint.Text)
		}
		u.win.Content().Refresh() // lays the screen out with the error shown
		path, _ := findPos(s.obj, s.path)
		at, _ := findPos(s.obj, s.pathErr)
		if at.Y < path.Y+s.path.Size().Height {
			t.Errorf("%s: the error is at %.0f, not under the path (%.0f to %.0f)", when, at.Y, path.Y, path.Y+s.path.Size().Height)
		}
		if u.win.Canvas().Focused() != s.path {
			t.Errorf("%s: the cursor is not in the path", when)
		}
	}
	tap(t, u, "Check the extract")
	under("Check with no path", "Choose the extract's folder or workbook first")

	test.Type(s.path, filepath.Join(t.TempDir(), "nowhere"))
	if s.pathErr.Visible() {
		t.Error("typing a path left the error shown")
	}
	key(u, fyne.KeyReturn)
	u.wait()
	under("Check of a path that is not there", "There is no folder or workbook at ")
}

// TestImportSaysWhichEnrollmentsMoved: an extract that gives an
// enrollment ID to another student says so before the import, in the
// confirmation's counts, and names the enrollment after it.
func TestImportSaysWhichEnrollmentsMoved(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "md.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex, err := importer.ReadExtract(goodExtract(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportExtract(context.Background(), ex, "admin"); err != nil {
		t.Fatal(err)
	}
	u := startLocal(t, st)
	u.showImport()
	s := u.imports
	moved := goodExtract(t)
	enrollments := filepath.Join(moved, "enrollments.csv")
	b, _ := os.ReadFile(enrollments)
	os.WriteFile(enrollments, []byte(strings.Replace(string(b), "E0004,0009876543,", "E0004,0001234567,", 1)), 0o644)
	s.path.SetText(moved)
	tap(t, u, "Check the extract")
	if want := "Enrollments: 4 (0 new, 1 changed, 1 of them to another student under the same enrollment ID);"; !strings.Contains(s.summary.Text, want) {
		t.Fatalf("summary %q, want %q in it", s.summary.Text, want)
	}
	key(u, fyne.KeyReturn) // Enter on Import asks
	key(u, fyne.KeyReturn) // Enter confirms
	if want := "E0004 from student 0009876543 to student 0001234567."; !strings.Contains(s.hint.Text, want) {
		t.Fatalf("after importing: %q, want %q in it", s.hint.Text, want)
	}
}
