package main

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"migrantdesk/data/store"
)

const goodRecords = "../../data/importer/testdata/migrant_records.csv"

func TestMigrantRecordsLoadAndPublish(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "migrant", "--db", db, goodRecords, "--publish")
	if err != nil {
		t.Fatal(err)
	}
	// 0001234567 is enrolled in district 0042; 0001234568 was in 0042,
	// then in 0107, both inside the record's window.
	if want := "Saved 2 new records; 0 were already there.\nPublished 2 records: 3 district copies.\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	got := query(t, db, `SELECT r.state_id, r.mis2000_id, r.qad, r.eed, p.district_number
		FROM migrant_records r JOIN published p ON p.record_id = r.id ORDER BY r.state_id, p.district_number`)
	want := []string{
		"0001234567|000123|2025-09-01|2028-08-31|0042", // EED computed: QAD + 36 months - 1 day
		"0001234568|42|2024-03-15|2027-03-14|0042",
		"0001234568|42|2024-03-15|2027-03-14|0107",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	out, err = run(t, "migrant", "--db", db, goodRecords)
	if err != nil || out != "Saved 0 new records; 2 were already there.\n" {
		t.Errorf("loading the file again: %q, %v", out, err)
	}
}

func TestMigrantRecordsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name, content string
		err           string
		want          []string
	}{
		{
			// line 6 is in the future until 2037; its EED, capped by the
			// 22nd birthday (2037-08-31), is still after its QAD.
			name: "rules of the form",
			content: "state_id,mis2000_id,qad,eed\n" +
				"0000000000,1,2025-09-01,\n" +
				"0001234567,000123,2025-09-01,2029-01-01\n" +
				"0001234568,42,2024-03-15,\n" +
				"0001234568,42,2025-01-01,\n" +
				"0009876543,7,2037-01-01,\n",
			err: "migrant: 4 of 5 records were refused, nothing was saved",
			want: []string{
				`records.csv line 2, column state_id: state ID "0000000000": no student has that state ID`,
				"records.csv line 3, column eed: the expiration date can be 08/31/2028 at the latest",
				"records.csv line 5: the eligibility window overlaps the student's record with MIS2000 ID 42 (03/15/2024 – 03/14/2027), from line 4 of this file",
				"records.csv line 6, column qad: the qualifying arrival date 01/01/2037 is in the future",
			},
		},
		{
			name:    "a bad file",
			content: "state_id,mis2000_id,qad\n0001234567,000123,2025-09-01\n",
			err:     "migrant: the file was refused: 1 problem, nothing was saved",
			want:    []string{"records.csv line 1, column eed: the header has no column eed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "records.csv")
			writeTestFile(t, path, tt.content)
			before := snapshot(t, db)
			out, err := run(t, "migrant", "--db", db, "--publish", path)
			if err == nil || err.Error() != tt.err {
				t.Errorf("got %v, want %s", err, tt.err)
			}
			if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if after := snapshot(t, db); !reflect.DeepEqual(before, after) {
				t.Errorf("the database changed")
			}
		})
	}
}

// A count of one reads in the singular, in each of the summary lines.
func TestMigrantSaysOneRecordInTheSingular(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "one.csv")
	writeTestFile(t, path, "state_id,mis2000_id,qad,eed\n0001234567,000123,2025-09-01,\n")
	out, err := run(t, "migrant", "--db", db, "--publish", path)
	if want := "Saved 1 new record; 0 were already there.\nPublished 1 record: 1 district copy.\n"; err != nil || out != want {
		t.Errorf("got %q, %v; want %q", out, err, want)
	}
	out, err = run(t, "migrant", "--db", db, path)
	if want := "Saved 0 new records; 1 was already there.\n"; err != nil || out != want {
		t.Errorf("loading the file again: %q, %v; want %q", out, err, want)
	}
	writeTestFile(t, path, "state_id,mis2000_id,qad,eed\n0000000000,1,2025-09-01,\n")
	_, err = run(t, "migrant", "--db", db, path)
	if want := "migrant: 1 of 1 record was refused, nothing was saved"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestMigrantNeedsADatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	_, err := run(t, "migrant", "--db", db, goodRecords)
	if err == nil || !strings.Contains(err.Error(), "import the state extract first") {
		t.Errorf("got %v", err)
	}
}

// Rows refused because a sync changed the signed-in clerk's access are
// told so once, before them: each row alone says only what the clerk may
// not do now, which contradicts what they did the day before.
func TestMigrantSaysOnceThatTheAccessChanged(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	syncedAs(t, db, syncedClerk)
	moved := syncedClerk
	moved.RegionCode = "W"
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = st.SaveUser(context.Background(), "admin", moved)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "migrant", "--db", db, goodRecords)
	if want := "migrant: 2 of 2 records were refused, nothing was saved"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Your access changed at the last sync (an administrator changed your role, region or districts)") ||
		strings.Count(out, "access changed") != 1 {
		t.Errorf("printed\n%s\nwant the change of access said once, then the two rows", out)
	}
}
