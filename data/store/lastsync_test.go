package store_test

import (
	"context"
	"testing"
	"time"

	"migrantdesk/data/store/storetest"
)

func TestLastSync(t *testing.T) {
	st := storetest.OpenEmpty(t)
	ctx := context.Background()
	if got, err := st.LastSync(ctx); err != nil || !got.IsZero() {
		t.Fatalf("a database that never synced: %v, %v", got, err)
	}
	at := time.Date(2026, 11, 29, 7, 30, 0, 0, time.FixedZone("EST", -5*3600))
	if err := st.SetLastSync(ctx, at); err != nil {
		t.Fatal(err)
	}
	if got, err := st.LastSync(ctx); err != nil || !got.Equal(at) {
		t.Errorf("last sync %v (%v), want %v", got, err, at)
	}
}
