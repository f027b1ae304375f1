// Package sync holds the wire types of the protocol between a workstation
// and the state hub: the mutations a workstation's outbox pushes, the
// hub's answer to each, and the pages of changes a workstation pulls
// after its cursor. It imports no database: the workstation's store, the
// hub and its storage back ends all speak these types.
package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"migrantdesk/data"
)

// ProtocolVersion is the version of this protocol, in the hub's URL paths
// (/v1/...). A hub answers a client of another version with 426 Upgrade
// Required, and the client keeps its outbox until it is updated.
const ProtocolVersion = 1

// Entities a mutation can change.
const (
	EntityRecord = "migrant_record" // a Student Migrant Detail
	EntityGrant  = "report_grant"   // a coordinator's access to a district's QA Migrant report
	EntityAudit  = "audit_row"      // a row of a workstation's audit log the hub keeps too (a PII export)
)

// Operations of a mutation.
const (
	OpCreate  = "create"
	OpUpdate  = "update"
	OpDelete  = "delete"
	OpPublish = "publish"
	OpGrant   = "grant"
	OpRevoke  = "revoke"
	OpAppend  = "append"
)

// ValidOp reports whether op is an operation of entity.
func ValidOp(entity, op string) bool {
	switch entity {
	case EntityRecord:
		return op == OpCreate || op == OpUpdate || op == OpDelete || op == OpPublish
	case EntityGrant:
		return op == OpGrant || op == OpRevoke
	case EntityAudit:
		return op == OpAppend
	}
	return false
}

// Mutation is one change a workstation made, as its outbox keeps it and
// as it is pushed. ID is a UUID made by the workstation, so a push that is
// retried is applied once. BaseVersion is the record's version the change
// was made against (0 for a new record): the hub calls it a conflict when
// its own version has moved on. A revoke of a report grant names in it
// the grant the administrator saw (GrantVersion), so that the hub ends
// that grant and not one made since; 0 (from older workstations, or for
// a grant still waiting to be sent) ends whatever grant the hub holds.
type Mutation struct {
	ID          string          `json:"id"`
	Entity      string          `json:"entity"`
	EntityID    string          `json:"entity_id"`
	Op          string          `json:"op"`
	BaseVersion int             `json:"base_version"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   string          `json:"created_at"`
}

// Record is the payload of a migrant-record mutation: the record as the
// workstation has it after the change. Dates are YYYY-MM-DD. Districts,
// on a publish, are the districts the workstation sent it to; the hub
// recomputes them and never trusts this list.
//
// UpdatedBy, UpdatedByName and UpdatedAt (RFC 3339) say who last changed
// the record and when: the hub fills them in the copy a conflict carries,
// from its own records, so the clerk sees whose edit came first. The hub
// ignores them in a pushed payload.
type Record struct {
	ID        string   `json:"id"`
	StateID   string   `json:"state_id"`
	MIS2000ID string   `json:"mis2000_id"`
	QAD       string   `json:"qad"`
	EED       string   `json:"eed"`
	Version   int      `json:"version"`
	Deleted   bool     `json:"deleted,omitempty"`
	Districts []string `json:"districts,omitempty"`
	// The last publish (version, when, by whom), in the hub's copy of a
	// record a conflict shows; a mutation's payload leaves them out.
	PublishedVersion int    `json:"published_version,omitempty"`
	PublishedAt      string `json:"published_at,omitempty"`
	PublishedBy      string `json:"published_by,omitempty"`

	UpdatedBy     string `json:"updated_by,omitempty"`
	UpdatedByName string `json:"updated_by_name,omitempty"`
	UpdatedAt     string `json:"updated_at,omitempty"`
}

// Grant is the payload of a report-grant mutation.
type Grant struct {
	Username string `json:"username"`
	District string `json:"district"`
}

// AuditRow is the payload of an audit-row mutation: one row of a
// workstation's audit log as it wrote it, with its place (Seq) and hash
// in that log. The mutation's entity ID is the hash. The hub appends it to
// its own log, as the signed-in user and in its own chain.
type AuditRow struct {
	Seq      int64  `json:"seq"`
	Hash     string `json:"hash"`
	At       string `json:"at"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
	Before   string `json:"before"`
	After    string `json:"after"`
}

// GrantID is the entity ID of a grant: one per user and district.
func GrantID(username, district string) string { return username + "@" + district }

