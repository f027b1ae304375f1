// Package reconcile holds the rules of the MIS2000 reconciliation
// (SPEC §5): how the rows of an MIS2000 export are matched with the
// migrant records, which discrepancies that finds, and which district
// each belongs to. The rules take plain values, the export's rows and a
// Snapshot of the records that the store loads, so the command line, the
// app and the tests get one answer from one piece of code.
package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"migrantdesk/data"
)

// Category is a kind of discrepancy.
type Category int

// The categories, in the order the workbook, the summary and the
// messages list them.
const (
	// NameDiffers comes first: when a row is not the student whose
	// record carries its MIS2000 ID, the row's other discrepancies
	// compare it with another student's record.
	NameDiffers Category = iota
	QADDiffers
	EEDDiffers
	NeverPublished
	DistrictDiffers
	UncertainMatch
	NotInIC
	NotInMIS2000
	PossibleDuplicate
)

// NumCategories is how many categories there are.
const NumCategories = 9

var categoryNames = [NumCategories]string{
	"Name or birth date differs", "QAD differs", "EED differs", "Saved, never published", "District differs",
	"Uncertain match", "Not in IC", "Published, not in MIS2000", "Possible duplicate",
}

// shortNames are the categories as a table's narrow column headers say
// them.
var shortNames = [NumCategories]string{
	"Name or birth", "QAD", "EED", "Unpublished", "District", "Uncertain", "Not in IC", "Not in MIS2000", "Duplicate",
}

// Short is the category's name in a column header: "Not in MIS2000".
func (c Category) Short() string {
	if c < 0 || c >= NumCategories {
		return c.String()
	}
	return shortNames[c]
}

// Categories lists every category in order.
func Categories() []Category {
	cs := make([]Category, NumCategories)
	for i := range cs {
		cs[i] = Category(i)
	}
	return cs
}

func (c Category) String() string {
	if c < 0 || c >= NumCategories {
		return fmt.Sprintf("Category(%d)", int(c))
	}
	return categoryNames[c]
}

// Record is a live (not deleted) migrant record as the comparison needs it.
type Record struct {
	ID        string
	MIS2000ID string
	QAD, EED  data.Date
	Published bool     // published at least once
	Copies    []string // the districts it is published to now, by number
}

// Student is a student who has live migrant records.
type Student struct {
	data.Student
	Records  []Record // latest QAD first
	Enrolled []string // districts where the student has an enrollment on the as-of day, by number
	// Left are the districts the student was enrolled in before the
	// as-of day and is not on it, by number, each with the last day of
	// the last enrollment there: the withdrawal a district is asked for.
	Left map[string]data.Date
}

// Snapshot is what the records say on the day of the check: the store
// loads it for one export.
type Snapshot struct {
	AsOf      data.Date
	Districts []data.District
	Regions   []data.Region // for their names
	// Students are every student with a live migrant record.
	Students []Student
	// Born are the students (with records or not) born on the days
	// CandidateBirthDates names: the possible matches of rows whose
	// MIS2000 ID is on no record.
	Born []data.Student
}

// CandidateBirthDates are the birth dates of the rows whose MIS2000 ID is
// on no record of s.Students, or on the records of a student of another
// name or birth date, each once: a row like that is matched by name and
// birth date, so the store loads the students born on them into s.Born.
func (s *Snapshot) CandidateBirthDates(rows []data.MIS2000Row) []data.Date {
	byID := s.byMIS2000()
	seen := map[data.Date]bool{}
	var out []data.Date
	for _, r := range rows {
		ids := byID[r.MIS2000ID]
		// A row that is not the student its ID matches may be a student
		// of its own name and birth date: the ID typed on the wrong one.
		candidate := len(ids) == 0 || len(ids) == 1 && !samePerson(r, &s.Students[ids[0]].Student)
		if candidate && !seen[r.BirthDate] {
			seen[r.BirthDate] = true
			out = append(out, r.BirthDate)
		}
	}
	slices.Sort(out)
	return out
}

// byMIS2000 indexes s.Students by the MIS2000 IDs of their records.
func (s *Snapshot) byMIS2000() map[string][]int {
	byID := make(map[string][]int, len(s.Students))
	for i := range s.Students {
		for _, r := range s.Students[i].Records {
			if ids := byID[r.MIS2000ID]; len(ids) == 0 || ids[len(ids)-1] != i {
				byID[r.MIS2000ID] = append(ids, i)
			}
		}
	}
	return byID
}

