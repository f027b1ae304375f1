package hubsql

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// Push applies a batch of mutations as u, made at the cursor at, inside
// tx, the back end's write transaction, stamping changes with now. Each
// gets its own answer; only a failure of the database itself aborts the
// batch, which the client then retries whole (every mutation is applied
// at most once), and a hub that is not at the cursor applies none of it
// (hub.ErrMoved).
func Push(tx Tx, u data.User, at sync.Cursor, ms []sync.Mutation, now time.Time) ([]sync.Result, error) {
	b := []Batch{{User: u, At: at, Mutations: ms, Now: now}}
	if err := PushAll(tx, b); err != nil {
		return nil, err
	}
	return b[0].Results, b[0].Err
}

// Batch is one push of a group that PushAll applies: its user, the
// cursor the workstation had pulled to when it pushed (the zero cursor
// is not checked), its mutations and the time its changes are stamped
// with; PushAll sets its answers, or Err (hub.ErrMoved) when the hub is
// not at At and nothing of the push was applied, and the time applying
// its own mutations took.
type Batch struct {
	User      data.User
	At        sync.Cursor
	Mutations []sync.Mutation
	Now       time.Time

	Results []sync.Result
	Err     error
	Took    time.Duration
}

// PushAll applies batches one after another inside tx, each as Push
// would alone, and sets their answers. What each push read before its
// mutations (their stored answers, their students, records and copies)
// is read once for all of them, in one batch of reads (on PostgreSQL one
// round trip), and what each wrote after them (the feed, the audit log,
// the answers) is written once: a group commit of forty pushes made
// those twenty statements forty times, most of its CPU. Reading ahead
// stays right across the batches as within one: a push updates what it
// read ahead of a record when it writes it (wrote), an answer given is
// kept for the batches after it (answered), and nothing a push does
// reads the feed or the audit log before flush.
func PushAll(tx Tx, batches []Batch) error {
	var all []sync.Mutation
	for i := range batches {
		batches[i].Results = make([]sync.Result, len(batches[i].Mutations))
		all = append(all, batches[i].Mutations...)
	}
	if len(all) == 0 {
		return nil
	}
	p := &pusher{tx: tx, log: NewAuditLog(tx)}
	var ids, recordIDs []string
	seenID, seenRecord := map[string]bool{}, map[string]bool{}
	// Each record's payload is read here once, for the reads ahead and
	// for its rules: reading it strictly again as each was applied was a
	// tenth of a group's CPU.
	decoded := make([]decodedRecord, len(all))
	for i, m := range all {
		if m.Entity == sync.EntityRecord {
			d := &decoded[i]
			_, d.r, d.err = decodeRecord(m)
			if r := d.r; d.err == nil {
				if !seenID[r.StateID] {
					seenID[r.StateID] = true
					ids = append(ids, r.StateID)
				}
				if !seenRecord[r.ID] {
					seenRecord[r.ID] = true
					recordIDs = append(recordIDs, r.ID)
				}
			}
		}
	}
	p.students = make(map[string]*student, len(ids))
	reads := slices.Concat([]Read{p.answeredRead(all), p.log.endRead()}, studentReads(ids, p.students), p.aheadReads(recordIDs, ids))
	moved, atReads := movedReads(batches)
	reads = append(reads, atReads...)
	if err := readAll(tx, reads...); err != nil {
		return fmt.Errorf("read the hub's rows the push's rules need: %w", err)
	}
	placeStudents(ids, p.students)
	k := 0
	for i := range batches {
		b := &batches[i]
		if moved(i) {
			b.Results, b.Err = nil, hub.ErrMoved
			k += len(b.Mutations)
			continue
		}
		start := time.Now()
		p.user, p.now = b.User, b.Now.UTC()
		p.held = map[string]bool{}
		for j, m := range b.Mutations {
			var err error
			p.decoded = &decoded[k]
			if b.Results[j], err = p.apply(m); err != nil {
				return fmt.Errorf("apply mutation %s: %w", m.ID, err)
			}
			k++
		}
		b.Took = time.Since(start)
	}
	return p.flush()
}

// liveEpoch is the hub's epoch as a push is checked against it, on
// either back end: "" when an extract has been imported since it began.
// PostgreSQL starts the import's epoch in the import's transaction and
// keeps no extract in hub_meta; a SQLite hub's import (the store's, which
// knows nothing of hubs) leaves it to the next pull (sqlitehub's
// ensureEpoch), and hub_meta's extract names the import the epoch was
// made for. A push between the import and that pull is refused as on
// PostgreSQL, so its workstation sends again what the hub acknowledged
// and takes the import's snapshot, whichever back end serves it.
const liveEpoch = `SELECT CASE WHEN coalesce((SELECT value FROM hub_meta WHERE key = 'extract'), i.mark) = i.mark
	THEN e.value ELSE '' END FROM hub_meta e, (SELECT ` + ImportMark + ` AS mark) i WHERE e.key = 'epoch'`

