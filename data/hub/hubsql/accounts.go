package hubsql

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"migrantdesk/data"
	"migrantdesk/data/hub"
)

// unknownPlace is the error for a user's region or district (kind, of
// the table table) that the hub's extract does not have: before the
// extract is imported, to import it first; after, the regions it has, or
// the district a number typed without its leading zeros ("8" for "008")
// means.
func unknownPlace(tx Tx, username, kind, table, code string) error {
	known, err := readIDs(tx, `SELECT `+placeKey[table]+` FROM `+table+` ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("save user %s: %w", username, err)
	}
	what := fmt.Sprintf("save user %s: there is no %s %s in the state's extract", username, kind, code)
	bare := strings.TrimLeft(code, "0")
	switch {
	case len(known) == 0:
		return fmt.Errorf("%s, which the hub does not hold yet: import the state extract into the hub before adding its clerks and district users", what)
	case table == "regions":
		return fmt.Errorf("%s; its regions are %s", what, strings.Join(known, ", "))
	}
	for _, k := range known {
		if bare != "" && strings.TrimLeft(k, "0") == bare {
			return fmt.Errorf("%s; district numbers are written as the extract writes them: did you mean %s?", what, k)
		}
	}
	return fmt.Errorf("%s; name one of the %d districts of its districts.csv", what, len(known))
}

// placeKey is the key column of each table a user's place is read from.
var placeKey = map[string]string{"regions": "code", "districts": "number"}

// SaveAccount saves a hub account inside tx, the back end's write
// transaction (which excludes the audit log's other writers), under its
// name's clean form (data.CleanUsername): the user, their districts and
// the password when one is given (an empty one keeps the old), audited
// as actor at now, and logs the user for every workstation (LogUser, the
// districts taken away among them). Whether
// the account is disabled is not its to change: a new account is
// enabled, and an existing one stays as it was, so that editing a
// disabled user's name or districts never lets them sign in again. In
// one transaction, a failure leaves the account as it was, and a retry
// logs what the first attempt would have.
func SaveAccount(tx Tx, actor string, a hub.Account, now string) error {
	u := a.User
	name, err := data.CleanUsername(u.Username)
	if err != nil {
		return err
	}
	u.Username = name
	// The full name goes to every workstation and into hub user list's
	// lines: held to the rule of every text from outside.
	if u.FullName, err = data.CleanText(strings.TrimSpace(u.FullName)); err != nil {
		return fmt.Errorf("save user %s: the full name: %w", u.Username, err)
	}
	if err := u.Validate(); err != nil {
		return err
	}
	before, err := UserDistricts(tx, u.Username)
	if err != nil {
		return err
	}
	// Looked up first: a foreign key's refusal, on PostgreSQL, comes back
	// with whichever later read the insert went to the server with.
	wanted := u.Districts
	if u.DistrictNumber != "" {
		wanted = append(wanted[:len(wanted):len(wanted)], u.DistrictNumber)
	}
	if len(wanted) > 0 {
		in, args := inList(wanted)
		known, err := readIDs(tx, `SELECT number FROM districts WHERE number IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("save user %s: %w", u.Username, err)
		}
		for _, d := range wanted {
			if !slices.Contains(known, d) {
				return unknownPlace(tx, u.Username, "district", "districts", d)
			}
		}
	}
	// A clerk sees the students of their region: under a code the extract
	// does not have (a mistyped "c" for "C"), none at all, with no word
	// of why.
	if u.RegionCode != "" {
		known, err := readIDs(tx, `SELECT code FROM regions WHERE code = ?`, u.RegionCode)
		if err != nil {
			return fmt.Errorf("save user %s: %w", u.Username, err)
		}
		if len(known) == 0 {
			return unknownPlace(tx, u.Username, "region", "regions", u.RegionCode)
		}
	}
	switch same, err := unchanged(tx, u, a.PasswordHash); {
	case err != nil:
		return fmt.Errorf("save user %s: %w", u.Username, err)
	case same:
		return fmt.Errorf("%w: user %s is %s already", hub.ErrUnchanged, u.Username, u.AuditText())
	}
	if err := tx.Exec(`INSERT INTO users(username, full_name, role, region_code, district_number, email)
		VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET full_name = excluded.full_name,
		role = excluded.role, region_code = excluded.region_code, district_number = excluded.district_number,
		email = excluded.email`, u.Username, u.FullName, u.Role, u.RegionCode, u.DistrictNumber, u.Email); err != nil {
		return fmt.Errorf("save user %s: %w", u.Username, err)
	}
	if err := tx.Exec(`DELETE FROM user_districts WHERE username = ?`, u.Username); err != nil {
		return fmt.Errorf("save user %s: %w", u.Username, err)
	}
	for _, d := range u.Districts {
		if err := tx.Exec(`INSERT INTO user_districts(username, district_number) VALUES(?, ?)`, u.Username, d); err != nil {
			return fmt.Errorf("give user %s district %s: %w", u.Username, d, err)
		}
	}
	log := NewAuditLog(tx)
	if err := log.Append(now, actor, "save", "user", u.Username, "",
		u.AuditText()); err != nil {
		return err
	}
	if err := dropGrants(tx, log, actor, u, before, now); err != nil {
		return err
	}
	if err := log.Flush(); err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO hub_accounts(username, password_hash) VALUES(?, ?)
		ON CONFLICT(username) DO UPDATE SET
			password_hash = CASE excluded.password_hash WHEN '' THEN hub_accounts.password_hash ELSE excluded.password_hash END`,
		u.Username, a.PasswordHash); err != nil {
		return fmt.Errorf("save the password of %s: %w", u.Username, err)
	}
	return LogUser(tx, u.Username, before)
}

// unchanged reports whether saving u, with the password hash (""
// keeps the one there), would change nothing: the account is there
// under u's name with u's name, email, role and place, and holds no
// report grant that the save would revoke. Such a save writes nothing,
// so that the audit log does not show an operator saving what no one
// changed.
func unchanged(tx Tx, u data.User, hash string) (bool, error) {
	if hash != "" {
		return false, nil
	}
	var accounts int
	if err := tx.QueryRow(`SELECT count(*) FROM hub_accounts WHERE username = ?`, u.Username).Scan(&accounts); err != nil || accounts == 0 {
		return false, err
	}
	old, err := UserNamed(tx, u.Username)
	var rj *rejection
	switch {
	case errors.As(err, &rj):
		return false, nil
	case err != nil:
		return false, err
	case old.FullName != u.FullName || old.Email != u.Email || !old.SameAccess(u):
		return false, nil
	}
	granted, err := readIDs(tx, `SELECT district_number FROM report_grants WHERE username = ?`, u.Username)
	if err != nil {
		return false, err
	}
	return !slices.ContainsFunc(granted, func(d string) bool {
		return u.Role != data.RoleCoordinator || !slices.Contains(u.Districts, d)
	}), nil
}

// dropGrants revokes u's report grants of the districts u is no longer a
// coordinator of, audited as actor and logged for the districts'
// workstations as a revoke is. A grant left behind would come back with
// the district, which its administrator had no say in. A grant is kept
// only for a district u served before the save (before) as well as
// after it: one a hub older than this rule left behind when u moved away
// goes when u comes back, not on with them.
func dropGrants(tx Tx, log *AuditLog, actor string, u data.User, before []string, now string) error {
	granted, err := readIDs(tx, `SELECT district_number FROM report_grants WHERE username = ?`, u.Username)
	if err != nil {
		return fmt.Errorf("read the report grants of %s: %w", u.Username, err)
	}
	var f feed
	for _, d := range granted {
		if u.Role == data.RoleCoordinator && slices.Contains(u.Districts, d) && slices.Contains(before, d) {
			continue
		}
		if err := tx.Exec(`DELETE FROM report_grants WHERE username = ? AND district_number = ?`, u.Username, d); err != nil {
			return fmt.Errorf("revoke the report grant of %s in district %s: %w", u.Username, d, err)
		}
		f.log("report_grants", true, false, map[string]string{"username": u.Username, "district_number": d}, districtTag(d))
		if err := log.Append(now, actor, "revoke report", "user", u.Username, "",
			"QA Migrant report, district "+d+": no longer a coordinator of the district"); err != nil {
			return err
		}
	}
	return f.flush(tx)
}

// SetPassword replaces the password hash of username inside tx, the back
// end's write transaction, and ends the user's sign-ins, audited as actor
// at now: the row says that the password changed, never the hash.
func SetPassword(tx Tx, actor, username, hash, now string) error {
	if _, err := accountDisabled(tx, username); err != nil {
		return err
	}
	return changeAccount(tx, actor, username, now, "change password",
		`UPDATE hub_accounts SET password_hash = ? WHERE username = ?`, hash, username)
}

// Disable stops username from signing in and ends their sign-ins inside
// tx, the back end's write transaction, audited as actor at now; a user
// disabled already is hub.ErrUnchanged.
func Disable(tx Tx, actor, username, now string) error {
	return setDisabled(tx, actor, username, now, true)
}

// Enable lets a disabled username sign in again, with the password it
// had, inside tx, audited as actor at now: the one way back for an
// account disabled by mistake or for a while, whose name its records
// and audit rows keep. A user not disabled is hub.ErrUnchanged, their
// sign-ins untouched.
func Enable(tx Tx, actor, username, now string) error {
	return setDisabled(tx, actor, username, now, false)
}

// setDisabled disables or enables username, unless the account is so
// already: read in the writing transaction, so that two operators doing
// the same at once leave one row in the audit log, not two that each
// claim it.
func setDisabled(tx Tx, actor, username, now string, disable bool) error {
	was, err := accountDisabled(tx, username)
	if err != nil {
		return err
	}
	action, flag := "enable", 0
	if disable {
		action, flag = "disable", 1
	}
	if was == disable {
		return fmt.Errorf("%w: %s is %sd already", hub.ErrUnchanged, username, action)
	}
	return changeAccount(tx, actor, username, now, action, `UPDATE hub_accounts SET disabled = ? WHERE username = ?`, flag, username)
}

// accountDisabled reports whether username is disabled; hub.ErrNoAccount
// for a user the hub does not have.
func accountDisabled(tx Tx, username string) (bool, error) {
	var disabled int
	err := tx.QueryRow(`SELECT coalesce(a.disabled, 0) FROM users u LEFT JOIN hub_accounts a ON a.username = u.username
		WHERE u.username = ?`, username).Scan(&disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("%w: %s", hub.ErrNoAccount, username)
	case err != nil:
		return false, fmt.Errorf("read account %s: %w", username, err)
	}
	return disabled != 0, nil
}

// changeAccount makes update to an existing account, deletes its tokens
// and appends the audit row in one transaction, so that a changed
// password or a disabled user signs nobody in, and the log holds who did
// it whenever it was done.
func changeAccount(tx Tx, actor, username, now, action, update string, args ...any) error {
	if err := tx.Exec(`INSERT INTO hub_accounts(username) VALUES(?) ON CONFLICT(username) DO NOTHING`, username); err != nil {
		return fmt.Errorf("change account %s: %w", username, err)
	}
	if err := tx.Exec(update, args...); err != nil {
		return fmt.Errorf("change account %s: %w", username, err)
	}
	if err := tx.Exec(`DELETE FROM hub_tokens WHERE username = ?`, username); err != nil {
		return fmt.Errorf("end the sign-ins of %s: %w", username, err)
	}
	log := NewAuditLog(tx)
	if err := log.Append(now, actor, action, "user", username, "", ""); err != nil {
		return err
	}
	return log.Flush()
}
