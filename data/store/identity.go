package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"migrantdesk/data"
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
// offline.
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
