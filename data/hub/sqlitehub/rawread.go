package sqlitehub

import (
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/store"
)

var _ hubsql.TextReader = (*sqliteTx)(nil)

// ReadText reads a snapshot's rows through the SQLite handle of a pull's
// connection (store.ReadText), inside its transaction; a transaction not
// begun on a connection held for it reads through database/sql.
func (t *sqliteTx) ReadText(q string, args []any, cols int, got func([]string) error) (bool, error) {
	if t.conn == nil {
		return false, nil
	}
	return store.ReadText(t.ctx, t.conn, q, args, cols, got)
}