// GrantVersion is a grant's version as a revoke names it: the second of
// its granted_at, which the hub stamps as it writes the grant, so a grant
// made again is another version; 0 for a time that is not one.
func GrantVersion(grantedAt string) int {
	t, err := time.Parse(time.RFC3339, grantedAt)
	if err != nil {
		return 0
	}
	return int(t.Unix())
}

// Decode reads a mutation's payload into the type its entity uses. Its
// text goes through data.CleanText, the rule every text from outside
// keeps: a payload with a control character or invalid UTF-8 in it is
// refused, and the text is returned in normal form C.
func (m Mutation) Decode() (any, error) {
	switch m.Entity {
	case EntityRecord:
		var r Record
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			return r, err
		}
		err := cleanFields(map[string]*string{"id": &r.ID, "state_id": &r.StateID, "mis2000_id": &r.MIS2000ID, "qad": &r.QAD, "eed": &r.EED})
		for i := range r.Districts {
			err = errors.Join(err, cleanFields(map[string]*string{"districts": &r.Districts[i]}))
		}
		return r, err
	case EntityGrant:
		var g Grant
		if err := json.Unmarshal(m.Payload, &g); err != nil {
			return g, err
		}
		return g, cleanFields(map[string]*string{"username": &g.Username, "district": &g.District})
	}
	return nil, fmt.Errorf("unknown entity %q", m.Entity)
}

