package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
)

// Meta keys of a workstation that syncs with a hub.
const (
	metaHubURL      = "hub_url"
	metaHubName     = "hub_name"
	metaHubUser     = "hub_user"
	metaHubVerifier = "hub_verifier"
)

// Identity is who a workstation's database belongs to once it has synced:
// the hub it syncs with (its address, and its name for its database,
// client.Client.Hub), the user who last signed in there, and a verifier
// of their password (an Argon2id hash), so that they can open the app
// offline. A Verifier of "" is one forgotten (ForgetRefused): the user
// signs in with the hub alone until it accepts them again.
type Identity struct {
	HubURL   string
	Hub      string
	User     data.User
	Verifier string
}

// SetIdentity records who signed in to which hub.
func (s *Store) SetIdentity(ctx context.Context, id Identity) error {
	user, err := json.Marshal(id.User)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		meta := map[string]string{metaHubURL: id.HubURL, metaHubName: id.Hub, metaHubUser: string(user), metaHubVerifier: id.Verifier}
		for k, v := range meta {
			if err := setMeta(tx, k, v); err != nil {
				return fmt.Errorf("remember the hub's sign-in: %w", err)
			}
		}
		return nil
	})
}

// Identity returns who last synced this database; ok is false for a
// database that has never synced (a standalone or demo database).
func (s *Store) Identity(ctx context.Context) (id Identity, ok bool, err error) {
	if id.HubURL, err = s.Meta(ctx, metaHubURL); err != nil || id.HubURL == "" {
		return id, false, err
	}
	user, err := s.Meta(ctx, metaHubUser)
	if err != nil {
		return id, false, err
	}
	if err := json.Unmarshal([]byte(user), &id.User); err != nil {
		return id, false, fmt.Errorf("read who last synced %s: %w", s.path, err)
	}
	if id.Verifier, err = s.Meta(ctx, metaHubVerifier); err != nil {
		return id, false, err
	}
	if id.Hub, err = s.Meta(ctx, metaHubName); err != nil {
		return id, false, err
	}
	return id, true, nil
}

// ForgetRefused forgets the verifier of the database's identity when it
// accepts the password the database's own hub has just refused (401) for
// the database's user: the hub disabled the account, or its password was
// changed there, and the verifier would otherwise go on signing in
// without the hub a person the hub no longer lets in. The next sign-in
// the hub accepts makes a new verifier. A password the verifier does not
// accept (a typo) tells nothing of the account, and forgets nothing. The
// caller has made sure that the hub that refused is the database's own.
// It reports whether it forgot the verifier.
func (s *Store) ForgetRefused(ctx context.Context, username, password string) (bool, error) {
	id, synced, err := s.Identity(ctx)
	if err != nil || !synced || data.OwnerName(username) != data.OwnerName(id.User.Username) ||
		!argon2id.VerifyPassword(id.Verifier, password) {
		return false, err
	}
	var forgot bool
	err = s.write(ctx, func(tx *sql.Tx) error {
		// Only the verifier checked: a sign-in that succeeded meanwhile
		// (another process on this database) wrote a newer one.
		res, err := tx.ExecContext(ctx, `UPDATE meta SET value = '' WHERE key = ? AND value = ?`, metaHubVerifier, id.Verifier)
		if err != nil {
			return fmt.Errorf("forget the password kept for signing in without the hub: %w", err)
		}
		n, err := res.RowsAffected()
		forgot = n == 1
		return err
	})
	return forgot, err
}
