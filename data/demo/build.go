package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// MetaVersion is the meta key under which Build records Version, so a
// database made by an older generator can be told apart.
const MetaVersion = "demo_version"

// Version changes whenever the generator makes different data for the
// same Config.
const Version = "2"

// ErrNotEmpty is returned by Build for a database that already holds an
// extract: a demo state is made only in a new database.
var ErrNotEmpty = errors.New("a demo state goes into a new, empty database")

// Summary says what Build put in the database and how long each step took.
type Summary struct {
	Config  Config
	Extract store.ExtractCounts
	// Records is every migrant record saved; Published of them were
	// published, to Copies district copies; Unpublished were saved and
	// left for a clerk to publish; Edited were changed after publishing,
	// so they need publishing again.
	Records, Published, Copies, Unpublished, Edited int
	Users                                           []data.User
	Generate, Import, Load, Total                   time.Duration

	districtNames map[string]string // by number, for WriteTo
}

// Build generates the state cfg describes and writes it into st, whose
// database must hold no extract yet: the extract, the migrant records
// (most published, about one in twenty saved but not published, and about
// one in a hundred changed after publishing), the users, and the meta keys
// that mark a demo database. Each migrant record is saved, published and
// corrected by the clerk of its student's region, as a clerk reads them;
// user is who the audit log says loaded the extract and the users, as on
// a hub the state administrator does and no region's clerk would.
func Build(ctx context.Context, st *store.Store, cfg Config, user string) (Summary, error) {
	start := time.Now()
	if cfg.Today.IsZero() {
		cfg.Today = DefaultToday
	}
	sum := Summary{Config: cfg}
	if today := data.Today(); cfg.Today > today {
		return sum, fmt.Errorf("the demo's reference day %s is after today (%s): the store refuses qualifying arrival dates in the future", cfg.Today.US(), today.US())
	}
	districts, err := st.Districts(ctx, "")
	if err != nil {
		return sum, err
	}
	if len(districts) > 0 {
		return sum, fmt.Errorf("database %s already holds a state extract (%d districts): %w", st.Path(), len(districts), ErrNotEmpty)
	}
	state, err := Generate(cfg)
	if err != nil {
		return sum, err
	}
	sum.Generate = time.Since(start)

	t := time.Now()
	if sum.Extract, err = st.ImportExtract(ctx, state.Extract, user); err != nil {
		return sum, err
	}
	sum.Import = time.Since(t)

	t = time.Now()
	// The users first, so the clerks exist when they save records.
	for _, u := range state.Users {
		if err := st.SaveUser(ctx, user, u); err != nil {
			return sum, fmt.Errorf("save demo user %s: %w", u.Username, err)
		}
	}
	if err := loadRecords(ctx, st, state, &sum); err != nil {
		return sum, err
	}
	if err := grantReports(ctx, st, state.Users); err != nil {
		return sum, err
	}
	sum.Users = state.Users
	sum.districtNames = map[string]string{}
	for _, d := range state.Extract.Districts {
		sum.districtNames[d.Number] = d.Name
	}
	for _, kv := range [][2]string{{store.MetaDemo, "1"}, {store.MetaDemoSeed, strconv.FormatInt(cfg.Seed, 10)}, {MetaVersion, Version}} {
		if err := st.SetMeta(ctx, kv[0], kv[1]); err != nil {
			return sum, err
		}
	}
	sum.Load = time.Since(t)
	sum.Total = time.Since(start)
	return sum, nil
}