// cleanFields puts each field through data.CleanText, naming the ones
// refused.
func cleanFields(fields map[string]*string) error {
	var errs []error
	for name, v := range fields {
		c, err := data.CleanText(*v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		*v = c
	}
	return errors.Join(errs...)
}

type Outcome string

const (
	// Applied: the hub made the change; Version is the record's new
	// version, or the version of the grant a grant leaves held
	// (GrantVersion). With a Reason, the hub held what the change asked
	// for already (a grant, or a grant revoked) and changed nothing.
	Applied Outcome = "applied"
	// Duplicate: the hub had applied this mutation ID before; the answer
	// is the one it gave then.
	Duplicate Outcome = "duplicate"
	// Conflict: the record changed on the hub since BaseVersion; Current
	// is the hub's copy, for a person to resolve.
	Conflict Outcome = "conflict"
	// Rejected: the hub refused the change for good (out of the user's
	// scope, invalid dates, an overlap with another record); Reason says
	// why in a sentence for the clerk.
	Rejected Outcome = "rejected"
)

// Result answers one mutation of a push.
type Result struct {
	MutationID string  `json:"mutation_id"`
	Outcome    Outcome `json:"outcome"`
	Version    int     `json:"version,omitempty"`
	// Current is the hub's copy of the record: with a conflict, for a
	// person to resolve; with a confirmation (a change of a record that
	// keeps its version: IsConfirmation), the record as it stands.
	Current *Record `json:"current,omitempty"`
	// Reason says why the hub refused a change, or why one applied
	// changed nothing (a grant held already, a revoke of one not held).
	Reason string `json:"reason,omitempty"`
	// Copies, answering a record's conflict, publish or delete, are the
	// record's published copies on the hub, each a row of table
	// "published" as a pull carries it: an empty list says the hub holds
	// none, where no list says nothing.
	Copies *[]map[string]string `json:"copies,omitempty"`
}

// IsConfirmation reports whether m, a change of a migrant record, keeps
// the record's version (its payload's version is its base version): a
// person who kept the hub's side of a conflict says so, and nothing
// changes. An edit or a delete makes the next version.
func IsConfirmation(m Mutation) bool {
	if m.Entity != EntityRecord || m.Op != OpUpdate && m.Op != OpDelete {
		return false
	}
	var r struct {
		Version int `json:"version"`
	}
	return json.Unmarshal(m.Payload, &r) == nil && r.Version == m.BaseVersion
}

// PushRequest is a batch of outbox mutations, oldest first.
type PushRequest struct {
	Mutations []Mutation `json:"mutations"`
}

// PushResponse answers each mutation of a push, in order.
type PushResponse struct {
	Results []Result `json:"results"`
}

// MaxPullPage is the largest page a pull may ask for, and what
// workstations ask for: a first sync is a region's million rows, and each
// page a workstation applies is a transaction that rewrites the index
// pages it touches, so fewer, larger pages write far less.
const MaxPullPage = 10000

// MaxPayload is the largest payload of a mutation the hub takes.
const MaxPayload = 4 << 10

// Cursor is how far a workstation has pulled: the hub's epoch (a new one
// after the hub is restored from a backup or loads a new extract) and the
// last sequence number applied. The zero Cursor asks for a first, full
// snapshot. While a snapshot is being paged, Snapshot holds the hub's
// opaque position in it and Seq the sequence the snapshot was taken at:
// a workstation stopped in the middle of its first sync resumes where it
// was, and then pulls the changes made since the snapshot began.
//
// Mark is the hub's random mark of the change at Seq. A hub restored from
// an older backup has the epoch of the backup, and numbers its new
// changes from the backup's last sequence; a cursor whose Seq the hub
// never logged, or logged with another mark, tells it so, and it starts a
// new epoch, if it signed the cursor: the mark carries the hub's
// signature of the cursor after a dot, and a workstation keeps the mark
// as it was given.
//
// Scope names what the user the cursor was given to may see (their
// region, or their districts). A user whose scope has changed since (a
// coordinator given another district) takes a new snapshot: the feed
// after the cursor holds the changes of the old scope only, and would
// neither bring the new district's rows nor take away the old one's. A
// cursor that names no scope (kept before cursors named one, or by a
// client that does not keep it) is taken for the user's scope now: a
// snapshot begun again at each page would never end.
type Cursor struct {
	Epoch    string `json:"epoch"`
	Seq      int64  `json:"seq"`
	Mark     string `json:"mark,omitempty"`
	Snapshot string `json:"snapshot,omitempty"`
	Scope    string `json:"scope,omitempty"`
}

// Tables a pulled change can name, with their key columns.
var tableKeys = map[string][]string{
	"regions":         {"code"},
	"districts":       {"number"},
	"schools":         {"number"},
	"students":        {"state_id"},
	"enrollments":     {"id"},
	"programs":        {"state_id", "program", "start_date"},
	"assessments":     {"state_id", "subject", "test_date"},
	"migrant_records": {"id"},
	"published":       {"record_id", "district_number"},
	"users":           {"username"},
	"user_districts":  {"username", "district_number"},
	"report_grants":   {"username", "district_number"},
}

// tableValues are the columns a pulled row carries besides its key.
// Columns a workstation derives for itself (search keys, a school's
// public flag, whether a record needs publishing) never travel.
var tableValues = map[string][]string{
	"regions":         {"name"},
	"districts":       {"name", "region_code"},
	"schools":         {"district_number", "name", "classification"},
	"students":        {"local_number", "last_name", "first_name", "middle_name", "birth_date", "gender", "race"},
	"enrollments":     {"state_id", "school_number", "grade", "service_type", "start_date", "end_date"},
	"programs":        {"code", "end_date"},
	"assessments":     {"performance_level"},
	"migrant_records": {"state_id", "mis2000_id", "qad", "eed", "version", "deleted", "created_at", "created_by", "updated_at", "updated_by", "published_version", "published_at", "published_by"},
	"published":       {"version", "mis2000_id", "qad", "eed", "published_at", "published_by"},
	"users":           {"full_name", "role", "region_code", "district_number", "email"},
	"user_districts":  {},
	"report_grants":   {"granted_by", "granted_at"},
}

// Tables lists the tables a pulled change can name, in the order a page
// applies them (a row's parents before the row).
func Tables() []string {
	return []string{"regions", "districts", "schools", "students", "enrollments", "programs", "assessments",
		"users", "user_districts", "report_grants", "migrant_records", "published"}
}

// KeyColumns are the columns that identify a row of table; nil for a
// table the protocol does not carry.
func KeyColumns(table string) []string { return slices.Clone(tableKeys[table]) }

// Columns are every column a pulled row of table may carry, its key
// first; nil for a table the protocol does not carry. A row that sets a
// table's row names each of them; a removal names only the key.
func Columns(table string) []string {
	if _, ok := tableKeys[table]; !ok {
		return nil
	}
	return slices.Concat(tableKeys[table], tableValues[table])
}

// Change is one row a pulled page sets or removes. Row holds the row's
// columns as text (dates YYYY-MM-DD, numbers in decimal); a removal
// carries only the key columns. It travels in a page (wirePage).
type Change struct {
	Seq     int64
	Table   string
	Deleted bool
	Row     map[string]string
}

// Page is one answer to a pull: changes after the request's cursor, in
// sequence order, and the cursor to ask from next. More says the hub has
// more after Next. Snapshot says the page belongs to a fresh snapshot of
// the user's scope (after a zero cursor or a new epoch): the workstation
// replaces what it holds with it, emptying it on the snapshot's first
// page (its cursor not yet part way through a snapshot of this epoch).
// Next.Snapshot holds the hub's position on every page of a snapshot but
// the last, whose Next is a plain feed cursor.
//
// Students, on a snapshot's pages, is how many students the whole
// snapshot holds, so that a first sync can show how far it has come.
//
// A page travels as JSON in its wire form (wirePage).
type Page struct {
	Changes  []Change
	Next     Cursor
	More     bool
	Snapshot bool
	Students int64

	// shared, set by Share, holds the one encoding of a page that
	// several answers carry.
	shared *encoding
}

// encoding is a shared page's answer as Encoded made it.
type encoding struct {
	once gosync.Once
	body []byte
	err  error
}

// Share makes p and its copies from now on share one encoding
// (Encoded): the hub answers the pulls of a district's users, which
// ask for the same snapshot page, with one page read, and encoding it
// (JSON and gzip, 10 ms for a page of 10,000 rows) for each of them was
// as much again.
func (p *Page) Share() { p.shared = &encoding{} }

// Encoded returns encode's answer for a shared page, made once for all
// its copies (encode must make the same for any of them); for a page not
// shared, nothing (ok false), and encode is not called.
func (p Page) Encoded(encode func() ([]byte, error)) (body []byte, ok bool, err error) {
	if p.shared == nil {
		return nil, false, nil
	}
	p.shared.once.Do(func() { p.shared.body, p.shared.err = encode() })
	return p.shared.body, true, p.shared.err
}

// wirePage is a Page as JSON carries it. Each change is an array of
// strings: its sequence, its table, "1" for a removal (else ""), then the
// row's values in the order of Columns(table), or of KeyColumns(table) for
// a removal. A first sync is a million rows: the column names travel once
// (here, in the program) instead of in every row, and an array of strings
// takes a fraction of the time of an object to write and to read.
type wirePage struct {
	Changes  [][]string `json:"changes"`
	Next     Cursor     `json:"next"`
	More     bool       `json:"more"`
	Snapshot bool       `json:"snapshot,omitempty"`
	Students int64      `json:"students,omitempty"`
}

// MarshalJSON writes the page in its wire form. A change of a table the
// protocol does not carry, or whose row lacks one of its columns, is an
// error: it could not be read back.
//
// The changes are written by hand rather than through encoding/json's
// reflection: a first sync writes a million rows, and the most of their
// values are plain ASCII that need no escaping.
func (p Page) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+len(p.Changes)*128)
	b = append(b, `{"changes":[`...)
	for i, c := range p.Changes {
		cols, deleted := tableColumns[c.Table], ""
		if c.Deleted {
			cols, deleted = tableKeys[c.Table], "1"
		}
		if cols == nil {
			return nil, fmt.Errorf("change %d: %q is not a table the protocol carries", c.Seq, c.Table)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `["`...)
		b = strconv.AppendInt(b, c.Seq, 10)
		b = append(b, `",`...)
		b = appendString(b, c.Table)
		b = append(b, ',')
		b = appendString(b, deleted)
		for _, col := range cols {
			v, ok := c.Row[col]
			if !ok {
				return nil, fmt.Errorf("change %d of %s: the row lacks column %s", c.Seq, c.Table, col)
			}
			b = append(b, ',')
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	rest, err := json.Marshal(struct {
		Next     Cursor `json:"next"`
		More     bool   `json:"more"`
		Snapshot bool   `json:"snapshot,omitempty"`
		Students int64  `json:"students,omitempty"`
	}{p.Next, p.More, p.Snapshot, p.Students})
	if err != nil {
		return nil, err
	}
	b = append(b, "],"...)
	return append(b, rest[1:]...), nil
}

// appendString appends s as a JSON string: as it is when it needs no
// escaping, else as encoding/json writes it.
func appendString(b []byte, s string) []byte {
	if needsEscape(s) {
		q, _ := json.Marshal(s) // a string always marshals
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// needsEscape reports whether s has what a JSON string escapes: a quote,
// a backslash, a control character, invalid UTF-8, or U+2028 and U+2029
// (which encoding/json escapes for JavaScript's sake).
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return true
		}
		if c >= 0x80 {
			return !utf8.ValidString(s) || strings.ContainsAny(s[i:], "\u2028\u2029\"\\") || strings.ContainsFunc(s[i:], func(r rune) bool { return r < 0x20 })
		}
	}
	return false
}

