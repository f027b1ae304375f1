package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// audit appends one row to the audit log inside the caller's transaction,
// so the log holds exactly the changes that committed. The row's hash
// chains it to the last row; the writer's transaction holds the write
// lock, so no other row can come between.
func (s *Store) audit(tx *sql.Tx, user, action, entity, id, before, after string) error {
	_, _, err := s.auditRow(tx, user, action, entity, id, before, after)
	return err
}

// auditRow is audit, returning the row written and its hash.
func (s *Store) auditRow(tx *sql.Tx, user, action, entity, id, before, after string) (data.AuditRow, string, error) {
	last, prev := s.head.seq, s.head.hash
	if s.head.tx != tx {
		err := tx.QueryRow(`SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
		if errors.Is(err, sql.ErrNoRows) {
			last, prev = 0, ""
		} else if err != nil {
			return data.AuditRow{}, "", fmt.Errorf("read the end of the audit log: %w", err)
		}
	}
	r := data.AuditRow{Seq: last + 1, At: s.timestamp(), User: user, Action: action,
		Entity: entity, EntityID: id, Before: before, After: after}
	h := data.AuditHash(prev, r)
	_, err := tx.Exec(`INSERT INTO audit(seq, at, username, action, entity, entity_id, before, after, hash)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Seq, r.At, r.User, r.Action, r.Entity, r.EntityID,
		r.Before, r.After, h)
	if err != nil {
		return data.AuditRow{}, "", fmt.Errorf("write the audit log: %w", err)
	}
	s.head = auditHead{tx: tx, seq: r.Seq, hash: h}
	return r, h, nil
}

// metaAuditHead is the meta key holding the audit log's last row as
// "SEQ HASH", which VerifyAudit holds the log's end against.
const metaAuditHead = "audit_head"

// AuditHeadVersion is the schema version (migration 8) from which meta
// keeps the audit log's last row.
const AuditHeadVersion = 8

// keepAuditHead records the log's last row in meta, once per transaction
// rather than per row, in the transaction that wrote it.
func keepAuditHead(tx *sql.Tx, seq int64, hash string) error {
	_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, metaAuditHead, fmt.Sprintf("%d %s", seq, hash))
	if err != nil {
		return fmt.Errorf("write the end of the audit log: %w", err)
	}
	return nil
}

// auditHead is the last audit row a write transaction wrote, so that a
// bulk change (a row per record) need not read it back for each row. It
// holds the transaction itself: no later one can have its address while
// it is cached. Only the goroutine holding the writer's one connection
// touches it.
type auditHead struct {
	tx   *sql.Tx
	seq  int64
	hash string
}

// auditTriggers keep the audit log append-only. A REPLACE over a row
// deletes it through conflict resolution, which fires no DELETE trigger
// (recursive_triggers is off), so audit_no_replace refuses an insert
// whose seq is taken before the conflict is resolved. VerifyAudit checks
// that each is there with this text.
var auditTriggers = []struct{ name, sql string }{
	{"audit_no_update", `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`},
	{"audit_no_delete", `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`},
	{"audit_no_replace", `CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a row cannot be replaced'); END`},
}

// hashAuditRows is migration 5's work: the hash of every row already in
// the log, in order, then the triggers. It reads in batches so that a
// long log is not held in memory at once.
func hashAuditRows(tx *sql.Tx) error {
	var chain data.AuditChain
	for {
		after, prev := chain.Last()
		rows, err := tx.Query(`SELECT seq, at, username, action, entity, entity_id, before, after
			FROM audit WHERE seq > ? ORDER BY seq LIMIT 1000`, after)
		if err != nil {
			return fmt.Errorf("read the audit log: %w", err)
		}
		batch, err := scanAuditRows(rows)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			h := data.AuditHash(prev, r)
			if _, err := tx.Exec(`UPDATE audit SET hash = ? WHERE seq = ?`, h, r.Seq); err != nil {
				return fmt.Errorf("hash audit row %d: %w", r.Seq, err)
			}
			if err := chain.Check(r, h); err != nil {
				return err
			}
			prev = h
		}
	}
	for _, t := range auditTriggers {
		if _, err := tx.Exec(t.sql); err != nil {
			return fmt.Errorf("create trigger %s: %w", t.name, err)
		}
	}
	return nil
}

