package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"unicode/utf8"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// RunSearch is the search command.
func RunSearch(args []string, out io.Writer) error {
	fs, db := NewFlags("search")
	var q store.Query
	fs.StringVar(&q.Last, "last", "", "last name, or the start of any word of it")
	fs.StringVar(&q.First, "first", "", "first name, or the start of any word of it")
	dob := fs.String("dob", "", "birth date, YYYY-MM-DD or MM/DD/YYYY")
	fs.StringVar(&q.StateID, "state-id", "", "state student ID, or its start")
	fs.StringVar(&q.Gender, "gender", "", "F, M or X")
	fs.StringVar(&q.District, "district", "", "district number the student is enrolled in")
	limit := fs.Int("limit", store.DefaultLimit, "at most this many students")
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if err := StoreFile("search", *db); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("search: unexpected argument %q; the search fields are flags such as --last", fs.Arg(0))
	}
	var err error
	if q.BirthDate, err = data.ParseOptionalDate(*dob); err != nil {
		return fmt.Errorf("search: --dob: %w", err)
	}
	if *limit < 1 || *limit > maxSearchLimit {
		return fmt.Errorf("search: --limit must be between 1 and %d, not %d", maxSearchLimit, *limit)
	}
	if q.Empty() {
		return errors.New("search: give at least one of --last, --first, --dob, --state-id, --gender or --district")
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("search: no database at %s: %w", *db, err)
	}
	// The process lives for milliseconds: collecting its garbage is
	// wasted work, unless a large --limit makes the heap big.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))
	st, err := OpenStore(context.Background(), *db)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	// Closing the last connection to a database in WAL mode checkpoints
	// the log and deletes it and its index, which the next opener makes
	// again: a tenth of a search process. A search writes nothing, and
	// the exit releases its locks as Close would.
	if !Exiting {
		defer st.Close()
	}
	// One more than the limit tells whether there were more to show.
	q.Limit = *limit + 1
	res, note := st.Search(context.Background(), q)
	if note != nil && !errors.Is(note, store.ErrSearchStopped) && !errors.Is(note, store.ErrSearchPartial) {
		return fmt.Errorf("search: %w", note)
	}
	more := len(res) > *limit
	res = res[:min(len(res), *limit)]
	// One write for the whole table: the table writer writes cell by
	// cell, a system call each on a terminal or a pipe.
	buf := bufio.NewWriter(out)
	if *asJSON {
		if more {
			fmt.Fprintf(os.Stderr, "search: more students match than the %d shown: narrow the search or raise --limit\n", len(res))
		}
		err = writeSearchJSON(buf, res)
	} else {
		err = writeSearchTable(buf, res, more)
	}
	err = errors.Join(err, buf.Flush())
	if note != nil {
		fmt.Fprintf(os.Stderr, "search: %s\n", note)
	}
	return err
}

// maxSearchLimit bounds --limit: a search is for finding students, not
// listing a state, and the limit plus one must not overflow.
const maxSearchLimit = 10_000

func writeSearchTable(out io.Writer, res []store.Result, more bool) error {
	if len(res) == 0 {
		_, err := fmt.Fprintln(out, "No students match.")
		return err
	}
	// The columns are laid out here rather than by text/tabwriter, which
	// took a twentieth of a search process's instructions for 100 rows:
	// the same layout (each column as wide as its widest cell in runes,
	// plus two spaces; the last one unpadded), since stored text holds
	// no tab, newline or other control character.
	rows := make([][6]string, 0, len(res)+1)
	rows = append(rows, [6]string{"STATE ID", "NAME", "BIRTH DATE", "GENDER", "SCHOOL", "GRADE"})
	for _, r := range res {
		rows = append(rows, [6]string{r.Student.StateID, r.Student.FullName(), r.Student.BirthDate.US(),
			r.Student.Gender, r.SchoolName, r.Grade})
	}
	var width [5]int
	for _, row := range rows {
		for c := range width {
			width[c] = max(width[c], utf8.RuneCountInString(row[c]))
		}
	}
	var b []byte
	for _, row := range rows {
		for c := range width {
			b = append(b, row[c]...)
			for range width[c] + 2 - utf8.RuneCountInString(row[c]) {
				b = append(b, ' ')
			}
		}
		b = append(append(b, row[5]...), '\n')
	}
	if more {
		b = fmt.Appendf(b, "More students match than the %d shown: narrow the search or raise --limit.\n", len(res))
	}
	_, err := out.Write(b)
	return err
}

// searchRow is one student of `search --json`: dates are YYYY-MM-DD, and
// the school, district and grade are of the current enrollment.
type searchRow struct {
	StateID        string `json:"state_id"`
	LastName       string `json:"last_name"`
	FirstName      string `json:"first_name"`
	MiddleName     string `json:"middle_name"`
	BirthDate      string `json:"birth_date"`
	Gender         string `json:"gender"`
	Exact          bool   `json:"exact"`
	SchoolNumber   string `json:"school_number"`
	SchoolName     string `json:"school_name"`
	DistrictNumber string `json:"district_number"`
	DistrictName   string `json:"district_name"`
	Grade          string `json:"grade"`
}

func writeSearchJSON(out io.Writer, res []store.Result) error {
	rows := make([]searchRow, len(res))
	for i, r := range res {
		s := r.Student
		rows[i] = searchRow{s.StateID, s.LastName, s.FirstName, s.MiddleName, s.BirthDate.String(), s.Gender,
			r.Exact, r.SchoolNumber, r.SchoolName, r.DistrictNumber, r.DistrictName, r.Grade}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}