// UnmarshalJSON reads a page in its wire form. Pages whose values are
// plain JSON strings, as a hub writes them, are read by hand (readPage);
// anything else goes through encoding/json, which reads the same pages
// the same way, only slower.
func (p *Page) UnmarshalJSON(b []byte) error {
	if w, ok := readWirePage(b); ok {
		return p.fromWire(w)
	}
	var w wirePage
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	return p.fromWire(w)
}

// fromWire checks a page in its wire form and reads its changes.
func (p *Page) fromWire(w wirePage) error {
	*p = Page{Changes: make([]Change, len(w.Changes)), Next: w.Next, More: w.More, Snapshot: w.Snapshot, Students: w.Students}
	for i, vals := range w.Changes {
		if len(vals) < 3 {
			return fmt.Errorf("change %d of the page has %d values, not a sequence, a table and a flag at least", i+1, len(vals))
		}
		c := Change{Table: vals[1], Deleted: vals[2] == "1"}
		var err error
		if c.Seq, err = strconv.ParseInt(vals[0], 10, 64); err != nil {
			return fmt.Errorf("change %d of the page: sequence %q: %w", i+1, vals[0], err)
		}
		cols := tableColumns[c.Table]
		if c.Deleted {
			cols = tableKeys[c.Table]
		}
		if cols == nil || len(vals)-3 != len(cols) {
			return fmt.Errorf("change %d of the page: %d values do not make a row of %q", i+1, len(vals)-3, c.Table)
		}
		c.Row = make(map[string]string, len(cols))
		for j, col := range cols {
			c.Row[col] = vals[3+j]
		}
		p.Changes[i] = c
	}
	return nil
}

