package gui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// BenchmarkPublish1000 publishes 1,000 records in one go the way the
// Needs publishing list does: one st.Publish, with the progress bar moved
// through the app's post seam (fyne.Do) after each record. SPEC: under 2 s.
func BenchmarkPublish1000(b *testing.B) {
	const n = 1000
	test.NewTempApp(b)
	st, err := store.Open(filepath.Join(b.TempDir(), "publish.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	ex := &data.Extract{
		Regions:   []data.Region{{Code: "C", Name: "Central"}},
		Districts: []data.District{{Number: "001", Name: "Adair County", RegionCode: "C"}, {Number: "002", Name: "Barren County", RegionCode: "C"}},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary"},
			{Number: "002010", DistrictNumber: "002", Name: "Barren Middle"},
		},
	}
	recs := make([]data.MigrantRecord, n)
	for i := range n {
		id := fmt.Sprintf("%010d", i+1)
		ex.Students = append(ex.Students, data.Student{StateID: id, LastName: "Student", FirstName: id,
			BirthDate: data.NewDate(2012, 5, 5), Gender: "F", Race: "1"})
		// Half the students are in two districts, so 1,500 copies are written.
		ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "A" + id, StateID: id, SchoolNumber: "001010",
			Grade: "06", ServiceType: "P", Start: data.NewDate(2024, 8, 10)})
		if i%2 == 0 {
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "B" + id, StateID: id, SchoolNumber: "002010",
				Grade: "06", ServiceType: "S", Start: data.NewDate(2025, 1, 6)})
		}
		recs[i] = data.MigrantRecord{StateID: id, MIS2000ID: fmt.Sprint(100000 + i), QAD: data.NewDate(2025, 9, 1)}
	}
	if _, err := st.ImportExtract(ctx, ex, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := st.ImportRecords(ctx, data.Operator("bench"), recs, false); err != nil {
		b.Fatal(err)
	}
	need, err := st.NeedsPublishing(ctx, "")
	if err != nil || len(need) != n {
		b.Fatalf("%d records to publish (%v), want %d", len(need), err, n)
	}
	ids := make([]string, n)
	for i, r := range need {
		ids[i] = r.ID
	}
	bar := widget.NewProgressBar()
	tk := newTasks(fyne.Do)
	b.ResetTimer()
	for range b.N {
		res, err := st.Publish(ctx, data.Operator("bench"), ids, func(done, total int) {
			tk.do(func() { bar.SetValue(float64(done) / float64(total)) })
		})
		if err != nil || res.Published != n || res.Copies != n+n/2 {
			b.Fatalf("published %d records, %d copies (%v)", res.Published, res.Copies, err)
		}
	}
}

// BenchmarkOpenStudent reads a student of the state-scale database and
// builds the detail screen, as opening a search result does: the student
// with the most enrollments among those with the most migrant records.
// SPEC: under 50 ms.
func BenchmarkOpenStudent(b *testing.B) {
	path := demotest.StateDB(b)
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	stateID, enrollments, records := busyStudent(b, st)
	b.Logf("student %s: %d enrollments, %d migrant records", stateID, enrollments, records)
	benchOpen(b, st, stateID)
}

// BenchmarkOpenBusyStudent is BenchmarkOpenStudent for a student with 10
// enrollments and 3 records, more than any student of the demo state has,
// on the small fixture database.
func BenchmarkOpenBusyStudent(b *testing.B) {
	st := openDemo(b)
	ctx := context.Background()
	ex := storetest.Extract()
	for i := range 10 {
		ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: fmt.Sprintf("B%d", i), StateID: storetest.Maria,
			SchoolNumber: []string{"001010", "002010", "003010"}[i%3], Grade: "06", ServiceType: "S",
			Start: data.NewDate(2015+i, 8, 10), End: data.NewDate(2016+i, 5, 30)})
	}
	ex.Enrollments = ex.Enrollments[1:] // María's E1 goes: 10 in all
	if _, err := st.ImportExtract(ctx, ex, "bench"); err != nil {
		b.Fatal(err)
	}
	for _, qad := range []data.Date{data.NewDate(2016, 9, 1), data.NewDate(2020, 9, 1), data.NewDate(2023, 9, 1)} {
		r, err := st.SaveRecord(ctx, data.Operator("bench"), data.MigrantRecord{StateID: storetest.Maria, MIS2000ID: "4512345", QAD: qad})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Publish(ctx, data.Operator("bench"), []string{r.ID}, nil); err != nil {
			b.Fatal(err)
		}
	}
	d, err := st.Student(ctx, storetest.Maria)
	if err != nil || len(d.Enrollments) != 10 || len(d.Records) != 3 {
		b.Fatalf("%d enrollments, %d records (%v)", len(d.Enrollments), len(d.Records), err)
	}
	benchOpen(b, st, storetest.Maria)
}