// loadRecords saves the migrant records the way a state's records come to
// be: most loaded and published, some saved and left unpublished, and a
// few corrected after publishing, each by the clerk of the student's
// region (State.RecordRegions).
func loadRecords(ctx context.Context, st *store.Store, state *State, sum *Summary) error {
	clerks := map[string]data.User{}
	for _, u := range state.Users {
		if u.Role == data.RoleClerk {
			clerks[u.RegionCode] = u
		}
	}
	clerkOf := func(stateID string) (data.User, error) {
		u, ok := clerks[state.RecordRegions[stateID]]
		if !ok {
			return u, fmt.Errorf("the demo generator gave student %s no region with a clerk, a bug", stateID)
		}
		return u, nil
	}
	r := newRNG(sum.Config.Seed, streamBuild)
	var publish []data.MigrantRecord
	publishBy := map[string][]data.MigrantRecord{}
	keepBy := map[string][]data.MigrantRecord{}
	for _, rec := range state.Records {
		u, err := clerkOf(rec.StateID)
		if err != nil {
			return err
		}
		if r.chance(0.05) {
			keepBy[u.Username] = append(keepBy[u.Username], rec)
		} else {
			publish = append(publish, rec)
			publishBy[u.Username] = append(publishBy[u.Username], rec)
		}
	}
	// In the order of the users, for the same seed to give the same
	// database.
	for _, u := range state.Users {
		if u.Role != data.RoleClerk {
			continue
		}
		res, err := st.ImportRecords(ctx, u, publishBy[u.Username], true)
		if err != nil {
			return fmt.Errorf("load the demo's migrant records of %s: %w", u.FullName, err)
		}
		sum.Records += res.Saved
		sum.Published += res.Published
		sum.Copies += res.Districts
		res, err = st.ImportRecords(ctx, u, keepBy[u.Username], false)
		if err != nil {
			return fmt.Errorf("load the demo's migrant records of %s: %w", u.FullName, err)
		}
		sum.Records += res.Saved
		sum.Unpublished += res.Saved
	}

	// Corrections after publishing: a mistyped MIS2000 ID, or an earlier
	// expiration (the student graduated or left the program).
	want := max(3, len(publish)/100)
	for _, i := range r.Perm(len(publish)) {
		if sum.Edited == want {
			break
		}
		recs, err := st.StudentRecords(ctx, publish[i].StateID)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if rec.QAD != publish[i].QAD || rec.Status != data.StatusPublished {
				continue
			}
			m := rec.MigrantRecord
			if days := daysBetween(m.QAD, m.EED); r.chance(0.5) && days > 60 {
				m.EED = m.QAD.AddDays(r.between(30, days-1))
			} else {
				m.MIS2000ID = retype(r, m.MIS2000ID)
			}
			u, err := clerkOf(m.StateID)
			if err != nil {
				return err
			}
			if _, err := st.SaveRecord(ctx, u, m); err != nil {
				return fmt.Errorf("correct demo record %s: %w", m.ID, err)
			}
			sum.Edited++
		}
	}
	return nil
}

// retype changes one digit of an ID.
func retype(r rng, id string) string {
	b := []byte(id)
	i := r.IntN(len(b))
	b[i] = '0' + (b[i]-'0'+byte(r.between(1, 9)))%10
	return string(b)
}

// WriteTo prints the summary for a person: what the database holds, who
// can use it, and how long it took.
func (s Summary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	c := s.Extract
	fmt.Fprintf(&b, "Demo state, seed %d, data as of %s:\n", s.Config.Seed, s.Config.Today.US())
	fmt.Fprintf(&b, "  %d regions, %d districts, %d schools\n", c.Regions, c.Districts, c.Schools)
	fmt.Fprintf(&b, "  %d students, %d enrollments, %d program rows, %d assessments\n", c.Students, c.Enrollments, c.Programs, c.Assessments)
	fmt.Fprintf(&b, "  %d migrant records: %d published (%d district copies), %d of them changed since; %d saved but not published\n",
		s.Records, s.Published, s.Copies, s.Edited, s.Unpublished)
	fmt.Fprintf(&b, "Users:\n")
	for _, u := range s.Users {
		var places []string
		for _, r := range regionList {
			if u.RegionCode == r.Code {
				places = append(places, r.Name)
			}
		}
		for _, d := range u.Districts {
			places = append(places, d+" "+s.districtNames[d])
		}
		if d := u.DistrictNumber; d != "" {
			places = append(places, d+" "+s.districtNames[d])
		}
		where := ""
		if len(places) > 0 {
			where = " — " + strings.Join(places, ", ")
		}
		fmt.Fprintf(&b, "  %-20s %-24s %s%s\n", u.Username, data.RoleName(u.Role), u.FullName, where)
	}
	fmt.Fprintf(&b, "Done in %s (generate %s, import extract %s, migrant records and users %s)\n",
		s.Total.Round(time.Millisecond), s.Generate.Round(time.Millisecond), s.Import.Round(time.Millisecond), s.Load.Round(time.Millisecond))
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// grantReports has the administrators of the two largest districts grant
// their coordinators the QA Migrant report, so the demo shows a
// coordinator with the grant and (in the next districts) one without.
func grantReports(ctx context.Context, st *store.Store, users []data.User) error {
	granted := 0
	for _, admin := range users {
		if admin.Role != data.RoleDistrictAdmin || granted == 2 {
			continue
		}
		for _, c := range users {
			if c.Role == data.RoleCoordinator && slices.Contains(c.Districts, admin.DistrictNumber) {
				if err := st.SetReportAccess(ctx, admin, c.Username, admin.DistrictNumber, true); err != nil {
					return fmt.Errorf("grant the demo report access: %w", err)
				}
			}
		}
		granted++
	}
	return nil
}
