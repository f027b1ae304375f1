package hubsql

import (
	"fmt"
	"slices"

	"migrantdesk/data/hub"
)

// SaveAccount saves a hub account inside tx, the back end's write
// transaction (which excludes the audit log's other writers): the user,
// their districts, the password when one is given (an empty one keeps
// the old) and whether the account is disabled, audited as actor at
// now, and logs the user for every workstation (LogUser, the districts
// taken away among them). In one transaction, a failure leaves the
// account as it was, and a retry logs what the first attempt would have.
func SaveAccount(tx Tx, actor string, a hub.Account, now string) error {
	u := a.User
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
				return fmt.Errorf("save user %s: there is no district %s in the state's extract", u.Username, d)
			}
		}
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
		fmt.Sprintf("%s %s%s%s %v", u.Role, u.FullName, u.RegionCode, u.DistrictNumber, u.Districts)); err != nil {
		return err
	}
	if err := log.Flush(); err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO hub_accounts(username, password_hash, disabled) VALUES(?, ?, ?)
		ON CONFLICT(username) DO UPDATE SET
			password_hash = CASE excluded.password_hash WHEN '' THEN hub_accounts.password_hash ELSE excluded.password_hash END,
			disabled = excluded.disabled`, u.Username, a.PasswordHash, flag(a.Disabled)); err != nil {
		return fmt.Errorf("save the password of %s: %w", u.Username, err)
	}
	return LogUser(tx, u.Username, before)
}
