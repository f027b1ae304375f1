package hubsql

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"migrantdesk/data"
	"migrantdesk/data/hub"
)

// PlanNames reads the accounts an older hub kept under a name that is not
// its clean form (data.CleanUsername), and says which CleanNames renames
// and which it leaves alone. A back end reads it in a read transaction
// at every start and runs CleanNames, in a write transaction, only when
// there is an account to rename: a start then takes no write lock once
// every name is clean, and opens beside a writer that holds it for
// minutes (an import of the state extract into a SQLite hub).
//
// An account whose clean name is, or differs only in case from, the
// clean name of another account stays as it is, and so does one with no
// clean form: renaming it would make two accounts one, their grants and
// records mixed, with nobody having decided it. The caller reports them
// (hub.UncleanName) for the operator, at every start.
func PlanNames(tx Tx) (hub.NameCleanup, error) {
	var out hub.NameCleanup
	names, err := readIDs(tx, `SELECT username FROM users ORDER BY username`)
	if err != nil {
		return out, fmt.Errorf("read the user names: %w", err)
	}
	clean := make([]string, len(names))
	bad := make([]error, len(names))
	for i, n := range names {
		clean[i], bad[i] = data.CleanUsername(n)
		if bad[i] == nil && clean[i] == "" {
			bad[i] = errors.New("the user name is nothing but spaces")
		}
		if bad[i] != nil {
			clean[i] = n
		}
	}
	for i, n := range names {
		if clean[i] == n && bad[i] == nil {
			continue
		}
		left := hub.UncleanName{Name: n, Err: bad[i]}
		if left.Err == nil {
			left.Clean = clean[i]
			for j, other := range names {
				if j != i && strings.EqualFold(clean[j], clean[i]) {
					left.Clashes = append(left.Clashes, other)
				}
			}
		}
		if left.Err != nil || len(left.Clashes) > 0 {
			out.Left = append(out.Left, left)
			continue
		}
		out.Renamed = append(out.Renamed, hub.Rename{From: n, To: clean[i]})
	}
	return out, nil
}

// CleanNames moves every account PlanNames would rename to its clean
// name, inside tx, the write transaction a back end opens for it as the
// hub starts (which excludes every other writer: the feed and the audit
// log are written), and says what it did.
func CleanNames(tx Tx, now string) (hub.NameCleanup, error) {
	plan, err := PlanNames(tx)
	if err != nil {
		return plan, err
	}
	log := NewAuditLog(tx)
	for _, r := range plan.Renamed {
		if err := rename(tx, log, r.From, r.To, now); err != nil {
			return hub.NameCleanup{}, fmt.Errorf("rename user %+q to its clean form %+q: %w", r.From, r.To, err)
		}
	}
	return plan, log.Flush()
}

// renamed are the columns that name an account, written from the old
// name (the second argument) to the new (the first). The user's row is
// copied under the new name before them and removed after them, since
// the foreign keys on it are checked at each statement. The audit log is
// not among them: see rename.
var renamed = []string{
	`UPDATE user_districts SET username = ? WHERE username = ?`,
	`UPDATE report_grants SET username = ? WHERE username = ?`,
	`UPDATE report_grants SET granted_by = ? WHERE granted_by = ?`,
	`UPDATE hub_accounts SET username = ? WHERE username = ?`,
	// A sign-in made under the old name goes on, under the new.
	`UPDATE hub_tokens SET username = ? WHERE username = ?`,
	`UPDATE hub_applied SET username = ? WHERE username = ?`,
	`UPDATE migrant_records SET created_by = ? WHERE created_by = ?`,
	`UPDATE migrant_records SET updated_by = ? WHERE updated_by = ?`,
	`UPDATE migrant_records SET published_by = ? WHERE published_by = ?`,
	`UPDATE published SET published_by = ? WHERE published_by = ?`,
}

