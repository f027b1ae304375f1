package hubsql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// PushFunc is a back end's Push.
type PushFunc func(ctx context.Context, u data.User, at sync.Cursor, ms []sync.Mutation) ([]sync.Result, error)

// SetGrant grants or revokes report access as a mutation pushed by admin,
// so the command line and a district administrator's workstation take the
// same path: the access rule, the audit log and the change feed.
func SetGrant(ctx context.Context, push PushFunc, admin data.User, username, district string, grant bool) error {
	op := sync.OpGrant
	if !grant {
		op = sync.OpRevoke
	}
	payload, err := json.Marshal(sync.Grant{Username: username, District: district})
	if err != nil {
		return err
	}
	res, err := push(ctx, admin, sync.Cursor{}, []sync.Mutation{{ID: uuid.NewString(), Entity: sync.EntityGrant,
		EntityID: sync.GrantID(username, district), Op: op, Payload: payload, CreatedAt: time.Now().UTC().Format(time.RFC3339)}})
	if err != nil {
		return err
	}
	switch {
	case res[0].Outcome == sync.Rejected:
		return errors.New(res[0].Reason)
	case res[0].Reason != "":
		return fmt.Errorf("%w: %s", hub.ErrUnchanged, res[0].Reason)
	}
	return nil
}
