package report

import (
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
)

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"QA Migrant detail 001 2025-08-01 to 2026-06-30.xlsx": "QA Migrant detail 001 2025-08-01 to 2026-06-30.xlsx",
		"José Núñez.pdf":      "José Núñez.pdf",
		`a\b/c:d*e?f"g<h>i|j`: "a_b_c_d_e_f_g_h_i_j",
		"tab\there\x7f":       "tab_here_",
		"report. . ":          "report",
		"CON.txt":             "CON_.txt",
		"con":                 "con_",
		"Nul .tar.gz":         "Nul_ .tar.gz",
		"COM1.xlsx":           "COM1_.xlsx",
		"lpt9.pdf":            "lpt9_.pdf",
		"COM¹.txt":            "COM¹_.txt",
		"CONOUT$.txt":         "CONOUT$_.txt",
		"COM10.txt":           "COM10.txt",
		"CONSOLE.txt":         "CONSOLE.txt",
		"aux1.txt":            "aux1.txt",
		"...":                 "_",
		"":                    "_",
	} {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The names the app proposes take a district number or a region code
// from the state's extract, which may hold what a file name may not: the
// save dialog offered "QA Migrant detail 12/3 ....xlsx", a file in a
// folder "QA Migrant detail 12" that is not there, and a district
// numbered CON had its message written to the console device on Windows
// (Wine: "cannot write ...\CON.txt twice in one export").
func TestProposedNamesAreFileNames(t *testing.T) {
	p := data.Period{From: data.NewDate(2025, 8, 1), To: data.NewDate(2026, 6, 30)}
	if got, want := DetailKind.FileName(data.District{Number: "12/3"}, p), "QA Migrant detail 12_3 2025-08-01 to 2026-06-30.xlsx"; got != want {
		t.Errorf("Detail: %q, want %q", got, want)
	}
	if got, want := AggregatedKind.FileName(data.District{Number: `N:E*`}, p), "QA Migrant aggregated N_E_ 2025-08-01 to 2026-06-30.pdf"; got != want {
		t.Errorf("Aggregated: %q, want %q", got, want)
	}
	if got, want := MessageFile(data.District{Number: "CON"}), "CON_.txt"; got != want {
		t.Errorf("the message of district CON: %q, want %q", got, want)
	}
	if got, want := MessageFile(data.District{Number: "com1"}), "com1_.txt"; got != want {
		t.Errorf("the message of district com1: %q, want %q", got, want)
	}
	r := &Reconciliation{Result: &reconcile.Result{AsOf: data.NewDate(2025, 11, 3), Region: "N/E?"}}
	if got, want := r.FileName(), "MIS2000 reconciliation N_E_ 2025-11-03.xlsx"; got != want {
		t.Errorf("the reconciliation workbook: %q, want %q", got, want)
	}
}