// movedReads read, with a group's other reads, the hub's epoch and
// whether it logged the change each batch's cursor stopped at; moved
// then reports whether the hub is not at batch i's cursor. Checked in the
// push's own transaction, a hub restored while the push waited is seen.
func movedReads(batches []Batch) (moved func(i int) bool, reads []Read) {
	var epoch string
	logged := make([]bool, len(batches))
	for i, b := range batches {
		if b.At.Epoch != "" {
			reads = append(reads, LoggedRead(b.At, &logged[i]))
		}
	}
	if len(reads) > 0 {
		reads = append(reads, Read{Query: liveEpoch, Row: func(rows Rows) error {
			return rows.Scan(&epoch)
		}})
	}
	return func(i int) bool {
		at := batches[i].At
		return at.Epoch != "" && (at.Epoch != epoch || !logged[i])
	}, reads
}

// flush writes what the push keeps until its end: its changes of the
// feed, its rows of the audit log and the answers it gave.
func (p *pusher) flush() error {
	if err := p.feed.flush(p.tx); err != nil {
		return err
	}
	if err := p.log.Flush(); err != nil {
		return err
	}
	if err := insertRows(p.tx, `INSERT INTO hub_applied(mutation_id, username, at, result) VALUES `, "", p.applied, nil); err != nil {
		return fmt.Errorf("keep the answers of the push: %w", err)
	}
	return nil
}

type pusher struct {
	tx   Tx
	user data.User
	now  time.Time
	log  *AuditLog
	feed feed
	// decoded is the payload of the record mutation being applied, as
	// PushAll read it.
	decoded *decodedRecord
	// applied are the rows of hub_applied the push has answered, written
	// at its end.
	applied [][]any
	// held are the records of which a change of the push being applied
	// was answered with a conflict or refused: the push's later changes
	// of them are conflicts too. They were made on top of the change the
	// hub did not take, and one based on the version the hub reached
	// meanwhile would be applied over another clerk's edit unseen.
	held map[string]bool
	// answered holds, by mutation ID, the stored answer of each mutation
	// of the push applied before, and of each applied by the push so far.
	answered map[string]string
	// students are those of the push's records, read for the whole push
	// at its start (see students); nil for a state ID the hub does not
	// hold.
	students map[string]*student
	// records (by ID; nil for one the hub does not hold), others (the
	// live records of a student, by state ID) and copies (a record's
	// published rows, by record ID) are read for the whole push at its
	// start (readAhead), in three queries instead of three for each
	// mutation: on PostgreSQL each was a round trip made holding the feed
	// lock. An entry is dropped when the push writes what it holds, and
	// read again when asked for.
	records map[string]*hubRecord
	others  map[string][]data.MigrantRecord
	copies  map[string][]map[string]string
}

// aheadReads read the push's records, the live records of its students
// and the records' copies.
func (p *pusher) aheadReads(recordIDs, stateIDs []string) []Read {
	p.records = make(map[string]*hubRecord, len(recordIDs))
	p.others = make(map[string][]data.MigrantRecord, len(stateIDs))
	p.copies = make(map[string][]map[string]string, len(recordIDs))
	if len(recordIDs) == 0 {
		return nil
	}
	for _, id := range recordIDs {
		p.records[id] = nil
		p.copies[id] = nil
	}
	for _, id := range stateIDs {
		p.others[id] = nil
	}
	in, args := inList(recordIDs)
	records := recordsRead(func(r hubRecord) { p.records[r.ID] = &r }, `r.id IN (`+in+`)`, args...)
	copies := rowsRead("published", `SELECT `+textColumns("published", "t.")+` FROM published t WHERE t.record_id IN (`+in+`)`, args,
		func(c map[string]string) { p.copies[c["record_id"]] = append(p.copies[c["record_id"]], c) })
	in, args = inList(stateIDs)
	others := liveRecordsRead(func(r data.MigrantRecord) { p.others[r.StateID] = append(p.others[r.StateID], r) },
		`state_id IN (`+in+`)`, args...)
	return []Read{records, copies, others}
}

// wrote drops what the push read ahead of a record it is writing, and
// keeps the student's live records read ahead as the write leaves them
// (live is the record as written, nil when it is no longer live): a push
// of several edits of one student's records read them again for each.
func (p *pusher) wrote(id, stateID string, live *data.MigrantRecord) {
	delete(p.records, id)
	rs, ok := p.others[stateID]
	if !ok {
		return
	}
	i := slices.IndexFunc(rs, func(o data.MigrantRecord) bool { return o.ID == id })
	rs = slices.Clone(rs)
	switch {
	case i >= 0 && live != nil:
		rs[i] = *live
	case i >= 0:
		rs = slices.Delete(rs, i, i+1)
	case live != nil:
		rs = append(rs, *live)
	}
	p.others[stateID] = rs
}

// studentRecords are the student's live records, for the overlap rule.
func (p *pusher) studentRecords(stateID string) ([]data.MigrantRecord, error) {
	if rs, ok := p.others[stateID]; ok {
		return rs, nil
	}
	return liveRecords(p.tx, `state_id = ?`, stateID)
}

