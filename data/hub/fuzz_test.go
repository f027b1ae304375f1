package hub

import (
	"net/url"
	"strings"
	"testing"

	"migrantdesk/data/sync"
)

// The hub's request decoding never panics, and what it accepts is within
// its bounds.
func FuzzDecodePush(f *testing.F) {
	f.Add(`{"mutations": []}`)
	f.Add(`{"mutations": [{"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "entity": "migrant_record", "entity_id": "r", "op": "create", "base_version": 0, "payload": {"id": "r"}}]}`)
	f.Add(`{"mutations": null}`)
	f.Fuzz(func(t *testing.T, body string) {
		var req sync.PushRequest
		if DecodeStrict(strings.NewReader(body), 1<<16, &req) != nil {
			return
		}
		if _, err := CheckPush(req); err == nil && len(req.Mutations) > MaxPushBatch {
			t.Fatal("an oversized push passed")
		}
	})
}

func FuzzPullQuery(f *testing.F) {
	f.Add("epoch=e&seq=12&limit=100")
	f.Add("snapshot=students%1F0001&seq=3")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		c, limit, err := PullQuery(v)
		if err == nil && (c.Seq < 0 || limit < 1 || limit > MaxPullPage) {
			t.Fatalf("accepted %+v limit %d", c, limit)
		}
	})
}

func FuzzSignIn(f *testing.F) {
	f.Add(`{"username": "rosa", "password": "x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var req sync.SignInRequest
		DecodeStrict(strings.NewReader(body), maxSignInBody, &req)
	})
}