// Discrepancy is one thing for a district to check: one row of the
// workbook's Discrepancies sheet.
type Discrepancy struct {
	// District is the district it belongs to: the row's, or the one the
	// record is published to. The zero District when neither is known; a
	// District with no Name is a number the export gives that is not a
	// district of the records.
	District  data.District
	Category  Category
	StateID   string // the IC student's; "" when no student is known
	MIS2000ID string
	LastName  string
	FirstName string
	BirthDate data.Date
	// InIC and InMIS2000 are what each side says, as a person reads it.
	InIC, InMIS2000 string
	// Check says what the district should check.
	Check string
	// Line is the export's line (or sheet row) it comes from; 0 for one
	// found in the records alone.
	Line int
	// Candidates are the state IDs an uncertain match may be.
	Candidates []string
}

// DistrictCount is one line of the summary: a district's discrepancies
// by category.
type DistrictCount struct {
	District data.District
	Counts   [NumCategories]int
	Total    int
}

// Result is a reconciliation: every discrepancy found, by district,
// category and student name, and the summary.
type Result struct {
	AsOf   data.Date
	Region string // the region compared; "" for all
	// RegionName names the region compared as a person does: "the
	// Central region", "region C" when the records have no name for it,
	// "every region".
	RegionName string
	// Discrepancies in order of district number (the ones of no district
	// last), category, last name, first name and state ID.
	Discrepancies []Discrepancy
	// Summary has a line for each district of the export and each
	// district with a discrepancy, in the same order.
	Summary []DistrictCount
	Totals  DistrictCount // every district together
	// Compared counts the rows compared; OutOfRegion the rows of
	// districts of other regions, left out; Repeated the rows that repeat
	// an earlier row in everything compared (a student listed once per
	// school), compared once.
	Compared, OutOfRegion, Repeated int
	// Undistricted counts the rows compared that name no district of the
	// records (none, or a number of no district): they are compared for
	// any region, and say nothing of whose export it is.
	// RepeatedUndistricted counts those among the Repeated rows: the
	// rest of them repeat rows of a district of the records.
	Undistricted, RepeatedUndistricted int
	// Unread counts the rows of the export that could not be read, of
	// the region's districts, by district number; "" counts those whose
	// district could not be read, which may be any district's.
	Unread map[string]int
}

// ForDistrict returns the discrepancies of one district, in order.
func (r *Result) ForDistrict(number string) []Discrepancy {
	var out []Discrepancy
	for _, d := range r.Discrepancies {
		if d.District.Number == number {
			out = append(out, d)
		}
	}
	return out
}

// comparison is one run of Compare: the snapshot with its indexes.
type comparison struct {
	snap      *Snapshot
	region    string
	districts map[string]data.District
	unpadded  map[string][]string // district number without leading zeros → numbers
	named     map[string][]string // district name, as data.NormalizeName folds it → numbers
	byID      map[string][]int    // MIS2000 ID → indexes into snap.Students
	// withRecords are snap.Students by state ID.
	withRecords map[string]*Student
	// unreadUnpadded are the MIS2000 IDs of the rows not read, without
	// leading zeros.
	unreadUnpadded map[string]bool
	born           map[data.Date][]int // birth date → indexes into snap.Born
	out            []Discrepancy
}