// readWirePage reads a page as MarshalJSON writes it: the changes first,
// each an array of JSON strings without escapes or control characters
// and of valid UTF-8, then the other fields, which encoding/json reads.
// ok is false for anything else, which the caller reads the slow way.
func readWirePage(b []byte) (w wirePage, ok bool) {
	const head = `{"changes":[`
	if !bytes.HasPrefix(b, []byte(head)) {
		return w, false
	}
	i := len(head)
	w.Changes = [][]string{}
	var spans [][2]int // of the values in the change's text
	for i < len(b) && b[i] == '[' {
		start := i
		spans = spans[:0]
		i++
		for {
			if i >= len(b) || b[i] != '"' {
				return w, false
			}
			j, ascii := i+1, true
			for ; j < len(b) && b[j] != '"'; j++ {
				if c := b[j]; c < 0x20 || c == '\\' {
					return w, false
				} else if c >= 0x80 {
					ascii = false
				}
			}
			if j >= len(b) || !ascii && !utf8.Valid(b[i+1:j]) {
				return w, false
			}
			spans = append(spans, [2]int{i + 1 - start, j - start})
			i = j + 1
			if i >= len(b) {
				return w, false
			}
			if b[i] == ']' {
				i++
				break
			}
			if b[i] != ',' {
				return w, false
			}
			i++
		}
		// One string of the change's text, which its values are parts
		// of: a first sync's eight million values are as many fewer
		// allocations.
		text := string(b[start:i])
		vals := make([]string, len(spans))
		for k, sp := range spans {
			vals[k] = text[sp[0]:sp[1]]
		}
		w.Changes = append(w.Changes, vals)
		if i < len(b) && b[i] == ',' && i+1 < len(b) && b[i+1] == '[' {
			i++
		}
	}
	if i+1 >= len(b) || b[i] != ']' || b[i+1] != ',' {
		return w, false
	}
	var rest struct {
		Changes  json.RawMessage `json:"changes"`
		Next     Cursor          `json:"next"`
		More     bool            `json:"more"`
		Snapshot bool            `json:"snapshot"`
		Students int64           `json:"students"`
	}
	// The rest is read as an object whose changes are a 0 that a second
	// "changes" would replace.
	b = append([]byte(`{"changes":0,`), b[i+2:]...)
	if err := json.Unmarshal(b, &rest); err != nil || string(rest.Changes) != "0" {
		return w, false
	}
	w.Next, w.More, w.Snapshot, w.Students = rest.Next, rest.More, rest.Snapshot, rest.Students
	return w, true
}

// tableColumns is Columns of every table, made once: the codec looks
// them up for every row.
var tableColumns = func() map[string][]string {
	m := map[string][]string{}
	for t := range tableKeys {
		m[t] = Columns(t)
	}
	return m
}()