// rename moves the account from to the name to, whom no account has, and
// logs what changed for the workstations, as other changes of users are:
// the user, their districts and grants under the new name, then the old
// name's grants, districts and user removed, children before their
// parent (a workstation keeps a row its foreign keys still need, and
// would keep the old user beside the new for good), then every record
// whose authorship changed, as clerks and as each district with a copy
// sees it.
//
// The audit log is append-only, and stays as it was: its rows say what
// was done under the name the account had then, and are each hashed into
// the chain that `audit verify` checks (on PostgreSQL a trigger refuses
// any UPDATE of them). A row appended here, by hub.UpgradeActor, names the
// account by its new name with the old one before it, so that its history
// reads on across the two names.
func rename(tx Tx, log *AuditLog, from, to, now string) error {
	districts, err := UserDistricts(tx, from)
	if err != nil {
		return err
	}
	grants, err := rowsOf(tx, "report_grants", "t.username = ?", from)
	if err != nil {
		return err
	}
	records, err := authored(tx, from)
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO users(username, full_name, role, region_code, district_number, email)
		SELECT ?, full_name, role, region_code, district_number, email FROM users WHERE username = ?`, to, from); err != nil {
		return err
	}
	for _, q := range renamed {
		if err := tx.Exec(q, to, from); err != nil {
			return err
		}
	}
	if err := tx.Exec(`DELETE FROM users WHERE username = ?`, from); err != nil {
		return err
	}

	if err := LogUser(tx, to, nil); err != nil {
		return err
	}
	var f feed
	regranted, err := rowsOf(tx, "report_grants", "t.username = ? OR t.granted_by = ?", to, to)
	if err != nil {
		return err
	}
	for _, g := range regranted {
		f.log("report_grants", false, false, g, districtTag(g["district_number"]))
	}
	for _, g := range grants {
		f.log("report_grants", true, false, keyOf("report_grants", g), districtTag(g["district_number"]))
	}
	for _, d := range districts {
		f.log("user_districts", true, false, map[string]string{"username": from, "district_number": d}, everyone)
	}
	f.log("users", true, false, map[string]string{"username": from}, everyone)
	if err := logAuthored(tx, &f, records); err != nil {
		return err
	}
	if err := f.flush(tx); err != nil {
		return err
	}
	return log.Append(now, hub.UpgradeActor, "rename", "user", to, from, to)
}

// authoredRecord is a record that names an account as its author,
// publisher, or the publisher of one of its copies.
type authoredRecord struct{ id, stateID string }

// authored are the records that name username.
func authored(tx Tx, username string) ([]authoredRecord, error) {
	rows, err := tx.Query(`SELECT r.id, r.state_id FROM migrant_records r
		WHERE r.created_by = ? OR r.updated_by = ? OR r.published_by = ?
			OR EXISTS (SELECT 1 FROM published p WHERE p.record_id = r.id AND p.published_by = ?)
		ORDER BY r.id`, username, username, username, username)
	if err != nil {
		return nil, fmt.Errorf("read the records of user %+q: %w", username, err)
	}
	defer rows.Close()
	var out []authoredRecord
	for rows.Next() {
		var r authoredRecord
		if err := rows.Scan(&r.id, &r.stateID); err != nil {
			return nil, fmt.Errorf("read the records of user %+q: %w", username, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the records of user %+q: %w", username, err)
	}
	return out, nil
}

// studentChunk is how many students logAuthored reads the regions of
// with one query: within what either database takes of placeholders.
const studentChunk = 256

// logAuthored logs records as a push that changed them would: each as
// clerks see it, tagged with its student's regions, and each of its
// copies as its district sees it.
func logAuthored(tx Tx, f *feed, records []authoredRecord) error {
	var ids []string
	for _, r := range records {
		ids = append(ids, r.stateID)
	}
	slices.Sort(ids)
	regions := map[string][]string{}
	for chunk := range slices.Chunk(slices.Compact(ids), studentChunk) {
		got, err := students(tx, chunk)
		if err != nil {
			return err
		}
		for id, st := range got {
			if st != nil {
				regions[id] = st.regions
			}
		}
	}
	for _, r := range records {
		if err := logRecord(tx, f, r.id, regions[r.stateID]); err != nil {
			return err
		}
		copies, err := readIDs(tx, `SELECT district_number FROM published WHERE record_id = ? ORDER BY district_number`, r.id)
		if err != nil {
			return fmt.Errorf("read the copies of record %s: %w", r.id, err)
		}
		for _, d := range copies {
			if err := logCopy(tx, f, r.id, d, regions[r.stateID]); err != nil {
				return err
			}
		}
	}
	return nil
}
