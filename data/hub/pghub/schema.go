package pghub

// migrations are applied in order at Open, under an advisory lock so that
// hubs starting together migrate once; hub_schema holds how many have
// run. Append only: a shipped migration is never edited.
//
// Tables and columns keep the names of the SQLite store (data/store's
// schema) wherever the concept is the same, so an operator's query or a
// report script works on either back end. Text is COLLATE "C" (byte order,
// as SQLite compares), so keys sort and page the same on both whatever
// the database's locale; dates are YYYY-MM-DD text, times RFC 3339 text
// and flags integers, as on SQLite. What only a workstation keeps (the
// search index and keys, the outbox, conflicts, needs-publishing flags)
// is not here.
var migrations = []string{
	// 1: the state extract, migrant records and their copies, users and
	// grants, the append-only audit log, and the hub's own tables.
	`
CREATE TABLE meta (
	key   text COLLATE "C" PRIMARY KEY,
	value text NOT NULL
);

CREATE TABLE regions (
	code text COLLATE "C" PRIMARY KEY,
	name text NOT NULL
);

CREATE TABLE districts (
	number      text COLLATE "C" PRIMARY KEY,
	name        text NOT NULL,
	region_code text COLLATE "C" NOT NULL REFERENCES regions(code)
);
CREATE INDEX districts_region ON districts(region_code);

CREATE TABLE schools (
	number          text COLLATE "C" PRIMARY KEY,
	district_number text COLLATE "C" NOT NULL REFERENCES districts(number),
	name            text NOT NULL,
	classification  text NOT NULL DEFAULT '',
	public          integer NOT NULL DEFAULT 1
);
CREATE INDEX schools_district ON schools(district_number);

CREATE TABLE students (
	state_id     text COLLATE "C" PRIMARY KEY,
	local_number text NOT NULL DEFAULT '',
	last_name    text NOT NULL,
	first_name   text NOT NULL,
	middle_name  text NOT NULL DEFAULT '',
	birth_date   text COLLATE "C" NOT NULL,
	gender       text NOT NULL,
	race         text NOT NULL
);

CREATE TABLE enrollments (
	id            text COLLATE "C" PRIMARY KEY,
	state_id      text COLLATE "C" NOT NULL REFERENCES students(state_id),
	school_number text COLLATE "C" NOT NULL REFERENCES schools(number),
	grade         text NOT NULL,
	service_type  text NOT NULL,
	start_date    text COLLATE "C" NOT NULL,
	end_date      text COLLATE "C" NOT NULL DEFAULT ''
);
-- With the school, the push's publish targets and regions read the index alone.
CREATE INDEX enrollments_student ON enrollments(state_id, school_number);
CREATE INDEX enrollments_school ON enrollments(school_number, start_date);

CREATE TABLE programs (
	state_id   text COLLATE "C" NOT NULL REFERENCES students(state_id),
	program    text COLLATE "C" NOT NULL,
	code       text NOT NULL DEFAULT '',
	start_date text COLLATE "C" NOT NULL,
	end_date   text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX programs_student ON programs(state_id, program, start_date);

CREATE TABLE assessments (
	state_id          text COLLATE "C" NOT NULL REFERENCES students(state_id),
	subject           text COLLATE "C" NOT NULL,
	test_date         text COLLATE "C" NOT NULL,
	performance_level text NOT NULL,
	PRIMARY KEY (state_id, subject, test_date)
);

CREATE TABLE migrant_records (
	id                text COLLATE "C" PRIMARY KEY,
	state_id          text COLLATE "C" NOT NULL REFERENCES students(state_id),
	mis2000_id        text NOT NULL,
	qad               text COLLATE "C" NOT NULL,
	eed               text COLLATE "C" NOT NULL,
	version           integer NOT NULL DEFAULT 1,
	deleted           integer NOT NULL DEFAULT 0,
	created_at        text NOT NULL,
	created_by        text NOT NULL,
	updated_at        text NOT NULL,
	updated_by        text NOT NULL,
	published_version integer NOT NULL DEFAULT 0,
	published_at      text NOT NULL DEFAULT '',
	published_by      text NOT NULL DEFAULT ''
);
CREATE INDEX migrant_records_student ON migrant_records(state_id);

CREATE TABLE published (
	record_id       text COLLATE "C" NOT NULL REFERENCES migrant_records(id),
	district_number text COLLATE "C" NOT NULL REFERENCES districts(number),
	version         integer NOT NULL,
	mis2000_id      text NOT NULL,
	qad             text COLLATE "C" NOT NULL,
	eed             text COLLATE "C" NOT NULL,
	published_at    text NOT NULL,
	published_by    text NOT NULL,
	PRIMARY KEY (record_id, district_number)
);
CREATE INDEX published_district ON published(district_number, record_id);

CREATE TABLE users (
	username        text COLLATE "C" PRIMARY KEY,
	full_name       text COLLATE "C" NOT NULL,
	role            text NOT NULL,
	region_code     text COLLATE "C" NOT NULL DEFAULT '',
	district_number text COLLATE "C" NOT NULL DEFAULT '',
	email           text NOT NULL DEFAULT ''
);

CREATE TABLE user_districts (
	username        text COLLATE "C" NOT NULL REFERENCES users(username),
	district_number text COLLATE "C" NOT NULL REFERENCES districts(number),
	PRIMARY KEY (username, district_number)
);

CREATE TABLE report_grants (
	username        text COLLATE "C" NOT NULL REFERENCES users(username),
	district_number text COLLATE "C" NOT NULL REFERENCES districts(number),
	granted_by      text NOT NULL,
	granted_at      text NOT NULL,
	PRIMARY KEY (username, district_number)
);

-- Append-only: the triggers refuse any change to a written row, whatever
-- role asks (the hub's own role has no UPDATE or DELETE on it either, see
-- the README's setup).
CREATE TABLE audit (
	seq       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	at        text NOT NULL,
	username  text NOT NULL,
	action    text NOT NULL,
	entity    text NOT NULL,
	entity_id text NOT NULL,
	before    text NOT NULL DEFAULT '',
	after     text NOT NULL DEFAULT ''
);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
	FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE hub_accounts (
	username      text COLLATE "C" PRIMARY KEY REFERENCES users(username),
	password_hash text NOT NULL DEFAULT '',
	disabled      integer NOT NULL DEFAULT 0
);
CREATE TABLE hub_tokens (
	hash       text COLLATE "C" PRIMARY KEY,
	username   text COLLATE "C" NOT NULL REFERENCES users(username),
	expires_at text COLLATE "C" NOT NULL
);
CREATE INDEX hub_tokens_user ON hub_tokens(username);
CREATE INDEX hub_tokens_expiry ON hub_tokens(expires_at);
-- epoch: the hub's epoch; database: the database it was made in (see
-- DB.checkEpoch).
CREATE TABLE hub_meta (
	key   text COLLATE "C" PRIMARY KEY,
	value text NOT NULL
);
-- Every mutation applied, with the answer it got, so that a retried push
-- gets the same answer and is applied once.
CREATE TABLE hub_applied (
	mutation_id text COLLATE "C" PRIMARY KEY,
	username    text NOT NULL,
	at          text NOT NULL,
	result      text NOT NULL
);
-- The change feed workstations pull after their cursor, with the tags of
-- the scopes that see each change (see hubsql's changes.go). Writers hold
-- the feed lock until they commit, so seq order is commit order.
CREATE TABLE hub_changes (
	seq    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	tbl    text NOT NULL,
	op     text NOT NULL,
	scoped integer NOT NULL DEFAULT 0,
	row    text NOT NULL
);
-- The regions whose clerks see each student: those of the districts of
-- the student's enrollments, or '*' for a student enrolled nowhere. Only
-- an import changes enrollments, and it rebuilds this; a clerk's snapshot
-- asks it of every row it reads (hubsql.RegionStudents).
CREATE TABLE hub_student_regions (
	state_id    text COLLATE "C" NOT NULL,
	region_code text COLLATE "C" NOT NULL,
	PRIMARY KEY (state_id, region_code)
);
CREATE TABLE hub_change_tags (
	tag text COLLATE "C" NOT NULL,
	seq bigint NOT NULL,
	PRIMARY KEY (tag, seq)
);
`,
	// 2: each change's random mark, which a workstation's cursor carries
	// so that a hub restored from an older dump sees a cursor it never
	// gave (hubsql.Logged).
	`ALTER TABLE hub_changes ADD COLUMN mark text NOT NULL DEFAULT ''`,
	// 3: each audit row's hash, chained to the row before it as the
	// workstation's log is (data.AuditHash; hubsql.AuditLog writes it from
	// now on), so that the hub's log can be verified too. The rows already
	// there are hashed in seq order, as they are now: the append-only
	// trigger is dropped for that and made again, inside this migration's
	// transaction, so no other change slips in meanwhile. The encoding is
	// data.AuditEncoding's: each field as a netstring of its UTF-8 bytes
	// (TestMigrationHashesAudit holds the two together).
	`
ALTER TABLE audit ADD COLUMN hash text NOT NULL DEFAULT '';
DROP TRIGGER audit_no_update ON audit;
DO $$
DECLARE
	r    record;
	prev text := '';
	enc  text;
	f    text;
BEGIN
	FOR r IN SELECT seq, at, username, action, entity, entity_id, before, after FROM audit ORDER BY seq LOOP
		enc := '';
		FOREACH f IN ARRAY ARRAY['migrantdesk audit row v1', r.seq::text, r.at, r.username, r.action,
				r.entity, r.entity_id, r.before, r.after, prev] LOOP
			enc := enc || octet_length(convert_to(f, 'UTF8'))::text || ':' || f || ',';
		END LOOP;
		prev := encode(sha256(convert_to(enc, 'UTF8')), 'hex');
		UPDATE audit SET hash = prev WHERE seq = r.seq;
	END LOOP;
	IF prev <> '' THEN
		INSERT INTO meta(key, value) SELECT 'audit_head', max(seq)::text || ' ' || prev FROM audit
			ON CONFLICT(key) DO UPDATE SET value = excluded.value;
	END IF;
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
`,
}
