package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// RecentLimit is how many recently opened students a user's list keeps.
const RecentLimit = 20

// NoteOpened puts a student at the top of username's recently opened
// students, and drops the oldest beyond RecentLimit.
func (s *Store) NoteOpened(ctx context.Context, username, stateID string) error {
	if strings.TrimSpace(username) == "" || strings.TrimSpace(stateID) == "" {
		return fmt.Errorf("note a recently opened student: no user (%q) or student (%q)", username, stateID)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO recent_students(username, state_id, opened)
			VALUES(?1, ?2, (SELECT coalesce(max(opened), 0) + 1 FROM recent_students WHERE username = ?1))
			ON CONFLICT(username, state_id) DO UPDATE SET opened = excluded.opened`, username, stateID); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM recent_students WHERE username = ?1 AND state_id NOT IN
			(SELECT state_id FROM recent_students WHERE username = ?1 ORDER BY opened DESC LIMIT ?2)`, username, RecentLimit)
		return err
	})
	if err != nil {
		return fmt.Errorf("note %s among the students %s opened recently: %w", stateID, username, err)
	}
	return nil
}

// RecentStudents are the students username opened last, newest first,
// each with its current enrollment as a search shows it. A student no
// longer in the database (removed by a re-import or a pull) is left out.
func (s *Store) RecentStudents(ctx context.Context, username string) ([]Result, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state_id FROM recent_students WHERE username = ?
		ORDER BY opened DESC LIMIT ?`, username, RecentLimit)
	if err != nil {
		return nil, fmt.Errorf("read the students %s opened recently: %w", username, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read the students %s opened recently: %w", username, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the students %s opened recently: %w", username, err)
	}
	out := make([]Result, 0, len(ids))
	for _, id := range ids {
		// A state ID searches as a prefix: keep the one student whose ID
		// it is.
		res, err := s.Search(ctx, Query{StateID: id, Limit: 2})
		if err != nil {
			return nil, fmt.Errorf("read the students %s opened recently: %w", username, err)
		}
		for _, r := range res {
			if r.Student.StateID == id {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}
