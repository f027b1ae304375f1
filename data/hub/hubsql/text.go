package hubsql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"migrantdesk/data"
)

// decodePayload reads a mutation's payload strictly into v and holds each
// of its text fields to the rule the importer and the app's form use
// (data.CleanText), so that a name or an ID reaches the hub's database as
// it would have from a file. encoding/json puts U+FFFD in place of bytes
// that are not UTF-8 and of unpaired surrogate escapes, so those are
// refused here, on the payload as sent, before they are lost. texts names
// v's text fields (JSON name → person's name) and where each one is; each
// is replaced by its clean form.
func decodePayload(payload json.RawMessage, v any, texts []textField) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return reject("the change could not be read: %v", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return reject("the change could not be read: %v", err)
	}
	for _, f := range texts {
		if r, ok := raw[f.json]; ok && (!utf8.Valid(r) || lostRune(r, *f.value)) {
			return reject("%s is not UTF-8 text (or holds half of a surrogate pair); retype it", f.name)
		}
		clean, err := data.CleanText(*f.value)
		if err != nil {
			return reject("%s: %v", f.name, err)
		}
		*f.value = clean
	}
	return nil
}

// textField is one text field of a payload: its JSON name, the name a
// person knows it by, and where its decoded value is.
type textField struct {
	json, name string
	value      *string
}

// lostRune reports whether decoding put U+FFFD in s that the raw JSON
// did not hold, as the character itself or as its escape.
func lostRune(raw json.RawMessage, s string) bool {
	if !bytes.ContainsRune([]byte(s), utf8.RuneError) {
		return false
	}
	return bytes.Count([]byte(s), []byte("\uFFFD")) >
		bytes.Count(raw, []byte("\uFFFD"))+bytes.Count(bytes.ToLower(raw), []byte(`\ufffd`))
}

// keptText checks text the hub keeps as a workstation wrote it, of any
// length and not normalised (an audit row's after, which the row's hash
// in the workstation's chain covers): it holds no control character
// below U+0020. The workstation writes it with encoding/json, which
// escapes every one of them, so one is a damaged or forged row; and
// U+0000 is text PostgreSQL cannot store, which SQLite would keep.
func keptText(s string) error {
	for i, r := range []rune(s) {
		if r < 0x20 {
			return &data.TextError{Char: i + 1, Reason: fmt.Sprintf("is a control character (U+%04X), which has no place in text", r)}
		}
	}
	return nil
}
