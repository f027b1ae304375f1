package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/store"
)

func init() {
	commands["audit"] = runAudit
}

// runAudit checks a database's audit log: each row's hash against its
// contents and the row before it, the rows at its end, and the triggers
// that keep it append-only. It exits non-zero naming the first row that
// does not hold.
func runAudit(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit: say what to do: migrantdeskctl audit verify --db F")
	}
	fs, db := cli.NewFlags("audit verify")
	pwFile := dbPasswordFlag(fs, "db-password-file")
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit verify: unexpected argument %q", fs.Arg(0))
	}
	if cli.IsPostgres(*db) {
		return verifyHubAudit(*db, *pwFile, out)
	}
	// Read-only: store.Open would make an empty database of a mistyped
	// path, tighten the file's mode, and migrate a database from before
	// the hash chain, hashing (and so blessing) whatever its rows then are.
	c, err := store.VerifyAuditFile(context.Background(), *db)
	var pre *store.PreChainError
	if errors.As(err, &pre) {
		return fmt.Errorf("audit verify: %w; its rows carry no hash, so changes made to them cannot be told", err)
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit verify: there is no database at %s; name it with --db FILE", *db)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if c.OK() {
		fmt.Fprintln(out, auditHolds(*db, c.Rows))
		return nil
	}
	for _, p := range c.Problems {
		fmt.Fprintln(out, p)
	}
	return fmt.Errorf("audit verify: the audit log of %s was tampered with: %s", *db, c.Problems[0])
}

// verifyHubAudit checks the audit log of a PostgreSQL hub, reading it as
// it is (pghub.VerifyAuditAt), and names the database as messages may.
func verifyHubAudit(db, pwFile string, out io.Writer) error {
	pw, err := dbPassword(db, pwFile)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	c, err := pghub.VerifyAuditAt(context.Background(), db, pw)
	if err != nil {
		return fmt.Errorf("audit verify of %s: %w", shownDB(db), passwordRefused(err, db, "--db-password-file", pwFile))
	}
	if c.OK() {
		fmt.Fprintln(out, auditHolds(shownDB(db), c.Rows))
		return nil
	}
	for _, p := range c.Problems {
		fmt.Fprintln(out, p)
	}
	return fmt.Errorf("audit verify: the audit log of %s was tampered with: %s", shownDB(db), c.Problems[0])
}

// auditHolds says that the audit log of db, of rows rows, verified: an
// empty log has no row to be chained.
func auditHolds(db string, rows int64) string {
	if rows == 0 {
		return fmt.Sprintf("The audit log of %s holds no rows yet, and its triggers are in place.", db)
	}
	return fmt.Sprintf("The audit log of %s holds %s, each chained to the one before, and its triggers are in place.", db, data.Count(int(rows), "row"))
}