// benchOpen builds the student screen alone, as a clerk of the
// student's region would see it, and shows the student again and again.
func benchOpen(b *testing.B, st *store.Store, stateID string) {
	test.NewTempApp(b)
	win := test.NewWindow(nil)
	defer win.Close()
	s := newStudentScreen(st, data.Operator("bench"), nil, testTasks(b), widgets.NewDialogs(win), nil, func(string) {})
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		d, err := st.Student(ctx, stateID)
		if err != nil {
			b.Fatal(err)
		}
		s.set(d)
		s.obj.Resize(fyne.NewSize(1280, 700))
	}
}

// busyStudent finds, through the store, the student with the most
// enrollments among those with three migrant records (or the most records
// there are).
func busyStudent(b *testing.B, st *store.Store) (stateID string, enrollments, records int) {
	ctx := context.Background()
	// The reconciliation's snapshot holds every student with a record.
	snap, err := st.ReconcileSnapshot(ctx, nil, data.Today())
	if err != nil {
		b.Fatal(err)
	}
	most := 0
	for _, s := range snap.Students {
		most = max(most, min(len(s.Records), 3))
	}
	for _, s := range snap.Students {
		if min(len(s.Records), 3) != most {
			continue
		}
		id := s.Student.StateID
		d, err := st.Student(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(d.Enrollments); n > enrollments || n == enrollments && id < stateID {
			stateID, enrollments, records = id, n, len(d.Records)
		}
	}
	if stateID == "" {
		b.Fatal("the state has no migrant record")
	}
	return stateID, enrollments, records
}

// BenchmarkStart opens the main window as the app does, a clerk signed in
// on a demo database, and waits until the window has settled: the store
// opened, the screens built, and the status bar's counts and the
// district list read. Issue 12: settling at 700,000 students within 1.3
// times the 500-student time. The state-scale database needs
// $MIGRANTDESK_BENCH_DB (make bench sets it); the 500-student one is
// made in a temporary folder. cpu-ms/op is the process's CPU time per
// start, every goroutine's: on a busy machine it holds still where the
// wall time does not.
func BenchmarkStart(b *testing.B) {
	b.Run("students=500", func(b *testing.B) { benchStart(b, demotest.SmallDB(b, 500)) })
	b.Run("students=700000", func(b *testing.B) { benchStart(b, demotest.StateDB(b)) })
}

func benchStart(b *testing.B, path string) {
	a := test.NewTempApp(b)
	clerk := firstClerk(b, path)
	b.ResetTimer()
	cpu, cpuOK := processCPU()
	for range b.N {
		st, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		queue := make(chan func(), 1024)
		u, err := newWithPost(a, st, Options{User: clerk}, func(f func()) { queue <- f })
		if err != nil {
			b.Fatal(err)
		}
		queues[u.tasks] = queue
		u.ShowMain()
		u.wait()
		var need int
		if u.search == nil || u.status.unpub == nil {
			b.Fatal("the window settled without the search or the publishing count")
		}
		if _, err := fmt.Sscanf(u.status.unpub.Text, "Need publishing: %d", &need); err != nil {
			b.Fatalf("the window settled with the status bar saying %q", u.status.unpub.Text)
		}
		delete(queues, u.tasks)
		u.win.Close()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if end, ok := processCPU(); ok && cpuOK {
		b.ReportMetric(float64(end-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// firstClerk is the user name of the first clerk of the demo database at
// path: a clerk's main window shows every count of the status bar.
func firstClerk(b *testing.B, path string) string {
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	users, err := st.Users(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range users {
		if u.Role == data.RoleClerk {
			return u.Username
		}
	}
	b.Fatalf("no clerk among the %d users of %s", len(users), path)
	return ""
}
