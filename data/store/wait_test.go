package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// lockFor takes st's database write lock from another connection, as
// another process would, for d.
func lockFor(t *testing.T, st *store.Store, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	pool, err := sql.Open("sqlite", "file:"+(&url.URL{Path: st.Path()}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(d, func() {
		conn.ExecContext(ctx, `ROLLBACK`)
		conn.Close()
		pool.Close()
	})
}

func TestWriterWaitsItsTurnAndSaysSo(t *testing.T) {
	st := storetest.Open(t)
	var told, over atomic.Int32
	st.SetWaitNotice(func(msg string) {
		switch msg {
		case store.WaitMessage:
			told.Add(1)
		case store.WaitOverMessage:
			if told.Load() == 1 {
				over.Add(1)
			}
		}
	}, 0)
	lockFor(t, st, 2500*time.Millisecond)
	start := time.Now()
	err := st.AuditExport(context.Background(), "coord", store.ExportAudit{Report: "QA Migrant detail", Stage: store.ExportStarted})
	if err != nil {
		t.Fatalf("a write behind another process's: %v", err)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Fatalf("the write went through in %s while the lock was held", waited)
	}
	if told.Load() != 1 || over.Load() != 1 {
		t.Fatalf("told %d times that it waits and %d that the wait is over, want once each, in that order", told.Load(), over.Load())
	}
}

func TestWriterGivesUpAfterItsBound(t *testing.T) {
	st := storetest.Open(t)
	st.SetWaitNotice(nil, 1500*time.Millisecond)
	lockFor(t, st, 4*time.Second)
	err := st.AuditExport(context.Background(), "coord", store.ExportAudit{Report: "QA Migrant detail", Stage: store.ExportStarted})
	if err == nil || !strings.Contains(err.Error(), "another import or publish has been writing to") ||
		!strings.Contains(err.Error(), "try again when it has finished") {
		t.Fatalf("a write past its bound: %v", err)
	}
}

func TestWriterWaitEndsWithItsContext(t *testing.T) {
	st := storetest.Open(t)
	lockFor(t, st, 4*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := st.AuditExport(ctx, "coord", store.ExportAudit{Report: "QA Migrant detail", Stage: store.ExportStarted})
	if err == nil || time.Since(start) > 3500*time.Millisecond {
		t.Fatalf("a cancelled wait: %v after %s", err, time.Since(start))
	}
}