func scanAuditRows(rows *sql.Rows) ([]data.AuditRow, error) {
	defer rows.Close()
	var out []data.AuditRow
	for rows.Next() {
		var r data.AuditRow
		if err := rows.Scan(&r.Seq, &r.At, &r.User, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After); err != nil {
			return nil, fmt.Errorf("read the audit log: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	return out, nil
}

// AuditCheck is what VerifyAudit found.
type AuditCheck struct {
	Rows     int64            // rows whose hash held
	Break    *data.AuditBreak // the first row that does not hold, if any
	Problems []string         // every finding, as sentences, the break first
}

// OK reports whether the log is as the program wrote it.
func (c AuditCheck) OK() bool { return len(c.Problems) == 0 }

// VerifyAudit checks the audit log: every row's hash against its contents
// and the row before it, that no rows were cut off the end, and that the
// triggers keeping it append-only are there unchanged. It reads one
// snapshot, beside any writer.
//
// The hash is not keyed: someone who rewrites the whole chain with this
// program's code goes unnoticed here. What it catches is a row changed,
// removed or replaced with a database tool, and a trigger dropped.
//
// The end of the log is the weak point. Rows cut off the end leave no row
// after them whose hash breaks: all that shows them is sqlite_sequence's
// last number and the last row kept in meta (audit_head). Someone with a
// database tool who drops audit_no_delete, deletes the last rows, lowers
// sqlite_sequence, sets audit_head to the new last row and recreates the
// trigger as it was goes unnoticed here. Only a copy of the chain kept
// elsewhere (the hub's) can show that.
func (s *Store) VerifyAudit(ctx context.Context) (AuditCheck, error) {
	var c AuditCheck
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = verifyAudit(ctx, tx, true)
		return err
	})
	return c, err
}

// AuditChainVersion is the schema version from which audit rows carry
// their hash (migration 5).
const AuditChainVersion = 5

// PreChainError is a database whose schema is older than the hash chain:
// its audit rows carry no hash, so nothing in them can be checked. The
// migration hashes the rows as they are then, changed or not.
type PreChainError struct {
	Path    string
	Version int
}

func (e *PreChainError) Error() string {
	return fmt.Sprintf("the audit log of %s predates the hash chain (schema %d): nothing to verify before migration", e.Path, e.Version)
}

// VerifyAuditFile is VerifyAudit on the database at path opened read-only:
// no migration, no change of permissions, no file made, so that a copy
// on read-only media can be checked and a database from before the hash
// chain is not hashed (and so blessed) first. That database gives a
// *PreChainError.
func VerifyAuditFile(ctx context.Context, path string) (AuditCheck, error) {
	if _, err := os.Stat(path); err != nil {
		return AuditCheck{}, fmt.Errorf("open database %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return AuditCheck{}, fmt.Errorf("open database %s: %w", path, err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return AuditCheck{}, fmt.Errorf("open database %s: %w", path, err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return AuditCheck{}, schemaError(path, err)
	}
	switch {
	case version == 0:
		return AuditCheck{}, fmt.Errorf("%s is not a Migrant Desk database (it has no schema)", path)
	case version > len(migrations):
		return AuditCheck{}, fmt.Errorf("database %s has schema version %d, newer than this program knows (%d): use a newer Migrant Desk", path, version, len(migrations))
	case version < AuditChainVersion:
		return AuditCheck{}, &PreChainError{Path: path, Version: version}
	}
	return verifyAudit(ctx, tx, version >= AuditHeadVersion)
}

// metaAuditChecked is the meta key of the start check's mark: "SEQ HASH
// DAY", the last row found to hold and the day (YYYY-MM-DD, local) of
// the last check of the whole log.
const metaAuditChecked = "audit_checked"

// VerifyAuditAtStart is VerifyAudit as the app runs it at every start:
// the whole log once a day, and otherwise only the rows written since
// the last check, chained from the row that check ended on (checked
// again, so a change to it shows). A clerk's log grows by every
// save for years; reading all of it at each start would make the start
// grow with it, while a change to an old row still shows by the next
// day, and at once in `migrantdeskctl audit verify`, which reads all.
func (s *Store) VerifyAuditAtStart(ctx context.Context) (AuditCheck, error) {
	today := s.now().Format(time.DateOnly)
	var c AuditCheck
	var mark string
	err := s.read(ctx, func(tx *sql.Tx) error {
		chain, day, err := startCheckFrom(ctx, tx, today)
		if err != nil {
			return err
		}
		if c, err = verifyAuditFrom(ctx, tx, true, &chain); err != nil {
			return err
		}
		last, hash := chain.Last()
		mark = fmt.Sprintf("%d %s %s", last, hash, day)
		return nil
	})
	if err != nil || !c.OK() {
		return c, err
	}
	if err := s.write(ctx, func(tx *sql.Tx) error { return setMeta(tx, metaAuditChecked, mark) }); err != nil {
		return c, fmt.Errorf("keep the audit check's mark: %w", err)
	}
	return c, nil
}

// startCheckFrom is where the start check begins: after the row the last
// check ended on, when that check was today's and the row still has the
// hash it had; else at the start (a check of the whole log, dated today).
// day is the date of the whole log's last check.
func startCheckFrom(ctx context.Context, tx *sql.Tx, today string) (chain data.AuditChain, day string, err error) {
	var mark string
	err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaAuditChecked).Scan(&mark)
	if errors.Is(err, sql.ErrNoRows) {
		return chain, today, nil
	}
	if err != nil {
		return chain, "", fmt.Errorf("read the audit check's mark: %w", err)
	}
	f := strings.Fields(mark)
	if len(f) != 3 || f[2] != today {
		return chain, today, nil
	}
	seq, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return chain, today, nil
	}
	var hash string
	err = tx.QueryRowContext(ctx, `SELECT hash FROM audit WHERE seq = ?`, seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && hash != f[1]) {
		return chain, today, nil
	}
	if err != nil {
		return chain, "", fmt.Errorf("read the audit log: %w", err)
	}
	// The check goes on from the row before the mark, so that the marked
	// row's contents are held against its hash again.
	var before int64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT 1`, seq).Scan(&before, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return chain, today, nil
	}
	if err != nil {
		return chain, "", fmt.Errorf("read the audit log: %w", err)
	}
	return data.AuditChainAfter(before, prev), f[2], nil
}

// verifyAudit is VerifyAudit in tx; headKept says whether the schema keeps
// the log's last row in meta.
func verifyAudit(ctx context.Context, tx *sql.Tx, headKept bool) (AuditCheck, error) {
	var chain data.AuditChain
	return verifyAuditFrom(ctx, tx, headKept, &chain)
}

// verifyAuditFrom is verifyAudit of the rows after chain's last, which it
// takes on to the last row that holds.
func verifyAuditFrom(ctx context.Context, tx *sql.Tx, headKept bool, chain *data.AuditChain) (AuditCheck, error) {
	var c AuditCheck
	after, _ := chain.Last()
	rows, err := tx.QueryContext(ctx, `SELECT seq, at, username, action, entity, entity_id, before, after, hash
		FROM audit WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return c, fmt.Errorf("read the audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r data.AuditRow
		var h string
		if err := rows.Scan(&r.Seq, &r.At, &r.User, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After, &h); err != nil {
			return c, fmt.Errorf("read the audit log: %w", err)
		}
		if err := chain.Check(r, h); err != nil {
			c.Break = err.(*data.AuditBreak)
			c.Problems = append(c.Problems, err.Error())
			break
		}
		c.Rows++
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("read the audit log: %w", err)
	}
	rows.Close()
	if c.Break == nil {
		last, _ := chain.Last()
		var issued int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)`).Scan(&issued)
		if err != nil {
			return c, fmt.Errorf("read the audit log's last number: %w", err)
		}
		if issued > last {
			c.Problems = append(c.Problems, fmt.Sprintf("audit rows %d to %d, the last ones written, were deleted", last+1, issued))
		} else if headKept {
			p, err := checkAuditHead(ctx, tx, *chain)
			if err != nil {
				return c, err
			}
			if p != "" {
				c.Problems = append(c.Problems, p)
			}
		}
	}
	missing, err := missingAuditTriggers(ctx, tx)
	c.Problems = append(c.Problems, missing...)
	return c, err
}

// checkAuditHead compares the last row checked with the one meta keeps,
// and says how they differ ("" when they agree).
func checkAuditHead(ctx context.Context, tx *sql.Tx, chain data.AuditChain) (string, error) {
	last, hash := chain.Last()
	var kept string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaAuditHead).Scan(&kept)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if last == 0 {
			return "", nil
		}
		return "the record of the audit log's last row is missing from meta: rows may have been cut off the end", nil
	case err != nil:
		return "", fmt.Errorf("read the record of the audit log's last row: %w", err)
	}
	seqText, keptHash, _ := strings.Cut(kept, " ")
	keptSeq, err := strconv.ParseInt(seqText, 10, 64)
	switch {
	case err != nil:
		return fmt.Sprintf("the record of the audit log's last row was changed: %q is not a row number and hash", kept), nil
	case keptSeq > last:
		return fmt.Sprintf("audit rows %d to %d, the last ones written, were deleted (meta records row %d as the last)", last+1, keptSeq, keptSeq), nil
	case keptSeq != last || keptHash != hash:
		return fmt.Sprintf("the audit log's last row %d is not the one meta records (row %d): the log or that record was changed", last, keptSeq), nil
	}
	return "", nil
}

// missingAuditTriggers names each of auditTriggers that is gone or was
// replaced by another of its name, and any other trigger on the log.
func missingAuditTriggers(ctx context.Context, tx *sql.Tx) ([]string, error) {
	have := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'`)
	if err != nil {
		return nil, fmt.Errorf("read the audit log's triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			return nil, fmt.Errorf("read the audit log's triggers: %w", err)
		}
		have[name] = text
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit log's triggers: %w", err)
	}
	var out []string
	for _, t := range auditTriggers {
		text, ok := have[t.name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("trigger %s is missing: the audit log can be changed", t.name))
		case strings.Join(strings.Fields(text), " ") != strings.Join(strings.Fields(t.sql), " "):
			out = append(out, fmt.Sprintf("trigger %s was replaced: the audit log may be changed", t.name))
		}
		delete(have, t.name)
	}
	// Another trigger could drop or rewrite rows as they are written
	// (RAISE(IGNORE)), which no hash would show.
	others := slices.Sorted(maps.Keys(have))
	for _, name := range others {
		out = append(out, fmt.Sprintf("trigger %s on the audit log is not Migrant Desk's: it may keep rows from being written", name))
	}
	return out, nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	Seq                                int64
	At, User, Action, Entity, EntityID string
	Before, After                      string
}