// copiesOf are the published rows of a record.
func (p *pusher) copiesOf(id string) ([]map[string]string, error) {
	if cs, ok := p.copies[id]; ok {
		return cs, nil
	}
	return rowsOf(p.tx, "published", "t.record_id = ?", id)
}

// student is what the push's rules read of one of its students, from
// p.students, or read now for a student the push's start did not (a
// record whose stored student is not its payload's).
func (p *pusher) student(stateID string) (*student, error) {
	if st, ok := p.students[stateID]; ok {
		return st, nil
	}
	got, err := students(p.tx, []string{stateID})
	if err != nil {
		return nil, err
	}
	p.students[stateID] = got[stateID]
	return got[stateID], nil
}

// answeredRead reads the stored answers of the mutations of ms that the
// hub has applied before, in one query for the whole group of pushes
// rather than one for each mutation.
func (p *pusher) answeredRead(ms []sync.Mutation) Read {
	p.answered = make(map[string]string)
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	in, args := inList(ids)
	return Read{Query: `SELECT mutation_id, result FROM hub_applied WHERE mutation_id IN (` + in + `)`, Args: args,
		Row: func(rows Rows) error {
			var id, result string
			if err := rows.Scan(&id, &result); err != nil {
				return err
			}
			p.answered[id] = result
			return nil
		}}
}

func (p *pusher) stamp() string { return p.now.Format(time.RFC3339) }

// rejection is a refusal for good, with the sentence the clerk reads.
type rejection struct{ reason string }

func (r *rejection) Error() string { return r.reason }

func reject(format string, args ...any) error { return &rejection{fmt.Sprintf(format, args...)} }

func (p *pusher) apply(m sync.Mutation) (sync.Result, error) {
	res, err := p.answer(m)
	if err == nil && m.Entity == sync.EntityRecord && (res.Outcome == sync.Conflict || res.Outcome == sync.Rejected) {
		p.held[m.EntityID] = true
	}
	if err != nil || m.Entity != sync.EntityRecord || !setsCopies(m, res) {
		return res, err
	}
	if may, err := p.mayWrite(m.EntityID); err != nil || !may {
		return res, err
	}
	copies, err := p.copiesOf(m.EntityID)
	if err != nil {
		return sync.Result{}, err
	}
	rows := make([]map[string]string, len(copies))
	for i, c := range copies {
		rows[i] = maps.Clone(c)
	}
	res.Copies = &rows
	return res, nil
}

// mayWrite reports whether the user may write the record with the ID now
// (one the hub does not hold, yes: there is nothing of it to show). An
// answer's copies are shown only then: a stored answer is found by its
// mutation ID alone, whoever sends it again.
func (p *pusher) mayWrite(id string) (bool, error) {
	cur, exists, err := p.load(id)
	if err != nil || !exists {
		return err == nil, err
	}
	st, err := p.student(cur.StateID)
	if err != nil {
		return false, err
	}
	var regions []string
	if st != nil {
		regions = st.regions
	}
	return p.user.MayWriteRecords(cur.StateID, regions, nil) == nil, nil
}

// setsCopies reports whether the answer to a record's mutation carries
// the record's copies as the hub holds them now (not as stored with a
// first answer). A workstation writes its own copies when it publishes or
// deletes, from its own view of the student's enrollments, and passes
// over the copies the feed brings while that change waits; a conflict
// also swallows the record's later changes. Only the answer puts its
// copies right: the feed never names a district where the hub held no
// copy. A refused publish is answered with them too: the copies it wrote
// are none of the hub's (none at all when the hub refused the record's
// creation), and the clerk's workstation would show the record published
// where no district has it.
func setsCopies(m sync.Mutation, res sync.Result) bool {
	return res.Outcome == sync.Conflict || m.Op == sync.OpPublish || res.Outcome != sync.Rejected && m.Op == sync.OpDelete
}

// answer is the hub's answer to m: the stored one when it has answered
// m before, else the outcome of applying it now.
func (p *pusher) answer(m sync.Mutation) (sync.Result, error) {
	if stored, ok := p.answered[m.ID]; ok {
		var first sync.Result
		if err := json.Unmarshal([]byte(stored), &first); err != nil {
			return sync.Result{}, err
		}
		if first.Outcome == sync.Applied {
			first.Outcome = sync.Duplicate
		}
		return first, nil
	}

	res := sync.Result{MutationID: m.ID}
	var err error
	switch m.Entity {
	case sync.EntityRecord:
		res, err = p.record(m)
	case sync.EntityGrant:
		res, err = p.grant(m)
	case sync.EntityAudit:
		res, err = p.appendAudit(m)
	default:
		err = reject("the hub does not know what a %q is", m.Entity)
	}
	res.MutationID = m.ID
	var rj *rejection
	switch {
	case errors.As(err, &rj):
		res = sync.Result{MutationID: m.ID, Outcome: sync.Rejected, Reason: rj.reason}
	case err != nil:
		return sync.Result{}, err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return sync.Result{}, err
	}
	p.applied = append(p.applied, []any{m.ID, p.user.Username, p.stamp(), string(body)})
	p.answered[m.ID] = string(body)
	return res, nil
}