// Compare matches the rows of an MIS2000 export with the snapshot of the
// records, as of snap.AsOf, and returns every discrepancy of the districts
// of region ("" for every region). The rules (SPEC §5):
//
//   - A row matches the student whose live record carries its MIS2000 ID,
//     and is compared with that student's record of the same QAD, else the
//     one with the latest QAD: QAD differs, EED differs (when the row has
//     an EED), Saved, never published (the record was never published),
//     District differs (the row names a district where the student has no
//     enrollment on the day; the day the student left it, if ever there).
//     A row whose name (SameName) or birth date is not the student's is
//     also a Name or birth date differs, of the districts the record is
//     published to: the ID may be on the wrong student, and the row's
//     other discrepancies say so.
//   - A row whose MIS2000 ID is on no record is an Uncertain match when
//     students have the same name (SameName) and birth date, listed as
//     candidates, else Not in IC. An ID on the records of several students
//     is an Uncertain match between them.
//   - Published, not in MIS2000: a record active on the day (QAD ≤ day ≤
//     EED), published to a district that appears in the export, whose
//     MIS2000 ID is on no row. unread are the export's rows that could
//     not be read, with their MIS2000 ID when valid and their district
//     when read: such a row is not compared, but the student is in the
//     export, and a district told otherwise would look for a row that is
//     there. They are counted by district in Result.Unread.
//   - Possible duplicate: rows with the same name and birth date under
//     different MIS2000 IDs, students with the same name and birth date
//     who both have records, or a student whose records carry different
//     MIS2000 IDs; one for each row or student.
//
// A discrepancy belongs to the row's district, else to the district the
// record is published to, else to one where the student is enrolled on
// the day. A row that repeats an earlier one in everything compared
// (MIS2000 ID, name, birth date, QAD, EED, district) is compared once,
// as the earlier one: an export lists a student once per enrollment.
func Compare(rows, unread []data.MIS2000Row, snap *Snapshot, region string) *Result {
	c := &comparison{
		snap:      snap,
		region:    region,
		districts: make(map[string]data.District, len(snap.Districts)),
		unpadded:  map[string][]string{},
		named:     map[string][]string{},
		byID:      snap.byMIS2000(),
		born:      map[data.Date][]int{},
	}
	c.unreadUnpadded = map[string]bool{}
	for _, d := range snap.Districts {
		c.districts[d.Number] = d
		k := strings.TrimLeft(d.Number, "0")
		c.unpadded[k] = append(c.unpadded[k], d.Number)
		if n := data.NormalizeName(d.Name); n != "" {
			c.named[n] = append(c.named[n], d.Number)
		}
	}
	for i, st := range snap.Born {
		c.born[st.BirthDate] = append(c.born[st.BirthDate], i)
	}
	c.withRecords = make(map[string]*Student, len(snap.Students))
	for i := range snap.Students {
		c.withRecords[snap.Students[i].StateID] = &snap.Students[i]
	}
	res := &Result{AsOf: snap.AsOf, Region: region, RegionName: regionName(snap.Regions, region)}

	rows, res.Repeated, res.RepeatedUndistricted = c.distinct(rows)
	onRow := make(map[string]bool, len(rows)+len(unread))
	res.Unread = map[string]int{}
	for _, u := range unread {
		if u.MIS2000ID != "" {
			onRow[u.MIS2000ID] = true
			// A workbook cell stored as a number lost its leading
			// zeros: the row may still be the record's.
			c.unreadUnpadded[strings.TrimLeft(u.MIS2000ID, "0")] = true
		}
		if d := c.district(u.District); c.inScope(d) {
			res.Unread[d.Number]++
		}
	}
	inExport := map[string]bool{}
	at := make([]data.District, len(rows))
	for i, r := range rows {
		onRow[r.MIS2000ID] = true
		at[i] = c.district(r.District)
		if at[i].Number != "" {
			inExport[at[i].Number] = true
		}
		switch {
		case !c.known(at[i]):
			res.Compared++
			res.Undistricted++
		case c.inScope(at[i]):
			res.Compared++
		default:
			res.OutOfRegion++
		}
		c.row(r, at[i])
	}
	c.publishedNotInExport(onRow, inExport)
	c.duplicateRows(rows, at)
	c.duplicateStudents()
	c.studentsUnderTwoIDs(onRow)

	kept := c.out[:0]
	for _, d := range c.out {
		if c.inScope(d.District) {
			kept = append(kept, d)
		}
	}
	res.Discrepancies = kept
	sortDiscrepancies(res.Discrepancies)
	res.Summary, res.Totals = c.summary(res.Discrepancies, inExport)
	return res
}

