package data

import (
	"errors"
	"strings"
	"testing"
)

func TestAuditEncodingTellsFieldsApart(t *testing.T) {
	a := AuditRow{Seq: 1, User: "ab", Action: "c"}
	b := AuditRow{Seq: 1, User: "a", Action: "bc"}
	if AuditHash("", a) == AuditHash("", b) {
		t.Fatal("moving text between fields kept the hash")
	}
	if AuditHash("", a) == AuditHash(strings.Repeat("0", 64), a) {
		t.Fatal("the previous hash is not part of the row's")
	}
	c := a
	c.Seq = 2
	if AuditHash("", a) == AuditHash("", c) {
		t.Fatal("the row number is not part of the hash")
	}
}

// The encoding is shared with the hub: a change to it must be a new
// version (auditEncodingTag), never a silent one. This pins it.
func TestAuditHashIsStable(t *testing.T) {
	r := AuditRow{Seq: 7, At: "2026-11-29T12:00:00Z", User: "cora", Action: "export", Entity: "report",
		EntityID: "001", Before: "", After: `{"Report":"QA Migrant detail"}`}
	got := string(AuditEncoding("ab", r))
	want := `24:migrantdesk audit row v1,1:7,20:2026-11-29T12:00:00Z,4:cora,6:export,6:report,3:001,0:,30:{"Report":"QA Migrant detail"},2:ab,`
	if got != want {
		t.Fatalf("encoding\n%s\nwant\n%s", got, want)
	}
	if h := AuditHash("ab", r); len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not 64 lower-case hex digits", h)
	}
}

func TestAuditChainNamesTheFirstBrokenRow(t *testing.T) {
	rows := make([]AuditRow, 5)
	hashes := make([]string, 5)
	prev := ""
	for i := range rows {
		rows[i] = AuditRow{Seq: int64(i + 1), User: "u", Action: "a"}
		hashes[i] = AuditHash(prev, rows[i])
		prev = hashes[i]
	}
	check := func(rs []AuditRow, hs []string) error {
		var c AuditChain
		for i := range rs {
			if err := c.Check(rs[i], hs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(rows, hashes); err != nil {
		t.Fatalf("an intact chain: %v", err)
	}
	changed := append([]AuditRow(nil), rows...)
	changed[2].User = "nobody"
	var br *AuditBreak
	if err := check(changed, hashes); !errors.As(err, &br) || br.Seq != 3 {
		t.Fatalf("a changed row 3: %v", err)
	}
	// Dropping row 2 breaks row 3, which names the gap.
	if err := check(append(rows[:1:1], rows[2:]...), append(hashes[:1:1], hashes[2:]...)); !errors.As(err, &br) || br.Seq != 3 || br.Missing != 1 {
		t.Fatalf("row 2 removed: %v", err)
	}
	if err := check([]AuditRow{rows[1], rows[0]}, []string{hashes[1], hashes[0]}); err == nil {
		t.Fatal("rows out of order passed")
	}
}