// hubRecord is a migrant record as the hub holds it.
type hubRecord struct {
	data.MigrantRecord
	Deleted          bool
	PublishedVersion int
	UpdatedBy        string
	UpdatedByName    string // the full name of UpdatedBy, from the hub's users
	UpdatedAt        string
	// row is the record's row as the feed carries it (rowsOf).
	row map[string]string
}

func (p *pusher) load(id string) (hubRecord, bool, error) {
	if r, ok := p.records[id]; ok {
		if r == nil {
			return hubRecord{}, false, nil
		}
		return *r, true, nil
	}
	rs, err := loadRecords(p.tx, `r.id = ?`, id)
	if err != nil || len(rs) == 0 {
		return hubRecord{}, false, err
	}
	return rs[0], true, nil
}

// loadRecords reads the records a condition on migrant_records r picks.
func loadRecords(tx Tx, where string, args ...any) ([]hubRecord, error) {
	var out []hubRecord
	err := readAll(tx, recordsRead(func(r hubRecord) { out = append(out, r) }, where, args...))
	return out, err
}

// recordsRead is the read of loadRecords, each record handed to got.
func recordsRead(got func(hubRecord), where string, args ...any) Read {
	cols := sync.Columns("migrant_records")
	return Read{Query: `SELECT r.id, r.state_id, r.mis2000_id, r.qad, r.eed, r.version, r.deleted, r.published_version,
			coalesce(r.updated_by, ''), coalesce(r.updated_at, ''), coalesce(u.full_name, ''), ` + textColumns("migrant_records", "r.") + `
		FROM migrant_records r LEFT JOIN users u ON u.username = r.updated_by WHERE ` + where, Args: args,
		Row: func(rows Rows) error {
			var r hubRecord
			var qad, eed string
			var deleted int
			vals := make([]string, len(cols))
			dest := []any{&r.ID, &r.StateID, &r.MIS2000ID, &qad, &eed, &r.Version, &deleted, &r.PublishedVersion,
				&r.UpdatedBy, &r.UpdatedAt, &r.UpdatedByName}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			r.row = make(map[string]string, len(cols))
			for i, c := range cols {
				r.row[c] = vals[i]
			}
			r.Deleted = deleted != 0
			r.QAD, _ = data.ParseDate(qad)
			r.EED, _ = data.ParseDate(eed)
			got(r)
			return nil
		}}
}

func wire(r hubRecord) *sync.Record {
	return &sync.Record{ID: r.ID, StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD.String(), EED: r.EED.String(),
		Version: r.Version, Deleted: r.Deleted, PublishedVersion: r.PublishedVersion, PublishedAt: r.row["published_at"],
		PublishedBy: r.row["published_by"], UpdatedBy: r.UpdatedBy, UpdatedByName: r.UpdatedByName, UpdatedAt: r.UpdatedAt}
}

// decodedRecord is a record payload as decodeRecord read it.
type decodedRecord struct {
	r   data.MigrantRecord
	err error
}

// decodeRecord reads a record payload strictly and checks it names the
// mutation's entity.
func decodeRecord(m sync.Mutation) (sync.Record, data.MigrantRecord, error) {
	var w sync.Record
	if err := decodePayload(m.Payload, &w, []textField{{"id", "the record ID", &w.ID}, {"state_id", "the state ID", &w.StateID},
		{"mis2000_id", "the MIS2000 ID", &w.MIS2000ID}, {"qad", "the QAD", &w.QAD}, {"eed", "the EED", &w.EED}}); err != nil {
		return w, data.MigrantRecord{}, err
	}
	if w.ID != m.EntityID {
		return w, data.MigrantRecord{}, reject("the change names record %s but carries record %s", m.EntityID, w.ID)
	}
	r := data.MigrantRecord{ID: w.ID, StateID: w.StateID, MIS2000ID: w.MIS2000ID, Version: w.Version}
	var err error
	if r.QAD, err = data.ParseDate(w.QAD); err != nil {
		return w, r, reject("QAD: %v", err)
	}
	if r.EED, err = data.ParseDate(w.EED); err != nil {
		return w, r, reject("EED: %v", err)
	}
	return w, r, nil
}

