package hubsql

// Read is one query of a batch of reads (readAll) and the function that
// takes each row it returns.
type Read struct {
	Query string
	Args  []any
	Row   func(Rows) error
}

// Batcher is a Tx that sends several reads to the database at once. A
// push reads what its rules need with half a dozen queries that do not
// depend on each other; on PostgreSQL each alone was a round trip made
// holding the feed lock, which every other push of every hub process
// waited behind.
type Batcher interface {
	// ReadAll runs the reads in order and hands each row to its Row.
	ReadAll(reads []Read) error
}

// readAll runs the reads in order, all at once where tx is a Batcher.
func readAll(tx Tx, reads ...Read) error {
	if b, ok := tx.(Batcher); ok {
		return b.ReadAll(reads)
	}
	for _, r := range reads {
		if err := readEach(tx, r); err != nil {
			return err
		}
	}
	return nil
}

// readEach runs one read.
func readEach(tx Tx, r Read) error {
	rows, err := tx.Query(r.Query, r.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := r.Row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
