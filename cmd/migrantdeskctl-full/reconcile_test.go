package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/report/reconciletest"
)

func TestReconcilePrintsTheSummaryAndWritesTheFiles(t *testing.T) {
	db := reconciletest.DB(t)
	dir := t.TempDir()
	book, msgs := filepath.Join(dir, "check.xlsx"), filepath.Join(dir, "messages")
	var out bytes.Buffer
	err := dispatch([]string{"reconcile", "--db", db, "--mis2000", reconciletest.Export(), "--out", book,
		"--messages", msgs, "--as-of", "2025-11-03", "--clerk", reconciletest.Clerk}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := "MIS2000 reconciliation as of 11/03/2025, every region: 12 rows of mis2000.csv compared, 13 discrepancies\n" +
		"Rows not read: 3, left out of the comparison: mis2000.csv line 15, column Birth Date: \"13/45/2012\" is not a valid date: month 13 is not between 1 and 12; " +
		"mis2000.csv line 16, column MIS2000 ID: the value is missing; " +
		"mis2000.csv line 17: the line has 4 fields but the header has 12; a value or a comma is missing\n" +
		"Columns not used: Program Year\n" +
		"\n" +
		"District                        Name or birth  QAD  EED  Unpublished  District  Uncertain  Not in IC  Not in MIS2000  Duplicate  Total\n" +
		"001 Adair County                            0    1    1            0         0          3          0               1          2      8\n" +
		"002 Barren County                           0    0    0            1         1          0          1               0          2      5\n" +
		"003 Calloway County                         0    0    0            0         0          0          0               0          0      0\n" +
		"Total                                       0    1    1            1         1          3          1               1          4     13\n" +
		"wrote " + book + "\n" +
		"wrote 3 messages to " + msgs + "\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if got := files(t, msgs); strings.Join(got, " ") != "001.txt 002.txt 003.txt" {
		t.Errorf("messages %q", got)
	}
	msg, err := os.ReadFile(filepath.Join(msgs, "001.txt"))
	if err != nil || !strings.HasSuffix(string(msg), "Thank you,\r\nLucía Ramos\r\n") {
		t.Errorf("001.txt: %v\n%s", err, msg)
	}
	if _, err := os.Stat(book); err != nil {
		t.Error(err)
	}
}