func (p *pusher) record(m sync.Mutation) (sync.Result, error) {
	r, err := p.decoded.r, p.decoded.err
	if err != nil {
		return sync.Result{}, err
	}
	cur, exists, err := p.load(r.ID)
	if err != nil {
		return sync.Result{}, err
	}
	if exists && cur.StateID != r.StateID {
		return sync.Result{}, reject("record %s belongs to student %s, not %s", r.ID, cur.StateID, r.StateID)
	}
	st, err := p.student(r.StateID)
	if err != nil {
		return sync.Result{}, err
	}
	var regions []string
	if st != nil {
		regions = st.regions
	}
	if err := p.user.MayWriteRecords(r.StateID, regions, nil); err != nil {
		return sync.Result{}, reject("%v", err)
	}
	if !exists && (m.Op == sync.OpUpdate || m.Op == sync.OpPublish) {
		// Not a conflict: there is no copy of the hub's to set beside the
		// workstation's. The record's creation was refused, so its later
		// changes are too, each with the same reason for the clerk.
		return sync.Result{}, reject("the hub has no record %s: its creation was refused, so this change cannot be applied", r.ID)
	}
	conflict := sync.Result{Outcome: sync.Conflict}
	if exists {
		conflict.Current = wire(cur)
	}
	if p.held[r.ID] && exists {
		return conflict, nil
	}
	if sync.IsConfirmation(m) {
		return p.confirm(m, r, cur, exists, conflict)
	}
	switch m.Op {
	case sync.OpCreate:
		if exists {
			return conflict, nil
		}
		return p.save(r, hubRecord{}, regions, false)
	case sync.OpUpdate:
		if cur.Version != m.BaseVersion {
			return conflict, nil
		}
		// An edit based on a deleted record's own version comes from a
		// person who saw the deletion as the hub's side of a conflict and
		// kept their own record, or a merge: it brings the record back.
		// An edit made before the deletion is based on an older version,
		// a conflict.
		return p.save(r, cur, regions, true)
	case sync.OpDelete:
		if !exists || cur.Deleted {
			return sync.Result{Outcome: sync.Applied, Version: cur.Version}, nil
		}
		if cur.Version != m.BaseVersion {
			return conflict, nil
		}
		return p.remove(cur, regions)
	case sync.OpPublish:
		if cur.Deleted || cur.Version != m.BaseVersion {
			return conflict, nil
		}
		return p.publish(cur, regions)
	}
	return sync.Result{}, reject("%q is not an operation on a migrant record", m.Op)
}

// confirm applies a confirmation (sync.IsConfirmation): a person who
// kept the hub's side of a conflict (store.KeepTheirs) says so, with the
// record as the hub had it, at its version. Nothing changes but the
// audit; a new version would show a record another clerk published as
// changed since, by someone who changed nothing. The answer carries the
// record as it stands, its last publish with it, for the workstation to
// take. A record that is not what the confirmation says (another
// version, deleted or not, other values: changed since, or a hub
// restored from an older backup) is a conflict, whose copy the
// workstation takes just the same.
func (p *pusher) confirm(m sync.Mutation, r data.MigrantRecord, cur hubRecord, exists bool, conflict sync.Result) (sync.Result, error) {
	if !exists {
		if m.Op == sync.OpDelete {
			// As a delete of a record the hub never had: nothing to do.
			return sync.Result{Outcome: sync.Applied}, nil
		}
		return sync.Result{}, reject("the hub has no record %s to keep as it is", r.ID)
	}
	same := cur.Version == m.BaseVersion && cur.Deleted == (m.Op == sync.OpDelete) &&
		(cur.Deleted || r.MIS2000ID == cur.MIS2000ID && r.QAD == cur.QAD && r.EED == cur.EED)
	if !same {
		return conflict, nil
	}
	if err := p.audit("confirm", r.ID, recordText(cur.MigrantRecord), recordText(cur.MigrantRecord)); err != nil {
		return sync.Result{}, err
	}
	return sync.Result{Outcome: sync.Applied, Version: cur.Version, Current: wire(cur)}, nil
}

