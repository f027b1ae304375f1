package store

import "database/sql"

// migrations are applied in order at Open; PRAGMA user_version holds how
// many have run. Append only: a shipped migration is never edited.
var migrations = []string{
	// 1: the state extract, migrant records, sync outbox, audit log, users.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE districts (
	number      TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions(code)
) WITHOUT ROWID;
CREATE INDEX districts_region ON districts(region_code);

CREATE TABLE schools (
	number          TEXT PRIMARY KEY,
	district_number TEXT NOT NULL REFERENCES districts(number),
	name            TEXT NOT NULL,
	classification  TEXT NOT NULL DEFAULT '',
	public          INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX schools_district ON schools(district_number);

-- last_key and first_key are data.NormalizeName of the names, for search.
CREATE TABLE students (
	state_id     TEXT PRIMARY KEY,
	local_number TEXT NOT NULL DEFAULT '',
	last_name    TEXT NOT NULL,
	first_name   TEXT NOT NULL,
	middle_name  TEXT NOT NULL DEFAULT '',
	birth_date   TEXT NOT NULL,
	gender       TEXT NOT NULL,
	race         TEXT NOT NULL,
	last_key     TEXT NOT NULL,
	first_key    TEXT NOT NULL,
	sort_key     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX students_birth ON students(birth_date);
-- A prefix of a last name is one range of this index, in result order.
CREATE INDEX students_sort ON students(sort_key, state_id);

-- Search tokens of a student's names (see the tok* fields in search.go),
-- so that either surname of a compound, or a prefix of it, is an index
-- range. sort_key orders hits the way the results list them.
CREATE TABLE name_tokens (
	field    INTEGER NOT NULL,
	token    TEXT NOT NULL,
	sort_key TEXT NOT NULL,
	state_id TEXT NOT NULL,
	PRIMARY KEY (field, token, sort_key, state_id)
) WITHOUT ROWID;
CREATE INDEX name_tokens_student ON name_tokens(state_id);

-- Each district's students in result order, for a search limited to a
-- district.
CREATE TABLE district_students (
	district_number TEXT NOT NULL,
	sort_key        TEXT NOT NULL,
	state_id        TEXT NOT NULL,
	PRIMARY KEY (district_number, sort_key, state_id)
) WITHOUT ROWID;
CREATE INDEX district_students_student ON district_students(state_id);

CREATE TABLE enrollments (
	id            TEXT PRIMARY KEY,
	state_id      TEXT NOT NULL REFERENCES students(state_id),
	school_number TEXT NOT NULL REFERENCES schools(number),
	grade         TEXT NOT NULL,
	service_type  TEXT NOT NULL,
	start_date    TEXT NOT NULL,
	end_date      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
-- Covers finding a student's current enrollment for search results.
CREATE INDEX enrollments_student ON enrollments(state_id, school_number, grade, service_type, start_date, end_date);
CREATE INDEX enrollments_school ON enrollments(school_number, start_date);

CREATE TABLE programs (
	state_id   TEXT NOT NULL REFERENCES students(state_id),
	program    TEXT NOT NULL,
	code       TEXT NOT NULL DEFAULT '',
	start_date TEXT NOT NULL,
	end_date   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX programs_student ON programs(state_id, program);

CREATE TABLE assessments (
	state_id          TEXT NOT NULL REFERENCES students(state_id),
	subject           TEXT NOT NULL,
	test_date         TEXT NOT NULL,
	performance_level TEXT NOT NULL,
	PRIMARY KEY (state_id, subject, test_date)
) WITHOUT ROWID;

-- A migrant record (Student Migrant Detail). id is a UUID made by the
-- client that first saved it. version goes up with every change;
-- published_version is the version last published (0: never). deleted
-- rows are tombstones kept for sync and audit.
CREATE TABLE migrant_records (
	id                TEXT PRIMARY KEY,
	state_id          TEXT NOT NULL REFERENCES students(state_id),
	mis2000_id        TEXT NOT NULL,
	qad               TEXT NOT NULL,
	eed               TEXT NOT NULL,
	version           INTEGER NOT NULL DEFAULT 1,
	deleted           INTEGER NOT NULL DEFAULT 0,
	created_at        TEXT NOT NULL,
	created_by        TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	updated_by        TEXT NOT NULL,
	published_version INTEGER NOT NULL DEFAULT 0,
	published_at      TEXT NOT NULL DEFAULT '',
	published_by      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX migrant_records_student ON migrant_records(state_id);

-- The read-only copies: which districts a record is published to, and the
-- version each received with its values, so that a district (and its
-- reports) sees what was published, not a clerk's later unpublished edit.
CREATE TABLE published (
	record_id       TEXT NOT NULL REFERENCES migrant_records(id),
	district_number TEXT NOT NULL REFERENCES districts(number),
	version         INTEGER NOT NULL,
	mis2000_id      TEXT NOT NULL,
	qad             TEXT NOT NULL,
	eed             TEXT NOT NULL,
	published_at    TEXT NOT NULL,
	published_by    TEXT NOT NULL,
	PRIMARY KEY (record_id, district_number)
) WITHOUT ROWID;
CREATE INDEX published_district ON published(district_number, record_id);

-- Mutations waiting to be pushed to the hub, written in the same
-- transaction as the change they describe. mutation_id is the UUID that
-- makes a retried push apply once.
CREATE TABLE outbox (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	mutation_id  TEXT NOT NULL UNIQUE,
	entity       TEXT NOT NULL,
	entity_id    TEXT NOT NULL,
	op           TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	payload      TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	pushed_at    TEXT NOT NULL DEFAULT ''
);

-- Append-only: the triggers refuse any change to a written row.
CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	at        TEXT NOT NULL,
	username  TEXT NOT NULL,
	action    TEXT NOT NULL,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	before    TEXT NOT NULL DEFAULT '',
	after     TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Local profiles and their roles; the hub holds the same data.
-- role: state_admin, clerk (region_code), coordinator (user_districts),
-- district_admin (district_number).
CREATE TABLE users (
	username        TEXT PRIMARY KEY,
	full_name       TEXT NOT NULL,
	role            TEXT NOT NULL,
	region_code     TEXT NOT NULL DEFAULT '',
	district_number TEXT NOT NULL DEFAULT '',
	email           TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE user_districts (
	username        TEXT NOT NULL REFERENCES users(username),
	district_number TEXT NOT NULL REFERENCES districts(number),
	PRIMARY KEY (username, district_number)
) WITHOUT ROWID;

CREATE TABLE report_grants (
	username        TEXT NOT NULL REFERENCES users(username),
	district_number TEXT NOT NULL REFERENCES districts(number),
	granted_by      TEXT NOT NULL,
	granted_at      TEXT NOT NULL,
	PRIMARY KEY (username, district_number)
) WITHOUT ROWID;
`,

	// 2: sync hooks: each outbox mutation's answer from the hub, conflicts
	// kept for a person, and the cheap count of records needing publishing.
	`
-- state: pending until the hub answers, then the hub's outcome (applied,
-- duplicate, conflict, rejected); reason is a rejection's sentence and
-- hub_version the record's version on the hub after an applied change.
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN hub_version INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET state = 'applied' WHERE pushed_at <> '';
CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 'pending';
CREATE INDEX outbox_pending_entity ON outbox(entity, entity_id) WHERE state = 'pending';

-- A record the hub refused because it changed there first: the local
-- record (mine) and the hub's copy (theirs), as sync.Record JSON, until a
-- person keeps one of them or a merge. mutation_id is the refused one.
CREATE TABLE conflicts (
	record_id   TEXT PRIMARY KEY REFERENCES migrant_records(id),
	mutation_id TEXT NOT NULL,
	mine        TEXT NOT NULL,
	theirs      TEXT NOT NULL,
	at          TEXT NOT NULL
) WITHOUT ROWID;

-- needs_publish is data.NeedsAction of the record as the store last
-- worked it out; the write paths keep it, so the status bar counts an
-- index instead of working out every record's status.
ALTER TABLE migrant_records ADD COLUMN needs_publish INTEGER NOT NULL DEFAULT 0;
CREATE INDEX migrant_records_needs_publish ON migrant_records(state_id) WHERE needs_publish = 1;

-- Students whose enrollments (so their records' publish targets) changed
-- since needs_publish was worked out for their records. The triggers
-- fill it whatever writes the enrollments, the extract import included;
-- the store works the flags out again and empties it.
CREATE TABLE publish_recheck (
	state_id TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO publish_recheck(state_id) SELECT DISTINCT state_id FROM migrant_records WHERE deleted = 0;
-- (NOT EXISTS, not OR IGNORE: a trigger's conflict clause gives way to
-- that of the statement firing it, such as an import's upsert.)
CREATE TRIGGER enrollments_insert_recheck AFTER INSERT ON enrollments
WHEN EXISTS (SELECT 1 FROM migrant_records WHERE state_id = NEW.state_id)
	AND NOT EXISTS (SELECT 1 FROM publish_recheck WHERE state_id = NEW.state_id)
BEGIN INSERT INTO publish_recheck(state_id) VALUES (NEW.state_id); END;
CREATE TRIGGER enrollments_delete_recheck AFTER DELETE ON enrollments
WHEN EXISTS (SELECT 1 FROM migrant_records WHERE state_id = OLD.state_id)
	AND NOT EXISTS (SELECT 1 FROM publish_recheck WHERE state_id = OLD.state_id)
BEGIN INSERT INTO publish_recheck(state_id) VALUES (OLD.state_id); END;
CREATE TRIGGER enrollments_update_recheck AFTER UPDATE ON enrollments
WHEN OLD.state_id IS NOT NEW.state_id OR OLD.school_number IS NOT NEW.school_number
	OR OLD.start_date IS NOT NEW.start_date OR OLD.end_date IS NOT NEW.end_date
BEGIN
	INSERT INTO publish_recheck(state_id) SELECT DISTINCT r.state_id FROM migrant_records r
		WHERE r.state_id IN (OLD.state_id, NEW.state_id)
		AND NOT EXISTS (SELECT 1 FROM publish_recheck p WHERE p.state_id = r.state_id);
END;
CREATE TRIGGER schools_district_recheck AFTER UPDATE OF district_number ON schools
WHEN OLD.district_number IS NOT NEW.district_number
BEGIN
	INSERT INTO publish_recheck(state_id) SELECT DISTINCT e.state_id FROM enrollments e
		WHERE e.school_number = NEW.number AND EXISTS (SELECT 1 FROM migrant_records r WHERE r.state_id = e.state_id)
		AND NOT EXISTS (SELECT 1 FROM publish_recheck p WHERE p.state_id = e.state_id);
END;
`,

	// 3: search walks the students of a gender (in a district, or in
	// the state), of a state-ID prefix of two characters, or whose last
	// name has a later word starting with a letter (name_tokens field
	// 10, from field 4) in result order, however few match: a search by
	// these alone stops after the page it shows. An import finds a
	// student's search index rows by scanning them when it replaces a
	// few students, and rebuilds the whole index when it replaces most;
	// the indexes by student cost a state import as much as all the
	// others together. The page cache grows for the migration: at state
	// scale, filling in the genders with the default 2 MB cache takes
	// minutes instead of seconds.
	`
PRAGMA cache_size = -262144;
INSERT OR IGNORE INTO name_tokens(field, token, sort_key, state_id)
	SELECT 10, substr(token, 1, 1), sort_key, state_id FROM name_tokens WHERE field = 4;
ALTER TABLE district_students ADD COLUMN gender TEXT NOT NULL DEFAULT '';
UPDATE district_students SET gender = (SELECT s.gender FROM students s WHERE s.state_id = district_students.state_id);
CREATE INDEX district_students_gender ON district_students(district_number, gender, sort_key, state_id);
CREATE INDEX students_gender ON students(gender, sort_key, state_id);
CREATE INDEX students_id2 ON students(substr(state_id, 1, 2), sort_key, state_id);
DROP INDEX name_tokens_student;
DROP INDEX district_students_student;
PRAGMA cache_size = -2000;
`,

	// 4: an import marks the records for the publish recheck once, through
	// its imported_at stamp, instead of a trigger per enrollment row: those
	// cost about a tenth more CPU on an import. ApplyPage marks the
	// students of the enrollments and schools it pulls itself.
	`
DROP TRIGGER enrollments_insert_recheck;
DROP TRIGGER enrollments_delete_recheck;
DROP TRIGGER enrollments_update_recheck;
DROP TRIGGER schools_district_recheck;
-- imported_at is MetaImported. (NOT IN, not OR IGNORE: a trigger's
-- conflict clause gives way to that of the statement firing it, here an
-- upsert.)
CREATE TRIGGER import_recheck AFTER INSERT ON meta WHEN NEW.key = 'imported_at'
BEGIN
	INSERT INTO publish_recheck(state_id) SELECT DISTINCT state_id FROM migrant_records
		WHERE deleted = 0 AND state_id NOT IN (SELECT state_id FROM publish_recheck);
END;
CREATE TRIGGER import_recheck_again AFTER UPDATE ON meta WHEN NEW.key = 'imported_at'
BEGIN
	INSERT INTO publish_recheck(state_id) SELECT DISTINCT state_id FROM migrant_records
		WHERE deleted = 0 AND state_id NOT IN (SELECT state_id FROM publish_recheck);
END;
`,

	// 5: the audit log becomes tamper-evident: each row carries a hash
	// chained to the row before it (data.AuditHash), filled in for the
	// rows already there by migrationCode[5], which also puts the
	// triggers back (auditTriggers), now refusing a REPLACE over a row too.
	// The app looks up the files of the latest exports at start (for
	// partial files a killed export left) through audit_action.
	`
ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_action ON audit(action, seq);
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
`,
	// 6: when each user last looked at each district's window, for the
	// worklist's "since you last looked". Local to the workstation: it is
	// a person's reading position, not data the hub shares.
	`
CREATE TABLE district_looks (
	username        TEXT NOT NULL,
	district_number TEXT NOT NULL,
	looked_at       TEXT NOT NULL,
	PRIMARY KEY (username, district_number)
) WITHOUT ROWID;
`,
	// 7: the students each user opened last, for the search screen's
	// "Recently opened". Not a foreign key: a re-import or a pull may
	// remove a student, and the list then skips them. opened orders a
	// user's list (a counter: two opens in one second stay in order).
	`
CREATE TABLE recent_students (
	username TEXT NOT NULL,
	state_id TEXT NOT NULL,
	opened   INTEGER NOT NULL,
	PRIMARY KEY (username, state_id)
) WITHOUT ROWID;
CREATE INDEX recent_students_order ON recent_students(username, opened);
`,
	// 8: the audit log's last row (seq and hash) is kept in meta as well,
	// written by the transaction that writes the row (see write), so that
	// cutting rows off the end of the log means forging meta too, not
	// only sqlite_sequence. AuditHeadVersion names this migration.
	`
INSERT INTO meta(key, value)
SELECT 'audit_head', seq || ' ' || hash FROM audit ORDER BY seq DESC LIMIT 1;
`,
	// 9: search finds a last name (or its start) with a first initial in
	// one range of name_tokens, in result order: the first name's
	// initials (field 11) and each with a later word of the last name
	// (field 12), written by migrationCode[9] (indexInitials).
	`
DELETE FROM name_tokens WHERE field IN (11, 12);
`,
	// 10: the status bar counts a region's records that need publishing
	// without visiting each one's enrollments, which at state scale was
	// most of the app's start: a flagged record keeps the districts of
	// its student's enrollments (publishDistricts, kept with the flag by
	// setNeedsPublish, which runs for each student whose enrollments or
	// schools' districts change), and the count groups the flagged
	// records by them and reads each district's region, which may change
	// without a recheck, when it counts.
	`
ALTER TABLE migrant_records ADD COLUMN publish_districts TEXT NOT NULL DEFAULT '';
UPDATE migrant_records SET publish_districts = ` + publishDistricts + ` WHERE needs_publish = 1;
CREATE INDEX migrant_records_publish_districts ON migrant_records(publish_districts) WHERE needs_publish = 1;
`,
	// 11: saving a record asks how the hub answered its creation
	// (renewRefused), among mutations of every state: the outbox keeps
	// every mutation sent, a clerk's hundred thousand after a few
	// years, and without this index each save read them all (about
	// 50 ms at 100,000; 0.2 ms with it).
	`
CREATE INDEX outbox_entity ON outbox(entity, entity_id, seq);
`,
	// 12: what a person typed in a Student Migrant Detail and has not
	// saved (Draft), kept as they type. Not a foreign key, as
	// recent_students: a pull may remove the student or the record,
	// and the typing is still the person's to see.
	`
CREATE TABLE drafts (
	username   TEXT NOT NULL,
	state_id   TEXT NOT NULL,
	record_id  TEXT NOT NULL,
	version    INTEGER NOT NULL,
	mis2000_id TEXT NOT NULL,
	qad        TEXT NOT NULL,
	eed        TEXT NOT NULL,
	eed_chosen INTEGER NOT NULL,
	at         TEXT NOT NULL,
	PRIMARY KEY (username, state_id, record_id)
) WITHOUT ROWID;
`,
	// 13: a merge of a conflict is kept as typed too (Draft.Merge), apart
	// from an edit of the same record: the key takes the kind, and SQLite
	// changes a key only by making the table again.
	`
CREATE TABLE drafts_13 (
	username   TEXT NOT NULL,
	state_id   TEXT NOT NULL,
	record_id  TEXT NOT NULL,
	merge      INTEGER NOT NULL,
	version    INTEGER NOT NULL,
	mis2000_id TEXT NOT NULL,
	qad        TEXT NOT NULL,
	eed        TEXT NOT NULL,
	eed_chosen INTEGER NOT NULL,
	at         TEXT NOT NULL,
	PRIMARY KEY (username, state_id, record_id, merge)
) WITHOUT ROWID;
INSERT INTO drafts_13(username, state_id, record_id, merge, version, mis2000_id, qad, eed, eed_chosen, at)
	SELECT username, state_id, record_id, 0, version, mis2000_id, qad, eed, eed_chosen, at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_13 RENAME TO drafts;
`,
	// 14: every page of pulled records asks which records the hub refused
	// as typed here (refusedTyped), among mutations of every state; this
	// index holds the few refused, where a clerk's outbox holds a hundred
	// thousand mutations after a few years (70 ms a page without it, 0.4
	// ms with it).
	`
CREATE INDEX outbox_refused ON outbox(entity, entity_id, seq) WHERE state IN ('rejected', 'dismissed');
`,
}

// migrationCode is the work of a migration that SQL cannot do, keyed by
// the migration's number and run in its transaction after its SQL.
var migrationCode = map[int]func(*sql.Tx) error{
	5: hashAuditRows,
	9: indexInitials,
}
