package sqlitehub

import (
	"context"
	"testing"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/sync"
)

// TestGrantLeftBehindGoesWhenItsHolderComesBack: a hub older than the
// rule that grants go with the district left a coordinator's grant in
// place when she moved to another district. Moved back, she does not
// hold the report by it: the grant goes, as if it had gone when she left.
func TestGrantLeftBehindGoesWhenItsHolderComesBack(t *testing.T) {
	st := hubtest.Setup(t, open)
	ctx := context.Background()
	res, err := st.Push(ctx, hubtest.DAdmin001, sync.Cursor{}, []sync.Mutation{hubtest.GrantMutation(sync.OpGrant, hubtest.Coord001.Username, "001")})
	if err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("grant: %+v %v", res, err)
	}
	// What the older hub left: cora moved to 003, her grant of 001 kept.
	h := st.(*DB)
	for _, q := range []string{
		`DELETE FROM user_districts WHERE username = 'cora'`,
		`INSERT INTO user_districts(username, district_number) VALUES('cora', '003')`,
	} {
		if _, err := h.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveAccount(ctx, hubtest.Admin.Username, hub.Account{User: hubtest.Coord001}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := h.db.QueryRow(`SELECT count(*) FROM report_grants WHERE username = 'cora' AND district_number = '001'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("moved back into district 001, cora holds its report by the grant she had before she left (%d, %v)", n, err)
	}
}
