package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// DistrictRecord is a migrant record as a district sees it: the copy
// published to the district, with the student and the student's current
// enrollment in that district.
type DistrictRecord struct {
	RecordID                 string
	Student                  data.Student
	MIS2000ID                string
	QAD, EED                 data.Date
	Version                  int
	PublishedAt, PublishedBy string
	// The student's enrollment in the district that the list shows:
	// open ones first, then P > S > N, then the latest start.
	SchoolNumber, SchoolName, Grade string
	Withdrawn                       data.Date
}

// Active reports whether the eligibility window includes the day.
func (r DistrictRecord) Active(on data.Date) bool {
	return r.QAD <= on && r.EED >= on
}

// DistrictRecords lists the records published to a district, by student
// name. It reads only the published copies: what the clerk has changed
// since is not shown until it is published again. The enrollment shown is
// data.CurrentEnrollment's choice, made in SQL (ORDER BY ... LIMIT 1 per
// record is faster than loading the enrollments to choose in Go); the
// store's property test holds the two together. Service types are P, S
// or N only (the importer and ApplyPage check them), so ELSE is N.
func (s *Store) DistrictRecords(ctx context.Context, district string) ([]DistrictRecord, error) {
	var out []DistrictRecord
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT p.record_id, `+studentCols("st.")+`, p.mis2000_id, p.qad, p.eed, p.version,
				p.published_at, p.published_by,
				coalesce(e.school_number, ''), coalesce(sc.name, ''), coalesce(e.grade, ''), coalesce(e.end_date, '')
			FROM published p
			JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
			JOIN students st ON st.state_id = r.state_id
			LEFT JOIN enrollments e ON e.id = (
				SELECT e2.id FROM enrollments e2 JOIN schools s2 ON s2.number = e2.school_number
				WHERE e2.state_id = r.state_id AND s2.district_number = p.district_number
				ORDER BY e2.end_date = '' DESC, e2.end_date DESC,
					CASE e2.service_type WHEN 'P' THEN 0 WHEN 'S' THEN 1 ELSE 2 END, e2.start_date DESC, e2.id
				LIMIT 1)
			LEFT JOIN schools sc ON sc.number = e.school_number
			WHERE p.district_number = ?
			ORDER BY st.last_key, st.first_key, st.state_id, p.qad DESC`, district)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d DistrictRecord
			var birth, qad, eed, end string
			st := &d.Student
			if err := rows.Scan(&d.RecordID, &st.StateID, &st.LocalNumber, &st.LastName, &st.FirstName, &st.MiddleName,
				&birth, &st.Gender, &st.Race, &d.MIS2000ID, &qad, &eed, &d.Version, &d.PublishedAt, &d.PublishedBy,
				&d.SchoolNumber, &d.SchoolName, &d.Grade, &end); err != nil {
				return err
			}
			var errs [4]error
			st.BirthDate, errs[0] = data.ParseDate(birth)
			d.QAD, errs[1] = data.ParseDate(qad)
			d.EED, errs[2] = data.ParseDate(eed)
			d.Withdrawn, errs[3] = data.ParseOptionalDate(end)
			if err := errors.Join(errs[:]...); err != nil {
				return fmt.Errorf("record %s: %w", d.RecordID, err)
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the migrant records of district %s: %w", district, err)
	}
	return out, nil
}

// VisibleDistricts lists the districts u may open, by number.
func (s *Store) VisibleDistricts(ctx context.Context, u data.User) ([]data.District, error) {
	all, err := s.Districts(ctx, "")
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, d := range all {
		if u.CanSeeDistrict(d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// ReportAccess says whether a user may run the QA Migrant report for a
// district and, when not, whom to ask.
type ReportAccess struct {
	Allowed bool
	// Why is a sentence for the user when not allowed.
	Why string
	// Admins are the district administrators who can grant access.
	Admins []data.User
}

// CanRunReport loads what data.User.MayRunReport needs (the user as the
// database has them, the grant, the district's administrators) and asks
// it. The user's role and districts are read again here, not taken from
// u: a district window keeps the user it was opened for, and the app
// puts off following a change of access while a dialog is open, but a
// sync meanwhile may have brought the hub's change (a district
// administrator made a coordinator), and the report must follow the hub
// at once, as a grant revoked does. A user the database does not know is
// taken as asKnown says: as given on a standalone database
// (data.Operator); on one that syncs, as its identity has them while a
// snapshot brings the users, else refused.
func (s *Store) CanRunReport(ctx context.Context, u data.User, district data.District) (ReportAccess, error) {
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = asKnown(tx, u)
		return err
	})
	if err != nil {
		return ReportAccess{}, err
	}
	granted, err := s.hasGrant(ctx, u.Username, district.Number)
	if err != nil {
		return ReportAccess{}, err
	}
	if u.MayRunReport(district, granted) {
		return ReportAccess{Allowed: true}, nil
	}
	admins, state, err := s.admins(ctx, district.Number)
	if err != nil {
		return ReportAccess{}, err
	}
	return ReportAccess{Why: data.ReportRefusal(u, district, admins, state), Admins: admins}, nil
}

func (s *Store) hasGrant(ctx context.Context, username, district string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM report_grants WHERE username = ? AND district_number = ?`,
		username, district).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read report access of %s: %w", username, err)
	}
	return n > 0, nil
}

