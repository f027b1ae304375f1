package hubsql

// Read is one query of a batch of reads (readAll) and the function that
// takes each row it returns.
type Read struct {
	Query string
	Args  []any
	Row   func(Rows) error
	// Text, where set, takes each row as its Cols columns of text, as a
	// TextReader reads them; Row then takes the rows a TextReader could
	// not read.
	Cols int
	Text func(vals []string) error
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
	tr, _ := tx.(TextReader)
	for _, r := range reads {
		if tr != nil && r.Text != nil {
			read, err := tr.ReadText(r.Query, r.Args, r.Cols, r.Text)
			if err != nil {
				return err
			}
			if read {
				continue
			}
		}
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

// TextReader is a Tx that can read rows of text columns through its
// database's own calls. A snapshot reads a region's million rows, ten
// million values: through database/sql and a driver each value was a
// few calls under the connection's lock, a conversion and an allocation
// of its own, a quarter of the hub's time for a first sync.
type TextReader interface {
	// ReadText runs q with args and hands got each row's columns, of
	// which q must select cols, as text (the strings are got's to keep).
	// It reports false, having read nothing, when it cannot run q so
	// (an argument of a kind it does not bind, or a connection that
	// does not show its handle): the caller reads through Query then.
	ReadText(q string, args []any, cols int, got func(vals []string) error) (bool, error)
}