// distinct drops rows that repeat an earlier row in every value the
// comparison reads: an export may list a student once per enrollment,
// rows that differ in school, grade or gender alone, and those are one
// row to check, not one discrepancy each. A district is compared as the
// district it names ("1" is 001). It says how many rows it dropped, and
// how many of those name no district of the records.
func (c *comparison) distinct(rows []data.MIS2000Row) (out []data.MIS2000Row, repeated, undistricted int) {
	type compared struct {
		id, last, first string
		birth, qad, eed data.Date
		district        string
	}
	seen := make(map[compared]bool, len(rows))
	out = make([]data.MIS2000Row, 0, len(rows))
	for _, r := range rows {
		d := c.district(r.District)
		k := compared{r.MIS2000ID, r.LastName, r.FirstName, r.BirthDate, r.QAD, r.EED, d.Number}
		if seen[k] {
			if !c.known(d) {
				undistricted++
			}
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out, len(rows) - len(out), undistricted
}

// district is the district a row names: the records' district of that
// number, or of that number with its leading zeros restored (a number
// cell in Excel loses them) when only one district fits; else, as
// reports print a district, its number followed by its name ("018 -
// Barren County"), or its name alone when no other district has it. A
// cell that fits none is kept with no name.
func (c *comparison) district(cell string) data.District {
	if cell == "" {
		return data.District{}
	}
	if d, ok := c.byNumber(cell); ok {
		return d
	}
	number := cell[:len(cell)-len(strings.TrimLeft(cell, "0123456789"))]
	if d, ok := c.byNumber(number); ok && number != "" && data.NormalizeName(cell[len(number):]) == data.NormalizeName(d.Name) {
		return d
	}
	if ns := c.named[data.NormalizeName(cell)]; len(ns) == 1 {
		return c.districts[ns[0]]
	}
	return data.District{Number: cell}
}

// byNumber is the district of a number, leading zeros restored when one
// district fits.
func (c *comparison) byNumber(number string) (data.District, bool) {
	if d, ok := c.districts[number]; ok {
		return d, true
	}
	if ns := c.unpadded[strings.TrimLeft(number, "0")]; len(ns) == 1 {
		return c.districts[ns[0]], true
	}
	return data.District{}, false
}

func (c *comparison) known(d data.District) bool {
	_, ok := c.districts[d.Number]
	return ok
}

// inScope reports whether a discrepancy of district d is the region's: a
// district of the region, or one the records do not place in any region.
func (c *comparison) inScope(d data.District) bool {
	return c.region == "" || !c.known(d) || d.RegionCode == c.region
}

// row compares one row with the records.
func (c *comparison) row(r data.MIS2000Row, d data.District) {
	ids := c.byID[r.MIS2000ID]
	if len(ids) == 1 {
		c.matched(r, d, &c.snap.Students[ids[0]])
		return
	}
	mis := "MIS2000 ID " + r.MIS2000ID + ", " + window(r.QAD, r.EED)
	switch {
	case len(ids) > 1:
		var cands []string
		for _, i := range ids {
			cands = append(cands, c.snap.Students[i].StateID)
		}
		c.add(rowDiscrepancy(r, d, UncertainMatch,
			"MIS2000 ID "+r.MIS2000ID+" is on the records of state IDs "+strings.Join(cands, ", "), mis,
			"Which of these students the MIS2000 ID belongs to; the record of the other needs its MIS2000 ID corrected.",
			cands))
	default:
		cands := c.candidates(r)
		if len(cands) == 0 {
			c.add(rowDiscrepancy(r, d, NotInIC,
				"No record with this MIS2000 ID, and no student with this name and birth date", mis,
				"Whether the student is enrolled in the district, and under which state ID and name; IC has no such student.",
				nil))
			return
		}
		c.add(rowDiscrepancy(r, d, UncertainMatch,
			"No record with this MIS2000 ID; same name and birth date: "+c.candidateText(cands), mis,
			c.candidateCheck(cands, r.MIS2000ID), cands))
	}
}

// candidateText names the students a row may be, each with the MIS2000
// ID of its record, or as having none: a district told to look at a
// student for a record looks in vain when there is none.
func (c *comparison) candidateText(cands []string) string {
	out := make([]string, len(cands))
	for i, id := range cands {
		out[i] = "state ID " + id + " (no migrant record)"
		if st := c.withRecords[id]; st != nil {
			out[i] = "state ID " + id + " (a record under MIS2000 ID " + st.Records[0].MIS2000ID + ")"
		}
	}
	return strings.Join(out, ", ")
}

// candidateCheck is what to check about a row that may be one of the
// students cands: whether it is, and then what the records need, which
// depends on whether that student has a migrant record.
func (c *comparison) candidateCheck(cands []string, misID string) string {
	with := 0
	for _, id := range cands {
		if c.withRecords[id] != nil {
			with++
		}
	}
	q := "Whether the student is state ID " + strings.Join(cands, " or ")
	switch with {
	case 0:
		return q + "; if so, the student has no migrant record yet, and one is to be entered with MIS2000 ID " + misID + "."
	case len(cands):
		return q + "; if so, which is right: MIS2000 ID " + misID + ", or the one on the student's record."
	}
	return q + "; if so, which is right: MIS2000 ID " + misID + ", or the one on the student's record (a student with none needs one entered)."
}

// samePerson reports whether a row names the student: the same name
// (SameName, as an Uncertain match is found) and birth date.
func samePerson(r data.MIS2000Row, st *data.Student) bool {
	return r.BirthDate == st.BirthDate && SameName(r.LastName, r.FirstName, st.LastName, st.FirstName)
}

// matched compares a row with the record of the student it matches.
func (c *comparison) matched(r data.MIS2000Row, d data.District, st *Student) {
	rec := pick(st.Records, r.QAD)
	at := d
	switch {
	case at.Number != "":
	case len(rec.Copies) > 0:
		at = c.district(rec.Copies[0])
	case len(st.Enrolled) > 0:
		at = c.district(st.Enrolled[0])
	}
	other := !samePerson(r, &st.Student)
	add := func(cat Category, inIC, inMIS, check string) {
		if other {
			// The record may be another student's: the district is to
			// know that before it corrects a date after this one.
			check = "First whether MIS2000 ID " + r.MIS2000ID + " is this student's: the export gives it to " +
				person(r.LastName, r.FirstName, r.BirthDate) + " (see Name or birth date differs), and if it is not, " +
				"this compares the row with another student's record. Then " + data.LowerFirst(check)
		}
		c.add(Discrepancy{District: at, Category: cat, StateID: st.StateID, MIS2000ID: r.MIS2000ID,
			LastName: st.LastName, FirstName: st.FirstName, BirthDate: st.BirthDate,
			InIC: inIC, InMIS2000: inMIS, Check: check, Line: r.Line})
	}
	if other {
		c.otherPerson(r, at, st, rec)
	}
	if rec.QAD != r.QAD {
		add(QADDiffers, rec.QAD.US(), r.QAD.US(),
			"Which qualifying arrival date the Certificate of Eligibility gives; the other system needs correcting.")
	}
	if !r.EED.IsZero() && rec.EED != r.EED {
		add(EEDDiffers, rec.EED.US(), r.EED.US(),
			"Whether eligibility ended early (graduation, high-school equivalency) or one of the dates is mistyped.")
	}
	if !rec.Published {
		add(NeverPublished, "Saved, never published: "+window(rec.QAD, rec.EED), window(r.QAD, r.EED),
			"Whether the student is eligible and enrolled in the district; the regional office publishes the record once that is confirmed.")
	}
	if d.Number != "" && !slices.Contains(st.Enrolled, d.Number) {
		inIC := c.enrolledText(st.Enrolled)
		if left, ok := st.Left[d.Number]; ok {
			inIC = "Left " + label(d) + " on " + left.US() + "; " + data.LowerFirst(inIC)
		}
		add(DistrictDiffers, inIC, "District "+label(d),
			"Whether the student is enrolled in the district on "+c.snap.AsOf.US()+"; if the student has left, the withdrawal date and the new district.")
	}
}

// otherPerson tells the districts of the region compared that the record
// is published to (else the row's, at) that the row carrying its MIS2000
// ID names someone else, or the student with another birth date: the ID
// may be typed on the wrong student, here or in MIS2000, or a name or
// date mistyped, and a district checking only the dates would correct
// the wrong record.
func (c *comparison) otherPerson(r data.MIS2000Row, at data.District, st *Student, rec *Record) {
	nameDiffers := !SameName(r.LastName, r.FirstName, st.LastName, st.FirstName)
	var what []string
	if nameDiffers {
		what = append(what, "name")
	}
	if r.BirthDate != st.BirthDate {
		what = append(what, "birth date")
	}
	differs := list(what, "and")
	inIC := "MIS2000 ID " + r.MIS2000ID + " is on the record of " + person(st.LastName, st.FirstName, st.BirthDate)
	if cands := c.candidates(r); len(cands) > 0 {
		inIC += "; the export's name and birth date are those of state ID " + list(cands, "or")
	}
	check := "Whether MIS2000 ID " + r.MIS2000ID + " is this student's. If it is, which " + differs + " " +
		data.Agree(len(what), "is", "are") + " right, IC's or MIS2000's; if it is not, the MIS2000 ID is on the wrong student, and the record or MIS2000 needs correcting."
	if !nameDiffers {
		check = "Whether MIS2000 ID " + r.MIS2000ID + " is this student's or another student's of the same name. If it is this student's, " +
			"which birth date is right, IC's or MIS2000's; if not, the MIS2000 ID is on the wrong student, and the record or MIS2000 needs correcting."
	}
	var where []data.District
	for _, n := range rec.Copies {
		if d := c.district(n); c.inScope(d) {
			where = append(where, d)
		}
	}
	if len(where) == 0 {
		// The row's other discrepancies send its district here.
		where = []data.District{at}
	}
	for _, d := range where {
		c.add(Discrepancy{District: d, Category: NameDiffers, StateID: st.StateID, MIS2000ID: r.MIS2000ID,
			LastName: st.LastName, FirstName: st.FirstName, BirthDate: st.BirthDate,
			InIC: inIC, InMIS2000: "MIS2000 ID " + r.MIS2000ID + ": " + person(r.LastName, r.FirstName, r.BirthDate),
			Check: check, Line: r.Line})
	}
}

// person names someone as the lists do: "Torres, Ana, born 03/04/2012".
func person(last, first string, birth data.Date) string {
	return last + ", " + first + ", born " + birth.US()
}

// pick is the record a row is compared with: the one with the row's QAD,
// else the latest (records are latest QAD first).
func pick(recs []Record, qad data.Date) *Record {
	for i := range recs {
		if recs[i].QAD == qad {
			return &recs[i]
		}
	}
	return &recs[0]
}

// candidates are the state IDs of the students with the row's name and
// birth date, in order.
func (c *comparison) candidates(r data.MIS2000Row) []string {
	n := newName(r.LastName, r.FirstName)
	var out []string
	for _, i := range c.born[r.BirthDate] {
		st := c.snap.Born[i]
		if n.same(newName(st.LastName, st.FirstName)) {
			out = append(out, st.StateID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// publishedNotInExport finds the records active on the day, published to
// a district of the export, whose MIS2000 ID is on no row: one
// discrepancy for each such district.
func (c *comparison) publishedNotInExport(onRow, inExport map[string]bool) {
	day := c.snap.AsOf
	for i := range c.snap.Students {
		st := &c.snap.Students[i]
		for _, rec := range st.Records {
			if rec.QAD > day || rec.EED < day || onRow[rec.MIS2000ID] || c.unreadUnpadded[strings.TrimLeft(rec.MIS2000ID, "0")] {
				continue
			}
			for _, n := range rec.Copies {
				if !inExport[n] {
					continue
				}
				c.add(Discrepancy{District: c.district(n), Category: NotInMIS2000, StateID: st.StateID,
					MIS2000ID: rec.MIS2000ID, LastName: st.LastName, FirstName: st.FirstName, BirthDate: st.BirthDate,
					InIC:      "Published: MIS2000 ID " + rec.MIS2000ID + ", " + window(rec.QAD, rec.EED),
					InMIS2000: "No row with this MIS2000 ID",
					Check:     "Whether the student is still served by the migrant program, and under which MIS2000 ID."})
			}
		}
	}
}

// duplicateRows finds rows with the same name and birth date under
// different MIS2000 IDs.
func (c *comparison) duplicateRows(rows []data.MIS2000Row, at []data.District) {
	names := make([]name, len(rows))
	births := make([]data.Date, len(rows))
	for i, r := range rows {
		names[i], births[i] = newName(r.LastName, r.FirstName), r.BirthDate
	}
	same := newNamesakes(names, births, func(int) bool { return true })
	for i, r := range rows {
		var others []string
		same.each(i, r.BirthDate, func(j int) bool {
			if o := rows[j]; o.MIS2000ID != r.MIS2000ID {
				others = append(others, c.rowRef(o, at[j], at[i]))
			}
			return len(others) <= maxNamesakes
		})
		if len(others) == 0 {
			continue
		}
		d := rowDiscrepancy(r, at[i], PossibleDuplicate, c.stateIDText(r.MIS2000ID),
			"MIS2000 ID "+r.MIS2000ID+"; the same name and birth date also under "+namesakeList(others),
			"Whether these rows are one person; if so, which MIS2000 ID is right.", nil)
		if ids := c.byID[r.MIS2000ID]; len(ids) == 1 {
			d.StateID = c.snap.Students[ids[0]].StateID
		}
		c.add(d)
	}
}

// rowRef names another row of the export by what the district can look
// up, in MIS2000 or in its own records: the MIS2000 ID, the student it
// is on the record of, the QAD, and the district and school when the
// row gives them (the district only when it is not the one told, here).
// A line number of the clerk's file would name nothing the district
// has.
func (c *comparison) rowRef(o data.MIS2000Row, d, here data.District) string {
	var about []string
	if ids := c.byID[o.MIS2000ID]; len(ids) == 1 {
		about = append(about, "state ID "+c.snap.Students[ids[0]].StateID)
	}
	about = append(about, "QAD "+o.QAD.US())
	if d.Number != "" && d.Number != here.Number {
		about = append(about, "district "+label(d))
	}
	if o.School != "" {
		about = append(about, o.School)
	}
	return "MIS2000 ID " + o.MIS2000ID + " (" + strings.Join(about, ", ") + ")"
}

// maxNamesakes is how many others a Possible duplicate names: a person
// to look into needs a few to start from, and an export of thousands of
// one name on one day (a placeholder) would otherwise write each of them
// into the discrepancy of every other.
const maxNamesakes = 10

// namesakeList names the others found, up to maxNamesakes, and says when
// there are more.
func namesakeList(others []string) string {
	if len(others) > maxNamesakes {
		return strings.Join(others[:maxNamesakes], ", ") + " and more"
	}
	return strings.Join(others, ", ")
}

// stateIDText says which student, if any, the records give an MIS2000 ID.
func (c *comparison) stateIDText(id string) string {
	var sts []string
	for _, i := range c.byID[id] {
		sts = append(sts, c.snap.Students[i].StateID)
	}
	if len(sts) == 0 {
		return "No record with this MIS2000 ID"
	}
	return "On the record of state ID " + strings.Join(sts, ", ")
}

// duplicateStudents finds students with the same name and birth date who
// both have records: one discrepancy for each of them in each district
// their records are published to (else where they are enrolled on the
// day).
func (c *comparison) duplicateStudents() {
	sts := c.snap.Students
	names := make([]name, len(sts))
	births := make([]data.Date, len(sts))
	for i := range sts {
		names[i], births[i] = newName(sts[i].LastName, sts[i].FirstName), sts[i].BirthDate
	}
	same := newNamesakes(names, births, func(i int) bool { return len(sts[i].Records) > 0 })
	for i := range sts {
		st := &sts[i]
		if len(st.Records) == 0 {
			continue
		}
		var others []string
		same.each(i, st.BirthDate, func(j int) bool {
			if sts[j].StateID != st.StateID {
				others = append(others, fmt.Sprintf("state ID %s (MIS2000 ID %s)", sts[j].StateID, sts[j].Records[0].MIS2000ID))
			}
			return len(others) <= maxNamesakes
		})
		if len(others) == 0 {
			continue
		}
		for _, n := range studentDistricts(st) {
			c.add(Discrepancy{District: c.district(n), Category: PossibleDuplicate, StateID: st.StateID,
				MIS2000ID: st.Records[0].MIS2000ID, LastName: st.LastName, FirstName: st.FirstName, BirthDate: st.BirthDate,
				InIC:      "State ID " + st.StateID + "; the same name and birth date also under " + namesakeList(others),
				InMIS2000: "",
				Check:     "Whether these students are one person with two state IDs; if so, which state ID is right."})
		}
	}
}

// studentsUnderTwoIDs finds students whose records carry more than one
// MIS2000 ID: one person under two IDs among the records, whom MIS2000
// may count twice. onRow are the IDs the export has.
func (c *comparison) studentsUnderTwoIDs(onRow map[string]bool) {
	for i := range c.snap.Students {
		st := &c.snap.Students[i]
		var ids, on, off []string
		for _, r := range st.Records {
			if !slices.Contains(ids, r.MIS2000ID) {
				ids = append(ids, r.MIS2000ID)
			}
		}
		if len(ids) < 2 {
			continue
		}
		for _, id := range ids {
			if onRow[id] {
				on = append(on, id)
			} else {
				off = append(off, id)
			}
		}
		var inMIS []string
		switch len(on) {
		case 0:
		case 1:
			inMIS = append(inMIS, "A row under MIS2000 ID "+on[0])
		default:
			inMIS = append(inMIS, "Rows under MIS2000 IDs "+list(on, "and"))
		}
		if len(off) > 0 && len(on) > 0 {
			inMIS = append(inMIS, "none under "+list(off, "or"))
		} else if len(off) > 0 {
			inMIS = append(inMIS, "No row under MIS2000 ID "+list(off, "or"))
		}
		for _, n := range studentDistricts(st) {
			c.add(Discrepancy{District: c.district(n), Category: PossibleDuplicate, StateID: st.StateID,
				MIS2000ID: ids[0], LastName: st.LastName, FirstName: st.FirstName, BirthDate: st.BirthDate,
				InIC:      "State ID " + st.StateID + " has records under MIS2000 IDs " + list(ids, "and"),
				InMIS2000: strings.Join(inMIS, "; "),
				Check:     "Whether MIS2000 has the student under two IDs; if so, which MIS2000 ID is right, so that the other is merged in MIS2000 and corrected on the record."})
		}
	}
}

// studentDistricts are the districts a discrepancy about a student, not
// about a row, goes to: those the student's records are published to,
// else those where the student is enrolled on the day, else none ("").
func studentDistricts(st *Student) []string {
	var where []string
	for _, r := range st.Records {
		where = append(where, r.Copies...)
	}
	if len(where) == 0 {
		where = slices.Clone(st.Enrolled)
	}
	slices.Sort(where)
	where = slices.Compact(where)
	if len(where) == 0 {
		where = []string{""}
	}
	return where
}

// regionName is Result.RegionName of the region with code.
func regionName(regions []data.Region, code string) string {
	if code == "" {
		return "every region"
	}
	for _, r := range regions {
		if r.Code == code && r.Name != "" {
			return "the " + r.Name + " region"
		}
	}
	return "region " + code
}

// list joins words as a sentence does: "a, b and c".
func list(words []string, and string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + and + " " + words[len(words)-1]
}

func (c *comparison) add(d Discrepancy) { c.out = append(c.out, d) }

// rowDiscrepancy is a discrepancy about a row, named as the row names the
// student.
func rowDiscrepancy(r data.MIS2000Row, d data.District, cat Category, inIC, inMIS, check string, cands []string) Discrepancy {
	return Discrepancy{District: d, Category: cat, MIS2000ID: r.MIS2000ID, LastName: r.LastName, FirstName: r.FirstName,
		BirthDate: r.BirthDate, InIC: inIC, InMIS2000: inMIS, Check: check, Line: r.Line, Candidates: cands}
}

// enrolledText says where a student is enrolled on the day.
func (c *comparison) enrolledText(numbers []string) string {
	if len(numbers) == 0 {
		return "No enrollment on " + c.snap.AsOf.US()
	}
	ds := make([]string, len(numbers))
	for i, n := range numbers {
		ds[i] = label(c.district(n))
	}
	return "Enrolled on " + c.snap.AsOf.US() + " in " + strings.Join(ds, ", ")
}

// label is "001 Adair County", or the number alone for a district the
// records do not have.
func label(d data.District) string {
	if d.Name == "" {
		return d.Number
	}
	return d.Number + " " + d.Name
}

// window is "QAD 09/01/2025, EED 08/31/2028", without an EED not given.
func window(qad, eed data.Date) string {
	s := "QAD " + qad.US()
	if !eed.IsZero() {
		s += ", EED " + eed.US()
	}
	return s
}

func sortDiscrepancies(ds []Discrepancy) {
	keys := make(map[string]string, len(ds))
	key := func(s string) string {
		k, ok := keys[s]
		if !ok {
			k = data.NormalizeName(s)
			keys[s] = k
		}
		return k
	}
	slices.SortStableFunc(ds, func(a, b Discrepancy) int {
		return cmp.Or(
			byNumber(a.District, b.District),
			cmp.Compare(a.Category, b.Category),
			cmp.Compare(key(a.LastName), key(b.LastName)),
			cmp.Compare(key(a.FirstName), key(b.FirstName)),
			cmp.Compare(a.StateID, b.StateID),
			cmp.Compare(a.MIS2000ID, b.MIS2000ID),
			cmp.Compare(a.Line, b.Line),
		)
	})
}

// summary counts the discrepancies by district and category. Districts of
// the export in scope are listed even with no discrepancy: checked, and
// nothing found.
func (c *comparison) summary(ds []Discrepancy, inExport map[string]bool) ([]DistrictCount, DistrictCount) {
	var out []DistrictCount
	index := map[string]int{}
	line := func(d data.District) *DistrictCount {
		i, ok := index[d.Number]
		if !ok {
			i = len(out)
			index[d.Number] = i
			out = append(out, DistrictCount{District: d})
		}
		return &out[i]
	}
	var total DistrictCount
	for _, d := range ds {
		l := line(d.District)
		l.Counts[d.Category]++
		l.Total++
		total.Counts[d.Category]++
		total.Total++
	}
	for n := range inExport {
		if d := c.district(n); c.inScope(d) {
			line(d)
		}
	}
	slices.SortFunc(out, func(a, b DistrictCount) int { return byNumber(a.District, b.District) })
	return out, total
}

// byNumber orders districts by number, with no district last.
func byNumber(a, b data.District) int {
	if (a.Number == "") != (b.Number == "") {
		if a.Number == "" {
			return 1
		}
		return -1
	}
	return cmp.Compare(a.Number, b.Number)
}
