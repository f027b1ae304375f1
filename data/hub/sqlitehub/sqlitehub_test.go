package sqlitehub

import (
	"context"
	"path/filepath"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
)

func open(t *testing.T, ex *data.Extract) hub.Store {
	h, err := Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if _, err := h.Store().ImportExtract(context.Background(), ex, "test"); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestConformance(t *testing.T) { hubtest.Run(t, open) }
