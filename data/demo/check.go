package demo

import (
	"fmt"

	"migrantdesk/data"
)

// check holds the migrant records and users to the rules the store
// applies, so a mistake in the generator shows here rather than as a
// refused import. The tests check the extract.
func (st *State) check(today data.Date) error {
	birth := make(map[string]data.Date, len(st.Records))
	for _, r := range st.Records {
		birth[r.StateID] = 0
	}
	for _, s := range st.Extract.Students {
		if _, ok := birth[s.StateID]; ok {
			birth[s.StateID] = s.BirthDate
		}
	}
	byStudent := map[string][]data.MigrantRecord{}
	for i, r := range st.Records {
		b := birth[r.StateID]
		if b.IsZero() {
			return fmt.Errorf("migrant record %d: no student %s", i+1, r.StateID)
		}
		if err := data.ValidateRecord(r, b, today); err != nil {
			return fmt.Errorf("migrant record %d of student %s: %w", i+1, r.StateID, err)
		}
		r.ID = fmt.Sprint(i) // CheckOverlap skips a record with its own ID
		if err := data.CheckOverlap(r, byStudent[r.StateID]); err != nil {
			return fmt.Errorf("migrant record %d of student %s: %w", i+1, r.StateID, err)
		}
		byStudent[r.StateID] = append(byStudent[r.StateID], r)
	}
	for _, u := range st.Users {
		if err := u.Validate(); err != nil {
			return err
		}
	}
	return nil
}
