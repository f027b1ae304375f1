package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestWritePathEnforcesAccess tries every action as every role against
// the store itself, whatever screen would have hidden the button: each
// refusal is a data.ErrAccess that says why, and leaves no row behind.
func TestWritePathEnforcesAccess(t *testing.T) {
	type action func(st *store.Store, u data.User, student string, rec store.Record) error
	ctx := context.Background()
	actions := []struct {
		name string
		do   action
	}{
		{"save", func(st *store.Store, u data.User, student string, _ store.Record) error {
			_, err := st.SaveRecord(ctx, u, storetest.Record(t, student, "77", "2021-01-04", "2022-01-03"))
			return err
		}},
		{"edit", func(st *store.Store, u data.User, _ string, rec store.Record) error {
			edit := rec.MigrantRecord
			edit.MIS2000ID = "78"
			_, err := st.SaveRecord(ctx, u, edit)
			return err
		}},
		{"delete", func(st *store.Store, u data.User, _ string, rec store.Record) error {
			return st.DeleteRecord(ctx, u, rec.ID, rec.Version)
		}},
		{"publish", func(st *store.Store, u data.User, _ string, rec store.Record) error {
			_, err := st.Publish(ctx, u, []string{rec.ID}, nil)
			return err
		}},
		{"import", func(st *store.Store, u data.User, student string, _ store.Record) error {
			_, err := st.ImportRecords(ctx, u, []data.MigrantRecord{storetest.Record(t, student, "79", "2021-01-04", "")}, true)
			return err
		}},
		{"grant", func(st *store.Store, u data.User, _ string, _ store.Record) error {
			return st.SetReportAccess(ctx, u, storetest.Coordinator, "001", true)
		}},
		{"revoke", func(st *store.Store, u data.User, _ string, _ store.Record) error {
			return st.SetReportAccess(ctx, u, storetest.Coordinator, "001", false)
		}},
	}
	const (
		readOnly  = "sees published records read-only"
		elsewhere = "enrolled in the region C only, not in your region W"
		notAdmin  = "only its district administrator can"
	)
	for _, c := range []struct {
		role, user, student string
		// refusals by action, each with what its sentence must say;
		// an action not listed is allowed.
		refused map[string]string
	}{
		{"state administrator", storetest.Admin, storetest.Maria, nil},
		{"clerk of the student's region", storetest.Clerk, storetest.Maria,
			map[string]string{"grant": notAdmin, "revoke": notAdmin}},
		{"clerk of another region", storetest.ClerkWest, storetest.Maria,
			map[string]string{"save": elsewhere, "edit": elsewhere, "delete": elsewhere, "publish": elsewhere, "import": elsewhere,
				"grant": notAdmin, "revoke": notAdmin}},
		{"clerk, student enrolled nowhere", storetest.ClerkWest, storetest.Tomas,
			map[string]string{"grant": notAdmin, "revoke": notAdmin}},
		{"coordinator", storetest.Coordinator, storetest.Maria,
			map[string]string{"save": readOnly, "edit": readOnly, "delete": readOnly, "publish": readOnly, "import": readOnly,
				"grant": notAdmin, "revoke": notAdmin}},
		{"district administrator", storetest.DistrictAdmin, storetest.Maria,
			map[string]string{"save": readOnly, "edit": readOnly, "delete": readOnly, "publish": readOnly, "import": readOnly}},
	} {
		for _, a := range actions {
			t.Run(c.role+"/"+a.name, func(t *testing.T) {
				st := storetest.Open(t)
				admin := storetest.User(storetest.Admin)
				rec, err := st.SaveRecord(ctx, admin, storetest.Record(t, c.student, "76", "2025-09-01", ""))
				if err != nil {
					t.Fatal(err)
				}
				if a.name == "revoke" {
					if err := st.SetReportAccess(ctx, admin, storetest.Coordinator, "001", true); err != nil {
						t.Fatal(err)
					}
				}
				before := storetest.CountRows(t, st)
				err = a.do(st, storetest.User(c.user), c.student, rec)
				why, refused := c.refused[a.name]
				after := storetest.CountRows(t, st)
				switch {
				case !refused && err != nil:
					t.Fatalf("refused: %v", err)
				case !refused && after.Outbox == before.Outbox && !(a.name == "publish" && c.student == storetest.Tomas):
					// (Publishing the record of a student enrolled nowhere
					// is allowed, and skipped: there is no district.)
					t.Fatalf("allowed, but nothing was queued for the hub: %+v", after)
				case refused && !errors.Is(err, data.ErrAccess):
					t.Fatalf("got %v, want a refusal saying %q", err, why)
				case refused && !strings.Contains(err.Error(), why):
					t.Fatalf("the refusal says %q, not why (%q)", err, why)
				case refused && after != before:
					t.Fatalf("a refusal wrote rows: %+v, had %+v", after, before)
				}
			})
		}
	}
}
