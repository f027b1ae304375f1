package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

func init() {
	commands["audit"] = command{
		usage: "audit verify --db F",
		run:   runAudit,
	}
}

// runAudit checks a database's audit log: each row's hash against its
// contents and the row before it, the rows at its end, and the triggers
// that keep it append-only. It exits non-zero naming the first row that
// does not hold.
func runAudit(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit: say what to do: migrantdeskctl audit verify --db F")
	}
	fs, db := newFlags("audit verify")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit verify: unexpected argument %q", fs.Arg(0))
	}
	// store.Open would make an empty database of a mistyped path.
	if _, err := os.Stat(*db); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit verify: there is no database at %s; name it with --db FILE", *db)
	} else if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	st, err := openStore(*db)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	defer st.Close()
	c, err := st.VerifyAudit(context.Background())
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if c.OK() {
		fmt.Fprintf(out, "The audit log of %s holds: %d rows, each chained to the one before, and its triggers are in place.\n", *db, c.Rows)
		return nil
	}
	for _, p := range c.Problems {
		fmt.Fprintln(out, p)
	}
	return fmt.Errorf("audit verify: the audit log of %s was tampered with: %s", *db, c.Problems[0])
}