// save validates a new or edited record against the hub's data — the
// student's age and every other record of the student, including those
// other clerks pushed — and writes it.
func (p *pusher) save(r data.MigrantRecord, old hubRecord, regions []string, edit bool) (sync.Result, error) {
	st, err := p.student(r.StateID)
	if err != nil {
		return sync.Result{}, err
	}
	if st == nil {
		return sync.Result{}, reject("the hub has no student with state ID %s", r.StateID)
	}
	if st.birthErr != nil {
		return sync.Result{}, st.birthErr
	}
	if err := data.ValidateRecord(r, st.birth, data.DateOf(p.now)); err != nil {
		return sync.Result{}, reject("%v", err)
	}
	others, err := p.studentRecords(r.StateID)
	if err != nil {
		return sync.Result{}, err
	}
	if err := data.CheckOverlap(r, others); err != nil {
		return sync.Result{}, reject("%v", err)
	}
	now, user := p.stamp(), p.user.Username
	// The row as written, as the feed carries it: a new one comes back
	// with its write (RETURNING); an edit's is the row read before it
	// with the columns the edit sets, so that the write waits for nothing
	// and goes to the server with the push's next read (on PostgreSQL, a
	// round trip a mutation fewer, made holding the feed lock).
	var written []map[string]string
	if edit {
		r.Version = old.Version + 1
		err = p.tx.Exec(`UPDATE migrant_records SET mis2000_id = ?, qad = ?, eed = ?, version = ?, deleted = 0, updated_at = ?, updated_by = ?
			WHERE id = ?`, r.MIS2000ID, r.QAD.String(), r.EED.String(), r.Version, now, user, r.ID)
		row := maps.Clone(old.row)
		row["mis2000_id"], row["qad"], row["eed"], row["deleted"] = r.MIS2000ID, r.QAD.String(), r.EED.String(), "0"
		row["version"], row["updated_at"], row["updated_by"] = strconv.Itoa(r.Version), now, user
		written = append(written, row)
	} else {
		r.Version = 1
		written, err = returning(p.tx, "migrant_records", `INSERT INTO migrant_records(id, state_id, mis2000_id, qad, eed, version, created_at, created_by, updated_at, updated_by)
			VALUES(?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`, r.ID, r.StateID, r.MIS2000ID, r.QAD.String(), r.EED.String(), now, user, now, user)
	}
	if err != nil {
		return sync.Result{}, err
	}
	if len(written) != 1 {
		return sync.Result{}, fmt.Errorf("record %s: %d rows written, not 1", r.ID, len(written))
	}
	p.wrote(r.ID, r.StateID, &r)
	action, before := "create", ""
	switch {
	case edit && old.Deleted:
		action, before = "restore", recordText(old.MigrantRecord)
	case edit:
		action, before = "update", recordText(old.MigrantRecord)
	}
	if err := p.audit(action, r.ID, before, recordText(r)); err != nil {
		return sync.Result{}, err
	}
	p.feed.log("migrant_records", false, false, written[0], clerkTags(regions)...)
	return sync.Result{Outcome: sync.Applied, Version: r.Version}, nil
}

// remove takes a record's copies from every district and tombstones it.
// The copies go first: setCopies finds the districts that lose their last
// copy of the student (and so the student) among the live records, and a
// tombstone is not one.
func (p *pusher) remove(cur hubRecord, regions []string) (sync.Result, error) {
	if err := p.setCopies(cur.MigrantRecord, nil, regions); err != nil {
		return sync.Result{}, err
	}
	p.wrote(cur.ID, cur.StateID, nil)
	if err := p.tx.Exec(`UPDATE migrant_records SET deleted = 1, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?`,
		p.stamp(), p.user.Username, cur.ID); err != nil {
		return sync.Result{}, err
	}
	if err := p.audit("delete", cur.ID, recordText(cur.MigrantRecord), ""); err != nil {
		return sync.Result{}, err
	}
	if err := logRecord(p.tx, &p.feed, cur.ID, regions); err != nil {
		return sync.Result{}, err
	}
	return sync.Result{Outcome: sync.Applied, Version: cur.Version + 1}, nil
}

// publish sends the record to the districts the hub's own enrollments
// call for (data.PublishTargets), never the client's list.
func (p *pusher) publish(cur hubRecord, regions []string) (sync.Result, error) {
	st, err := p.student(cur.StateID)
	if err != nil {
		return sync.Result{}, err
	}
	var es []data.PlacedEnrollment
	if st != nil {
		es = st.enrollments
	}
	targets := data.PublishTargets(cur.MigrantRecord, es)
	if len(targets) == 0 {
		return sync.Result{}, reject("the student has no enrollment in any district during the eligibility window, so there is no district to publish to")
	}
	if err := p.setCopies(cur.MigrantRecord, targets, regions); err != nil {
		return sync.Result{}, err
	}
	p.wrote(cur.ID, cur.StateID, &cur.MigrantRecord)
	if err := p.tx.Exec(`UPDATE migrant_records SET published_version = version, published_at = ?, published_by = ? WHERE id = ?`,
		p.stamp(), p.user.Username, cur.ID); err != nil {
		return sync.Result{}, err
	}
	numbers := make([]string, len(targets))
	for i, d := range targets {
		numbers[i] = d.Number
	}
	after, _ := json.Marshal(map[string]any{"version": cur.Version, "districts": numbers})
	if err := p.audit("publish", cur.ID, "", string(after)); err != nil {
		return sync.Result{}, err
	}
	if err := logRecord(p.tx, &p.feed, cur.ID, regions); err != nil {
		return sync.Result{}, err
	}
	return sync.Result{Outcome: sync.Applied, Version: cur.Version}, nil
}