// admins lists the administrators of a district and those of the state.
func (s *Store) admins(ctx context.Context, district string) (districtAdmins, stateAdmins []data.User, err error) {
	us, err := s.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range us {
		switch {
		case u.Role == data.RoleDistrictAdmin && u.DistrictNumber == district:
			districtAdmins = append(districtAdmins, u)
		case u.Role == data.RoleStateAdmin:
			stateAdmins = append(stateAdmins, u)
		}
	}
	return districtAdmins, stateAdmins, nil
}

// Grantee is a coordinator of a district and whether they may run its
// report.
type Grantee struct {
	data.User
	Granted              bool
	GrantedBy, GrantedAt string
}

// Grantees lists the coordinators of a district with their report access.
func (s *Store) Grantees(ctx context.Context, district string) ([]Grantee, error) {
	us, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []Grantee
	err = s.read(ctx, func(tx *sql.Tx) error {
		for _, u := range us {
			if u.Role != data.RoleCoordinator || !slices.Contains(u.Districts, district) {
				continue
			}
			g := Grantee{User: u}
			err := tx.QueryRow(`SELECT granted_by, granted_at FROM report_grants WHERE username = ? AND district_number = ?`,
				u.Username, district).Scan(&g.GrantedBy, &g.GrantedAt)
			switch {
			case err == nil:
				g.Granted = true
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			out = append(out, g)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read report access in district %s: %w", district, err)
	}
	return out, nil
}

// SetReportAccess grants (or revokes) a coordinator's access to a
// district's QA Migrant report. Only the district's administrator (or a
// state administrator) may, and grant only to a coordinator of that
// district: data.User.MayGrantReport and MayRevokeReport decide, inside
// the writing transaction, for the administrator as the database has them
// (writeAs): the Users and access tab keeps the user it was opened for,
// and a sync while its confirmation was open may have taken the district
// from them. The grant, its outbox mutation (for the hub)
// and its audit row commit together; granting what is granted, or
// revoking what is not, writes nothing.
func (s *Store) SetReportAccess(ctx context.Context, admin data.User, username, district string, grant bool) error {
	return s.writeAs(ctx, admin, func(tx *sql.Tx, admin data.User) error {
		target, err := userByName(tx, username)
		if err != nil {
			return err
		}
		allowed := admin.MayRevokeReport(district)
		if grant {
			allowed = admin.MayGrantReport(target, district)
		}
		if allowed != nil {
			return allowed
		}
		var res sql.Result
		var base int
		action, op := "grant report", sync.OpGrant
		if grant {
			res, err = tx.Exec(`INSERT OR IGNORE INTO report_grants(username, district_number, granted_by, granted_at)
				VALUES(?, ?, ?, ?)`, username, district, admin.Username, s.timestamp())
		} else {
			action, op = "revoke report", sync.OpRevoke
			if base, err = seenGrant(tx, username, district); err != nil {
				return fmt.Errorf("read the report grant of %s: %w", username, err)
			}
			res, err = tx.Exec(`DELETE FROM report_grants WHERE username = ? AND district_number = ?`, username, district)
		}
		if err != nil {
			return fmt.Errorf("change report access of %s: %w", username, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		g := sync.Grant{Username: username, District: district}
		if err := s.enqueue(tx, sync.EntityGrant, sync.GrantID(username, district), op, base, g); err != nil {
			return err
		}
		return s.audit(tx, admin.Username, action, "user", username, "", "QA Migrant report, district "+district)
	})
}

// seenGrant is the version of the grant a revoke ends, as the hub stamped
// it (sync.GrantVersion), so that the hub ends that grant and leaves one
// made since by another administrator. A grant made here and still
// waiting to be sent has no version from the hub yet, nor needs one: the
// revoke follows it to the hub, and ends it.
func seenGrant(tx *sql.Tx, username, district string) (int, error) {
	var grantedAt string
	var waiting bool
	err := tx.QueryRow(`SELECT granted_at, EXISTS (SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND op = ? AND state = ?)
		FROM report_grants WHERE username = ? AND district_number = ?`,
		sync.EntityGrant, sync.GrantID(username, district), sync.OpGrant, statePending, username, district).Scan(&grantedAt, &waiting)
	if errors.Is(err, sql.ErrNoRows) || waiting {
		return 0, nil
	}
	return sync.GrantVersion(grantedAt), err
}
