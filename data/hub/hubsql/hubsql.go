// Package hubsql is the hub's storage logic — applying pushed mutations
// with data/'s access and record rules, the change feed with its scope
// tags, and the pages a pull reads — written once, in the SQL that SQLite
// and PostgreSQL both speak. The back ends (sqlitehub, pghub) own their
// connections, transactions and isolation, and run these functions inside
// the transaction they open; so a rule lives in one place and both back
// ends pass hubtest by construction, not by two ports kept in step.
//
// The SQL here keeps to the common ground: ? placeholders (a back end whose
// driver numbers them rewrites them), ON CONFLICT and RETURNING, CAST(x AS
// TEXT), integer flags (0/1) rather than booleans, TRUE for an empty
// condition.
package hubsql

// Tx is the open transaction of a back end that the functions of this
// package read and write through. A row not found is an error for which
// errors.Is(err, sql.ErrNoRows) holds.
type Tx interface {
	Exec(query string, args ...any) error
	Query(query string, args ...any) (Rows, error)
	QueryRow(query string, args ...any) Row
}

// Rows is the result of Tx.Query.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the result of Tx.QueryRow.
type Row interface {
	Scan(dest ...any) error
}
