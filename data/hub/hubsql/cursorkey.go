package hubsql

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// CursorKey signs the cursors the hub gives out. A pull whose cursor
// names a change the hub never logged renews the epoch for every
// workstation in the state (the hub was restored from a backup older than
// the cursor), so the hub takes that for a restore only from a cursor it
// signed: anyone signed in can type a sequence number, and a made-up one
// would otherwise send the whole state to a fresh snapshot.
//
// The signature travels in the cursor's mark, after a dot: workstations
// keep the mark and send it back without reading it, so those not yet
// upgraded carry signed cursors too. The key is kept in hub_meta, so a
// backup, a pg_dump and hub migrate carry it with the feed whose cursors
// it signed.
type CursorKey []byte

// CursorKeyQuery reads the key (empty when the hub has none yet), and
// whether the hub's change feed has a change: a key made for a feed that
// has one is made for a hub an earlier release served (hub.KeyMaker).
const CursorKeyQuery = `SELECT coalesce((SELECT value FROM hub_meta WHERE key = 'cursor_key'), ''), EXISTS (SELECT 1 FROM hub_changes)`

// NewCursorKey is a new key in hub_meta's text form, for a hub that has
// none: 256 random bits.
func NewCursorKey() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ParseCursorKey reads a key kept in hub_meta.
func ParseCursorKey(s string) (CursorKey, error) {
	k, err := hex.DecodeString(s)
	if err != nil || len(k) < 16 {
		return nil, fmt.Errorf("the hub's cursor key in hub_meta is not one the hub made (%d characters); delete the row and start the hub again", len(s))
	}
	return k, nil
}

// ReadCursorKey reads the hub's cursor key with read (CursorKeyQuery),
// and makes one with insert only when there is none: a start then writes
// nothing, and opens beside a writer that holds the database's lock for
// minutes (an import into a SQLite hub). made says it made the key for a
// feed written without one (hub.KeyMaker).
func ReadCursorKey(read func() (key string, fed bool, err error), insert func(key string) error) (k CursorKey, made bool, err error) {
	for range 2 {
		key, fed, err := read()
		if err != nil {
			return nil, false, fmt.Errorf("read the key of the hub's cursors: %w", err)
		}
		if key != "" {
			k, err := ParseCursorKey(key)
			return k, made, err
		}
		made = fed
		if err := insert(NewCursorKey()); err != nil {
			return nil, false, fmt.Errorf("keep a key for the hub's cursors: %w", err)
		}
	}
	return nil, false, errors.New("keep a key for the hub's cursors: the key written is not read back")
}

// sigSep parts a mark from its signature. Marks are hex (newMark).
const sigSep = "."

// Sign gives c the key's signature of its epoch, sequence and mark.
func (k CursorKey) Sign(c sync.Cursor) sync.Cursor {
	c = Unsigned(c)
	c.Mark += sigSep + k.mac(c)
	return c
}

// Verify reports whether the key signed c.
func (k CursorKey) Verify(c sync.Cursor) bool {
	mark, sig, signed := strings.Cut(c.Mark, sigSep)
	c.Mark = mark
	return signed && hmac.Equal([]byte(sig), []byte(k.mac(c)))
}

// mac is the signature of an unsigned cursor: half of HMAC-SHA256,
// in hex, so that a signed mark stays within the 64 characters a hub
// reads of a mark.
func (k CursorKey) mac(c sync.Cursor) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(c.Epoch + "\x00" + strconv.FormatInt(c.Seq, 10) + "\x00" + c.Mark))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Unsigned is c without the signature of its mark, if it has one.
func Unsigned(c sync.Cursor) sync.Cursor {
	c.Mark, _, _ = strings.Cut(c.Mark, sigSep)
	return c
}

// Lost answers for a pull whose cursor c, of the hub's epoch, names a
// change the hub never logged: nil when the key signed c (the hub was
// restored from an older backup, and starts a new epoch), else
// ErrUnsignedLost.
func (k CursorKey) Lost(c sync.Cursor) error {
	if !k.Verify(c) {
		return ErrUnsignedLost
	}
	return nil
}

// ErrUnsignedLost refuses a pull from a cursor of the hub's epoch naming a
// change the hub never logged, which the hub did not sign: made up, or
// signed with a key the hub no longer has (a restore from a backup taken
// before the hub kept one).
var ErrUnsignedLost = fmt.Errorf("%w: it names a change this hub never logged, and the hub did not sign it; "+
	"if the hub was restored from a backup, ask its operator to start a new epoch with `migrantdeskctl hub new-epoch`", hub.ErrBadCursor)