// setCopies makes the record's copies exactly the targets: written with
// the record's values, removed from districts no longer among them. A
// district that gains its first copy of the student receives the
// student's rows; one that loses its last copy has them evicted.
func (p *pusher) setCopies(r data.MigrantRecord, targets []data.District, regions []string) error {
	before, err := copyDistricts(p.tx, r.StateID)
	if err != nil {
		return err
	}
	old, err := p.copiesOf(r.ID)
	if err != nil {
		return err
	}
	delete(p.copies, r.ID)
	keep := map[string]bool{}
	for _, d := range targets {
		keep[d.Number] = true
		if err := p.tx.Exec(`INSERT INTO published(record_id, district_number, version, mis2000_id, qad, eed, published_at, published_by)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(record_id, district_number) DO UPDATE SET version = excluded.version,
			mis2000_id = excluded.mis2000_id, qad = excluded.qad, eed = excluded.eed,
			published_at = excluded.published_at, published_by = excluded.published_by`,
			r.ID, d.Number, r.Version, r.MIS2000ID, r.QAD.String(), r.EED.String(), p.stamp(), p.user.Username); err != nil {
			return fmt.Errorf("publish record %s to district %s: %w", r.ID, d.Number, err)
		}
	}
	for _, row := range old {
		d := row["district_number"]
		if keep[d] {
			continue
		}
		if err := p.tx.Exec(`DELETE FROM published WHERE record_id = ? AND district_number = ?`, r.ID, d); err != nil {
			return err
		}
		p.feed.log("published", true, false, keyOf("published", row), append(clerkTags(regions), districtTag(d))...)
		if err := logDistrictRecord(p.tx, &p.feed, r.ID, d, true); err != nil {
			return err
		}
	}
	after, err := copyDistricts(p.tx, r.StateID)
	if err != nil {
		return err
	}
	for d := range after {
		if !before[d] {
			if err := logStudent(p.tx, &p.feed, r.StateID, d, false); err != nil {
				return err
			}
		}
	}
	for _, d := range targets {
		if err := logCopy(p.tx, &p.feed, r.ID, d.Number, regions); err != nil {
			return err
		}
	}
	for d := range before {
		if !after[d] {
			if err := logStudent(p.tx, &p.feed, r.StateID, d, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// logRecord logs the record as clerks (and the state administrator) see
// it, regions being those of its student.
func logRecord(tx Tx, f *feed, id string, regions []string) error {
	rows, err := rowsOf(tx, "migrant_records", "t.id = ?", id)
	if err != nil || len(rows) == 0 {
		return err
	}
	f.log("migrant_records", false, false, rows[0], clerkTags(regions)...)
	return nil
}

// logDistrictRecord logs the record as a district sees it: its values are
// those of the copy published to the district, never a clerk's later
// unpublished edit (see districtRecordRow).
func logDistrictRecord(tx Tx, f *feed, id, district string, evict bool) error {
	if evict {
		f.log("migrant_records", true, true, map[string]string{"id": id}, districtTag(district))
		return nil
	}
	row, err := districtRecordRow(tx, id, district)
	if err != nil || row == nil {
		return err
	}
	f.log("migrant_records", false, true, row, districtTag(district))
	return nil
}

// logCopy logs the record's copy published to district, for the district
// and for the clerks of regions (the student's): the record as the
// district sees it first, since a district's workstation that has never
// held the record applies the feed in order, and its copy refers to the
// record.
func logCopy(tx Tx, f *feed, id, district string, regions []string) error {
	if err := logDistrictRecord(tx, f, id, district, false); err != nil {
		return err
	}
	rows, err := rowsOf(tx, "published", "t.record_id = ? AND t.district_number = ?", id, district)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("record %s has no copy in district %s to log", id, district)
	}
	f.log("published", false, false, rows[0], append(clerkTags(regions), districtTag(district))...)
	return nil
}

func (p *pusher) grant(m sync.Mutation) (sync.Result, error) {
	var g sync.Grant
	if err := decodePayload(m.Payload, &g, []textField{{"username", "the user name", &g.Username},
		{"district", "the district number", &g.District}}); err != nil {
		return sync.Result{}, err
	}
	if sync.GrantID(g.Username, g.District) != m.EntityID {
		return sync.Result{}, reject("the change names grant %s but carries %s", m.EntityID, sync.GrantID(g.Username, g.District))
	}
	target, err := UserNamed(p.tx, g.Username)
	if err != nil {
		return sync.Result{}, err
	}
	allowed := p.user.MayRevokeReport(g.District)
	if m.Op == sync.OpGrant {
		allowed = p.user.MayGrantReport(target, g.District)
	}
	if allowed != nil {
		return sync.Result{}, reject("%v", allowed)
	}
	tags := []string{districtTag(g.District)}
	held, err := rowsOf(p.tx, "report_grants", "t.username = ? AND t.district_number = ?", g.Username, g.District)
	if err != nil {
		return sync.Result{}, err
	}
	// What is granted already, or revoked already (by another
	// administrator, offline as this one was), is no change: the audit
	// log keeps the row of the one that was made, and only that one,
	// so that it names who gave or ended the access and when. The
	// workstation has what it asked for, and is answered applied, with
	// why nothing changed.
	switch {
	case m.Op == sync.OpGrant && len(held) > 0:
		// Logged again all the same: the workstation passed over the
		// hub's row while its own grant waited, and takes who granted
		// it, and when, from this one.
		p.feed.log("report_grants", false, false, held[0], tags...)
		return sync.Result{Outcome: sync.Applied, Version: sync.GrantVersion(held[0]["granted_at"]),
			Reason: fmt.Sprintf("%s may run the QA Migrant report of district %s already, granted by %s: nothing changed",
				g.Username, g.District, held[0]["granted_by"])}, nil
	case m.Op == sync.OpRevoke && len(held) == 0:
		return sync.Result{Outcome: sync.Applied, Reason: fmt.Sprintf("%s holds no grant of the QA Migrant report of district %s (revoked already): nothing changed",
			g.Username, g.District)}, nil
	case m.Op == sync.OpRevoke && m.BaseVersion != 0 && sync.GrantVersion(held[0]["granted_at"]) != m.BaseVersion:
		// The grant the administrator revoked, offline, was ended and
		// made again since: the new one is another administrator's
		// decision, which this revoke never saw, and it stands until
		// someone who sees it revokes it. Logged again, as a grant held
		// already is: the workstation passed over the row while its
		// revoke waited.
		p.feed.log("report_grants", false, false, held[0], tags...)
		var granter string
		if err := p.tx.QueryRow(`SELECT coalesce(nullif((SELECT full_name FROM users WHERE username = ?), ''), ?)`,
			held[0]["granted_by"], held[0]["granted_by"]).Scan(&granter); err != nil {
			return sync.Result{}, err
		}
		// Short: a refused change is listed on one line beside what it
		// was, which names the report and district.
		return sync.Result{Outcome: sync.Rejected, Reason: fmt.Sprintf("%s granted %s the report again on %s, after the grant you revoked offline. Revoke it again if you still mean it",
			granter, target.FullName, data.DayOf(held[0]["granted_at"]))}, nil
	}
	var version int
	if m.Op == sync.OpGrant {
		if err := p.tx.Exec(`INSERT INTO report_grants(username, district_number, granted_by, granted_at) VALUES(?, ?, ?, ?)`,
			g.Username, g.District, p.user.Username, p.stamp()); err != nil {
			return sync.Result{}, err
		}
		rows, err := rowsOf(p.tx, "report_grants", "t.username = ? AND t.district_number = ?", g.Username, g.District)
		if err != nil {
			return sync.Result{}, err
		}
		p.feed.log("report_grants", false, false, rows[0], tags...)
		version = sync.GrantVersion(rows[0]["granted_at"])
	} else {
		if err := p.tx.Exec(`DELETE FROM report_grants WHERE username = ? AND district_number = ?`, g.Username, g.District); err != nil {
			return sync.Result{}, err
		}
		p.feed.log("report_grants", true, false, map[string]string{"username": g.Username, "district_number": g.District}, tags...)
	}
	action := "grant report"
	if m.Op == sync.OpRevoke {
		action = "revoke report"
	}
	if err := p.log.Append(p.stamp(), p.user.Username, action, "user", g.Username, "", "QA Migrant report, district "+g.District); err != nil {
		return sync.Result{}, err
	}
	return sync.Result{Outcome: sync.Applied, Version: version}, nil
}

// appendAudit keeps a row of a workstation's audit log in the hub's: a
// PII export, which the state must be able to account for without the
// workstation. The user is the signed-in one, never one the row names;
// the row's place and hash in the workstation's chain are kept with it
// (in before, which an export row leaves empty), so the two logs can be
// matched row by row.
func (p *pusher) appendAudit(m sync.Mutation) (sync.Result, error) {
	var a sync.AuditRow
	if err := decodePayload(m.Payload, &a, []textField{{"at", "the time", &a.At}, {"action", "the action", &a.Action},
		{"entity", "the entity", &a.Entity}, {"entity_id", "the entity ID", &a.EntityID}, {"hash", "the hash", &a.Hash}}); err != nil {
		return sync.Result{}, err
	}
	switch {
	case a.Hash != m.EntityID:
		return sync.Result{}, reject("the change names audit row %s but carries %s", m.EntityID, a.Hash)
	case a.Action != "export":
		return sync.Result{}, reject("the hub keeps the exports of a workstation's audit log, not its %q rows", a.Action)
	case a.Seq < 1:
		return sync.Result{}, reject("the audit row has no place in its log (seq %d)", a.Seq)
	}
	if _, err := time.Parse(time.RFC3339, a.At); err != nil {
		return sync.Result{}, reject("the audit row's time %q is not a time", a.At)
	}
	if err := keptText(a.After); err != nil {
		return sync.Result{}, reject("what the audit row records: %v", err)
	}
	origin, _ := json.Marshal(map[string]any{"workstation_seq": a.Seq, "workstation_hash": a.Hash})
	if err := p.log.Append(a.At, p.user.Username, a.Action, a.Entity, a.EntityID, string(origin), a.After); err != nil {
		return sync.Result{}, err
	}
	return sync.Result{Outcome: sync.Applied}, nil
}

// audit records an applied change with the signed-in user who made it.
func (p *pusher) audit(action, id, before, after string) error {
	return p.log.Append(p.stamp(), p.user.Username, action, sync.EntityRecord, id, before, after)
}

func recordText(r data.MigrantRecord) string {
	b, _ := json.Marshal(sync.Record{ID: r.ID, StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD.String(),
		EED: r.EED.String(), Version: r.Version})
	return string(b)
}
