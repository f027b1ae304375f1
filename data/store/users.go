package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"migrantdesk/data"
)

// SaveUser adds or replaces a user, audited as done by actor.
func (s *Store) SaveUser(ctx context.Context, actor string, u data.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO users(username, full_name, role, region_code, district_number, email)
			VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET full_name = excluded.full_name,
			role = excluded.role, region_code = excluded.region_code, district_number = excluded.district_number,
			email = excluded.email`, u.Username, u.FullName, u.Role, u.RegionCode, u.DistrictNumber, u.Email)
		if err != nil {
			return fmt.Errorf("save user %s: %w", u.Username, err)
		}
		if _, err := tx.Exec(`DELETE FROM user_districts WHERE username = ?`, u.Username); err != nil {
			return err
		}
		for _, d := range u.Districts {
			if _, err := tx.Exec(`INSERT INTO user_districts(username, district_number) VALUES(?, ?)`, u.Username, d); err != nil {
				return fmt.Errorf("give user %s district %s: %w", u.Username, d, err)
			}
		}
		return s.audit(tx, actor, "save", "user", u.Username, "", u.AuditText())
	})
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]data.User, error) {
	var out []data.User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = loadUsers(tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UserByName returns one user.
func (s *Store) UserByName(ctx context.Context, username string) (data.User, error) {
	var u data.User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = userByName(tx, username)
		return err
	})
	return u, err
}

// ErrNoUser is returned for a user name the database does not hold.
var ErrNoUser = errors.New("there is no user")

func userByName(tx *sql.Tx, username string) (data.User, error) {
	us, err := loadUsers(tx, username)
	if err != nil {
		return data.User{}, fmt.Errorf("read user %s: %w", username, err)
	}
	if len(us) == 0 {
		return data.User{}, fmt.Errorf("%w %q", ErrNoUser, username)
	}
	return us[0], nil
}

// loadUsers reads one user, or every user when username is "", by name.
func loadUsers(tx *sql.Tx, username string) ([]data.User, error) {
	rows, err := tx.Query(`SELECT username, full_name, role, region_code, district_number, email FROM users
		WHERE ?1 = '' OR username = ?1 ORDER BY full_name, username`, username)
	if err != nil {
		return nil, err
	}
	var out []data.User
	for rows.Next() {
		var u data.User
		if err := rows.Scan(&u.Username, &u.FullName, &u.Role, &u.RegionCode, &u.DistrictNumber, &u.Email); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Districts, err = userDistricts(tx, out[i].Username); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func userDistricts(tx *sql.Tx, username string) ([]string, error) {
	rows, err := tx.Query(`SELECT district_number FROM user_districts WHERE username = ? ORDER BY district_number`, username)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// asKnown is u as the database has them inside tx, the transaction that
// writes what the access rules decide: the one place the store decides
// who works. A window, a dialog or a command keeps the user it was
// opened for, and the app puts off following a change of access while
// something is open (gui followAccess), but a sync meanwhile may have
// brought the hub's change of their role, region or districts: a change
// decided on the user as the caller had them would be made here and
// refused by the hub later, or published to districts the user no longer
// serves.
//
// A user the database does not have is taken as given on a database that
// has never synced: the person at the computer of a standalone database
// (data.Operator, the demo generator, Work on this computer only), whose
// users no sync changes, and whoever can open the file can change it
// anyway. On a database that syncs with a hub, every workstation holds
// the hub's users, the signed-in one among them, but for a snapshot
// under way (a first sync, or one for a new epoch or scope): it takes
// the users away with the rest and brings them back after the students,
// minutes later for a large region, or at the next sync if it is cut.
// Until then the database's identity, the access the hub gave the user
// at their last sign-in or whole sync, stands for them. Any other user it
// lacks is refused (data.User.Unlisted): the hub renamed or removed the
// account. (A user the hub disabled keeps their row; the hub refuses
// their sign-in, and the changes they go on making wait in the outbox.)
func asKnown(tx *sql.Tx, u data.User) (data.User, error) {
	if u.Username != "" { // loadUsers reads everyone for ""
		switch known, err := userByName(tx, u.Username); {
		case err == nil:
			return known, nil
		case !errors.Is(err, ErrNoUser):
			return u, fmt.Errorf("read the access of %s: %w", u.Username, err)
		}
	}
	var hub string
	switch err := tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, metaHubURL).Scan(&hub); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return u, fmt.Errorf("read whether this database syncs with a hub: %w", err)
	}
	if hub == "" {
		return u, nil
	}
	var arriving bool
	var owner string
	err := tx.QueryRow(snapshotUnderWayQuery, MetaCursor).Scan(&arriving)
	if err == nil && arriving {
		err = tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, metaHubUser).Scan(&owner)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("read who signed in to this database: %w", err)
	}
	if owner != "" {
		var id data.User
		if err := json.Unmarshal([]byte(owner), &id); err != nil {
			return u, fmt.Errorf("read who signed in to this database: %w", err)
		}
		if id.Username == u.Username {
			return id, nil
		}
	}
	return u, u.Unlisted(hub)
}

// decideAs runs decide, inside tx, for u as the database has them
// (asKnown), and says so when it refuses them access that differs from
// what the caller knew (data.AccessChanged). A student or record missing
// after such a change is one the sync took away with the old access
// (data.User.NotHeld), not a mistake of the person.
func decideAs(tx *sql.Tx, u data.User, decide func(now data.User) error) error {
	now, err := asKnown(tx, u)
	if err != nil {
		return err
	}
	err = decide(now)
	if !u.SameAccess(now) && (errors.Is(err, ErrNoStudent) || errors.Is(err, ErrNoRecord)) {
		err = now.NotHeld(err)
	}
	return data.AccessChanged(u, now, err)
}

// writeAs runs fn in a writing transaction for u as the database has them
// there (decideAs): every write of the store that a user decides goes
// through it.
func (s *Store) writeAs(ctx context.Context, u data.User, fn func(tx *sql.Tx, now data.User) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return decideAs(tx, u, func(now data.User) error { return fn(tx, now) })
	})
}
