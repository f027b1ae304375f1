package data

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
)

// AuditRow is one row of an audit log as its hash covers it. The
// workstation's log and, later, the hub's copy of it chain rows with
// AuditHash, so both must encode a row the same way: the encoding lives
// here rather than beside either database.
type AuditRow struct {
	Seq      int64 // position in the log: 1, 2, 3, ...
	At       string
	User     string
	Action   string
	Entity   string
	EntityID string
	Before   string
	After    string
}

// auditEncodingTag names the encoding, so that a later change of fields
// gives every hash a new value instead of a silent collision with old ones.
const auditEncodingTag = "migrantdesk audit row v1"

// AuditEncoding is the canonical bytes of r chained to prev (the hash of
// the row before it, "" for the first row): each field as a netstring,
// LENGTH ":" BYTES ",", so that no two different rows encode alike however
// their text splits between fields.
func AuditEncoding(prev string, r AuditRow) []byte {
	fields := []string{auditEncodingTag, strconv.FormatInt(r.Seq, 10), r.At, r.User, r.Action,
		r.Entity, r.EntityID, r.Before, r.After, prev}
	n := 0
	for _, f := range fields {
		n += len(f) + 22
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, ',')
	}
	return b
}

// AuditHash is the hash a row carries: SHA-256 of its canonical encoding
// chained to the previous row's hash, in lower-case hex.
func AuditHash(prev string, r AuditRow) string {
	sum := sha256.Sum256(AuditEncoding(prev, r))
	return hex.EncodeToString(sum[:])
}

// AuditChain checks the rows of a log one by one, in order.
type AuditChain struct {
	prevSeq  int64
	prevHash string
}

// AuditBreak is where a chain stops holding: the first row whose stored
// hash does not follow from the rows before it.
type AuditBreak struct {
	Seq     int64
	Missing int64 // rows gone just before Seq (a gap in the numbers)
	Why     string
}

func (b *AuditBreak) Error() string { return fmt.Sprintf("audit row %d %s", b.Seq, b.Why) }

// Check takes the next row and the hash stored with it; it returns an
// *AuditBreak when that hash is not the one the row and the rows before
// it give: the row, or one before it, was changed, removed or put in by
// something other than the program.
func (c *AuditChain) Check(r AuditRow, stored string) error {
	if r.Seq <= c.prevSeq {
		return &AuditBreak{Seq: r.Seq, Why: fmt.Sprintf("comes after row %d, out of order", c.prevSeq)}
	}
	// A gap alone is no break: rows numbered before the chain existed
	// may skip. A row removed since breaks the hash of the one after it.
	missing := r.Seq - c.prevSeq - 1
	switch want := AuditHash(c.prevHash, r); {
	case stored == want:
	case stored == "":
		return &AuditBreak{Seq: r.Seq, Why: "has no hash: it was not written by Migrant Desk"}
	case missing > 0:
		// The hash cannot tell rows removed from this row edited: both
		// give a row that does not follow from the one before the gap.
		return &AuditBreak{Seq: r.Seq, Missing: missing, Why: fmt.Sprintf(
			"does not follow from row %d: %s missing, or row %d was changed", c.prevSeq, rowSpan(c.prevSeq+1, r.Seq-1), r.Seq)}
	default:
		return &AuditBreak{Seq: r.Seq, Why: "does not match its hash: it, or the row before it, was changed or replaced"}
	}
	c.prevSeq, c.prevHash = r.Seq, stored
	return nil
}

// rowSpan names the rows from to to, one or several.
func rowSpan(from, to int64) string {
	if from == to {
		return fmt.Sprintf("row %d is", from)
	}
	return fmt.Sprintf("rows %d–%d are", from, to)
}

// AuditChainAfter is a chain that goes on after row seq, whose stored
// hash is hash: rows checked before, at another time.
func AuditChainAfter(seq int64, hash string) AuditChain {
	return AuditChain{prevSeq: seq, prevHash: hash}
}

// Last is the sequence number and hash of the last row checked.
func (c *AuditChain) Last() (int64, string) { return c.prevSeq, c.prevHash }