func TestReconcileRegion(t *testing.T) {
	db := reconciletest.DB(t)
	book := filepath.Join(t.TempDir(), "c.xlsx")
	var out bytes.Buffer
	err := dispatch([]string{"reconcile", "--db", db, "--mis2000", reconciletest.Export(), "--out", book,
		"--as-of", "2025-11-03", "--region", "C"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "region C: 11 rows of mis2000.csv compared, 13 discrepancies") ||
		strings.Contains(s, "003 Calloway") || strings.Contains(s, "wrote 0 messages") {
		t.Errorf("output:\n%s", s)
	}
}

// TestReconcileRefusals: every failure is a one-line reason and a
// non-zero exit; a refused export lists its problems first.
func TestReconcileRefusals(t *testing.T) {
	db := reconciletest.DB(t)
	dir := t.TempDir()
	book := filepath.Join(dir, "r.xlsx")
	noColumns := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(noColumns, []byte("MIS ID,Name,DOB\n1,a,1/1/2010\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	export := reconciletest.Export()
	// The header and line 9, the export's one row of region W, twice (a
	// student listed once per school).
	src, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	west := filepath.Join(dir, "west.csv")
	if err := os.WriteFile(west, []byte(lines[0]+lines[8]+lines[8]), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "--out", book}, "reconcile: name the MIS2000 export with --mis2000 FILE"},
		{[]string{"--db", db, "--mis2000", export}, "reconcile: name the workbook to write with --out OUT.xlsx"},
		{[]string{"--db", db, "--mis2000", export, "--out", book, "--as-of", "11/31/2025"}, "reconcile: --as-of: \"11/31/2025\" is not a valid date: November 2025 has 30 days"},
		{[]string{"--db", db, "--mis2000", export, "--out", book, "--region", "X"}, `reconcile: there is no region "X"; the regions are [C W]`},
		{[]string{"--db", filepath.Join(dir, "none.db"), "--mis2000", export, "--out", book}, "reconcile: no database at"},
		{[]string{"--db", db, "--mis2000", filepath.Join(dir, "none.csv"), "--out", book}, "reconcile: the MIS2000 export was refused: the MIS2000 export " +
			filepath.Join(dir, "none.csv") + " is not there; check its folder and name"},
		{[]string{"--db", db, "--mis2000", noColumns, "--out", book}, "reconcile: the MIS2000 export was refused: 3 problems, nothing was compared"},
		{[]string{"--db", db, "--mis2000", west, "--out", book, "--region", "C"}, "reconcile: the MIS2000 export was refused: every row of west.csv (2 rows) " +
			"is of a district of another region, none of the Central region, so nothing was compared; check that this is the export of the Central region"},
		{[]string{"--db", db, "--mis2000", export, "--out", filepath.Join(dir, "no", "such", "r.xlsx")}, "reconcile: cannot write"},
		// The workbook's name is checked before the export is read.
		{[]string{"--db", db, "--mis2000", west, "--out", filepath.Join(dir, "no", "such", "r.xlsx"), "--region", "C"}, "reconcile: cannot write"},
		{[]string{"--db", db, "--mis2000", export, "--out", export}, "reconcile: cannot write " + export + ": it is an input of this command"},
	} {
		var out bytes.Buffer
		err := dispatch(append([]string{"reconcile"}, c.args...), &out)
		if err == nil || !strings.HasPrefix(cli.OneLine(err), c.want) {
			t.Errorf("%q: got %v, want %q", c.args, err, c.want)
		}
		if strings.Contains(c.want, "3 problems") && !strings.Contains(out.String(), "export.csv line 1, column Last Name: the header has no Last Name column") {
			t.Errorf("the problems are not listed:\n%s", out.String())
		}
	}
	if got := files(t, dir); strings.Join(got, " ") != "export.csv west.csv" {
		t.Errorf("files left: %q", got)
	}
}

// On a workstation's database that syncs with a hub, the reconciliation
// workbook (PII) is exported as the hub's user the database acts as, as
// report qa's files are: the audit log, and the hub's copy of its export
// rows, name that user, and the messages are signed with their name.
func TestReconcileActsAsTheSyncedUser(t *testing.T) {
	db := reconciletest.DB(t)
	syncedAs(t, db, syncedClerk)
	dir := t.TempDir()
	book, msgs := filepath.Join(dir, "check.xlsx"), filepath.Join(dir, "messages")
	if err := dispatch([]string{"reconcile", "--db", db, "--mis2000", reconciletest.Export(), "--out", book,
		"--messages", msgs, "--as-of", "2025-11-03"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if msg, err := os.ReadFile(filepath.Join(msgs, "001.txt")); err != nil || !strings.HasSuffix(string(msg), "Thank you,\r\nRosa Delgado\r\n") {
		t.Errorf("001.txt: %v\n%s", err, msg)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Audit(context.Background(), "report", "")
	if err != nil || len(rows) == 0 {
		t.Fatalf("the export's audit rows: %v, %v", rows, err)
	}
	for _, r := range rows {
		if r.User != syncedClerk.Username {
			t.Errorf("audit row %d (%s) names %q, not the synced user %q", r.Seq, r.Action, r.User, syncedClerk.Username)
		}
	}
}

// A district coordinator's (or district administrator's) workstation
// holds the records published to their districts, with the students'
// names and birth dates. The app shows them no MIS2000 reconciliation,
// and the command refuses it too: its workbook would be a PII export
// that no report grant governs, and written from a district's part of
// the records it would call the rest missing.
func TestReconcileRefusedToADistrictUser(t *testing.T) {
	for _, u := range []data.User{
		{Username: "wanda", FullName: "Wanda Ellison", Role: data.RoleCoordinator, Districts: []string{"001"}},
		{Username: "tomas", FullName: "Tomás Ortega", Role: data.RoleDistrictAdmin, DistrictNumber: "001"},
	} {
		db := reconciletest.DB(t)
		syncedAs(t, db, u)
		dir := t.TempDir()
		book, msgs := filepath.Join(dir, "check.xlsx"), filepath.Join(dir, "messages")
		var out bytes.Buffer
		err := dispatch([]string{"reconcile", "--db", db, "--mis2000", reconciletest.Export(), "--out", book,
			"--messages", msgs, "--as-of", "2025-11-03"}, &out)
		want := "reconcile: " + u.FullName + " (" + data.RoleName(u.Role) + ") may not run the MIS2000 reconciliation"
		if err == nil || !strings.HasPrefix(cli.OneLine(err), want) {
			t.Errorf("%s: got %v, want %q", u.Role, err, want)
		}
		if got := files(t, dir); len(got) != 0 {
			t.Errorf("%s: files written: %q\n%s", u.Role, got, out.String())
		}
	}
}

// The hand-made export saved by Excel as "CSV (Comma delimited)",
// Windows-1252, finds what the UTF-8 one finds, and says how it was read.
func TestReconcileWindows1252Export(t *testing.T) {
	db := reconciletest.DB(t)
	export := reconciletest.Windows1252Export(t, "excel.csv")
	dir := t.TempDir()
	var out bytes.Buffer
	if err := dispatch([]string{"reconcile", "--db", db, "--mis2000", export, "--out", filepath.Join(dir, "r.xlsx"), "--as-of", "2025-11-03"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "12 rows of excel.csv compared, 13 discrepancies\n") || !strings.Contains(s, "Encoding: Windows-1252: the file is not UTF-8") ||
		!strings.Contains(s, "Rows not read: 3,") {
		t.Errorf("output:\n%s", s)
	}
}