// Audit returns the audit rows about one entity (all of them when id is
// ""), newest first.
func (s *Store) Audit(ctx context.Context, entity, id string) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at, username, action, entity, entity_id, before, after
		FROM audit WHERE entity = ? AND (? = '' OR entity_id = ?) ORDER BY seq DESC`, entity, id, id)
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		if err := rows.Scan(&a.Seq, &a.At, &a.User, &a.Action, &a.Entity, &a.EntityID, &a.Before, &a.After); err != nil {
			return nil, fmt.Errorf("read the audit log: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ExportAudit records that a report holding data left the program: an
// export is logged as started before its first byte is written and as
// completed once the file has its name, so every file on disk has a row.
type ExportAudit struct {
	Report    string // "QA Migrant detail", "QA Migrant aggregated"
	District  string
	Period    string
	Rows      int
	File      string
	Encrypted bool
	// Encryption says how, when Encrypted: what the reader of the log
	// needs to judge what the file's password protects.
	Encryption string `json:",omitempty"`
	Stage      string // ExportStarted or ExportCompleted
}

// Stages of an export in the audit log.
const (
	ExportStarted   = "started"
	ExportCompleted = "completed"
)

// AuditExport writes an export to the audit log, as action "export".
func (s *Store) AuditExport(ctx context.Context, user string, e ExportAudit) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		r, hash, err := s.auditRow(tx, user, "export", "report", e.District, "", string(body))
		if err != nil {
			return err
		}
		// The state keeps every PII export in the hub's log too: the row
		// travels with the outbox, once, whatever the sync retries.
		row := sync.AuditRow{Seq: r.Seq, Hash: hash, At: r.At, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
			Before: r.Before, After: r.After}
		row.After, err = fitExport(row, e)
		if err != nil {
			return err
		}
		return s.enqueue(tx, sync.EntityAudit, hash, sync.OpAppend, 0, row)
	})
}

// fitExport is the export as the hub's copy of its audit row carries it:
// whole when the row fits in a change the hub takes (sync.MaxPayload),
// else with the file's path cut to its end (the file's name and the
// folders nearest it), as much as fits. A path of thousands of
// characters, folders in folders, made a change the hub refused; this
// log keeps the path whole.
func fitExport(row sync.AuditRow, e ExportAudit) (string, error) {
	path := e.File
	for {
		body, err := json.Marshal(row)
		if err != nil {
			return "", err
		}
		over := len(body) - sync.MaxPayload
		if over <= 0 {
			return row.After, nil
		}
		if path == "" {
			return "", fmt.Errorf("the audit row of the export is %d bytes, more than the %d the hub takes", len(body), sync.MaxPayload)
		}
		// What is over and room for the mark, cut on a character's edge;
		// JSON may write a character in more bytes than it has, so the
		// row is measured again.
		cut := min(len(path), over+len("…"))
		for cut < len(path) && !utf8.RuneStart(path[cut]) {
			cut++
		}
		path = path[cut:]
		e.File = "…" + path
		after, err := json.Marshal(e)
		if err != nil {
			return "", err
		}
		row.After = string(after)
	}
}

// ExportFiles are the files the latest exports wrote (the last 1,000
// audit rows of exports), each once, newest first: beside them a killed
// export may have left a partial file.
func (s *Store) ExportFiles(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT after FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("read the exports in the audit log: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read the exports in the audit log: %w", err)
		}
		var e ExportAudit
		if json.Unmarshal([]byte(body), &e) != nil || !filepath.IsAbs(e.File) {
			continue
		}
		if f := filepath.Clean(e.File); !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the exports in the audit log: %w", err)
	}
	return out, nil
}
