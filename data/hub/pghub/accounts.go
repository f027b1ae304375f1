package pghub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubsql"
)

// accountQuery reads accounts: users, their districts, and what only the
// hub keeps of them.
const accountQuery = `SELECT u.username, u.full_name, u.role, u.region_code, u.district_number, u.email,
		coalesce(a.password_hash, ''), coalesce(a.disabled, 0) <> 0,
		coalesce((SELECT array_agg(d.district_number ORDER BY d.district_number) FROM user_districts d
			WHERE d.username = u.username), '{}')
	FROM users u LEFT JOIN hub_accounts a ON a.username = u.username`

func scanAccount(row pgx.Row) (hub.Account, error) {
	var a hub.Account
	err := row.Scan(&a.Username, &a.FullName, &a.Role, &a.RegionCode, &a.DistrictNumber, &a.Email,
		&a.PasswordHash, &a.Disabled, &a.Districts)
	if len(a.Districts) == 0 {
		a.Districts = nil
	}
	return a, err
}

// Account returns one account.
func (h *DB) Account(ctx context.Context, username string) (hub.Account, error) {
	a, err := scanAccount(h.pool.QueryRow(ctx, accountQuery+` WHERE u.username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return hub.Account{}, fmt.Errorf("%w: %s", hub.ErrNoAccount, username)
	}
	if err != nil {
		return hub.Account{}, fmt.Errorf("read account %s: %w", username, err)
	}
	return a, nil
}

// Accounts lists every account, by full name and user name.
func (h *DB) Accounts(ctx context.Context) ([]hub.Account, error) {
	rows, err := h.pool.Query(ctx, accountQuery+` ORDER BY u.full_name, u.username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Account, error) { return scanAccount(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SaveAccount saves the user, their districts and (when given) password
// in one transaction, audited as actor, and logs the user for every
// workstation.
func (h *DB) SaveAccount(ctx context.Context, actor string, a hub.Account) error {
	return h.write(ctx, func(tx pgx.Tx) error {
		ptx := newTx(ctx, tx)
		if err := hubsql.SaveAccount(ptx, actor, a, stamp(time.Now())); err != nil {
			return err
		}
		return ptx.flush()
	})
}

// SetPassword replaces a password and ends the user's sign-ins, audited
// (hubsql.SetPassword).
func (h *DB) SetPassword(ctx context.Context, actor, username, hash string) error {
	return h.account(ctx, func(tx hubsql.Tx, now string) error { return hubsql.SetPassword(tx, actor, username, hash, now) })
}

// Disable stops an account from signing in and ends its sign-ins,
// audited (hubsql.Disable).
func (h *DB) Disable(ctx context.Context, actor, username string) error {
	return h.account(ctx, func(tx hubsql.Tx, now string) error { return hubsql.Disable(tx, actor, username, now) })
}

// Enable lets a disabled account sign in again, audited (hubsql.Enable).
func (h *DB) Enable(ctx context.Context, actor, username string) error {
	return h.account(ctx, func(tx hubsql.Tx, now string) error { return hubsql.Enable(tx, actor, username, now) })
}

// account runs change in one write transaction, which holds the feed
// lock the audit log's appends need.
func (h *DB) account(ctx context.Context, change func(tx hubsql.Tx, now string) error) error {
	return h.write(ctx, func(tx pgx.Tx) error {
		ptx := newTx(ctx, tx)
		if err := change(ptx, stamp(time.Now())); err != nil {
			return err
		}
		return ptx.flush()
	})
}

// SetGrant grants or revokes report access as a mutation pushed by admin.
func (h *DB) SetGrant(ctx context.Context, admin data.User, username, district string, grant bool) error {
	return hubsql.SetGrant(ctx, h.Push, admin, username, district, grant)
}

// SaveToken keeps a sign-in token's hash; expired tokens are swept then.
func (h *DB) SaveToken(ctx context.Context, hash, username string, expires time.Time) error {
	return pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM hub_tokens WHERE expires_at < $1`, stamp(time.Now())); err != nil {
			return fmt.Errorf("sweep expired sign-ins: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO hub_tokens(hash, username, expires_at) VALUES($1, $2, $3)`,
			hash, username, stamp(expires)); err != nil {
			return fmt.Errorf("save the sign-in of %s: %w", username, err)
		}
		return nil
	})
}

// ReportGrants lists the districts whose report username may run.
func (h *DB) ReportGrants(ctx context.Context, username string) ([]string, error) {
	rows, err := h.pool.Query(ctx, `SELECT district_number FROM report_grants WHERE username = $1 ORDER BY district_number`, username)
	if err != nil {
		return nil, fmt.Errorf("read the report grants of %s: %w", username, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read the report grants of %s: %w", username, err)
	}
	return out, nil
}

// TokenAccount returns the account a live token signs in.
func (h *DB) TokenAccount(ctx context.Context, hash string, now time.Time) (hub.Account, error) {
	a, err := scanAccount(h.pool.QueryRow(ctx, accountQuery+`
		JOIN hub_tokens t ON t.username = u.username
		WHERE t.hash = $1 AND t.expires_at > $2 AND a.disabled = 0`, hash, stamp(now)))
	if errors.Is(err, pgx.ErrNoRows) {
		return hub.Account{}, hub.ErrNoToken
	}
	if err != nil {
		return hub.Account{}, fmt.Errorf("check a sign-in: %w", err)
	}
	return a, nil
}

// DeleteToken ends one sign-in.
func (h *DB) DeleteToken(ctx context.Context, hash string) error {
	if _, err := h.pool.Exec(ctx, `DELETE FROM hub_tokens WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("end a sign-in: %w", err)
	}
	return nil
}

// ActiveTokens counts the sign-ins not expired at now, for the hub's
// metrics, while pulls hold the pool too.
func (h *DB) ActiveTokens(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := h.aside(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT count(*) FROM hub_tokens WHERE expires_at > $1`, stamp(now)).Scan(&n)
	})
	return n, err
}

// audit appends one row to the audit log inside tx, chained to the row
// before it. It takes the feed lock first (again, for a caller inside
// write: PostgreSQL stacks a transaction's advisory locks), since the
// chain needs its appends one at a time across every hub process.
func audit(ctx context.Context, tx pgx.Tx, user, action, entity, id, after string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, feedLock); err != nil {
		return fmt.Errorf("wait for the hub's other writers: %w", err)
	}
	ptx := newTx(ctx, tx)
	log := hubsql.NewAuditLog(ptx)
	if err := log.Append(stamp(time.Now()), user, action, entity, id, "", after); err != nil {
		return err
	}
	if err := log.Flush(); err != nil {
		return err
	}
	return ptx.flush()
}

// flag is a boolean as the schema's integer flags hold it.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// VerifyAudit checks the hub's audit log from one snapshot: each row's
// hash against the rows before it (hubsql.VerifyAudit). It returns how
// many rows held.
func (h *DB) VerifyAudit(ctx context.Context) (int64, error) {
	var n int64
	err := h.read(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = hubsql.VerifyAudit(newTx(ctx, tx))
		return err
	})
	return n, err
}
