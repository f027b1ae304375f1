package gui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// A dialog owns the keyboard: Ctrl+W typed in the field of a dialog of
// a district window (a Detail-report password prompt) closed the window
// behind it, as the entry hands the window the shortcuts it does not
// know. Esc closes the dialog, and then Ctrl+W closes the window.
func TestDistrictShortcutsWaitForTheDialog(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, rosa, "001")
	c := w.win.Canvas()
	pw := widgets.NewEntry("")
	w.dialogs.ShowCustom("Password", pw)
	c.Focus(pw)
	typeShortcut(c, keyCloseWindow)
	u.wait()
	if u.districts["001"] == nil {
		t.Fatal("Ctrl+W typed in the dialog's field closed the district window behind it")
	}
	w.dialogs.CloseTop()
	typeShortcut(c, keyCloseWindow)
	u.wait()
	if u.districts["001"] != nil {
		t.Error("Ctrl+W with the dialog closed left the district window open")
	}
}

// Ctrl+S is a shortcut of the main menu, which the window triggers
// before any dialog sees the key: with a confirmation open over the
// Student Migrant Detail being typed (itself a dialog), it saved the
// record behind it. With the confirmation closed, Ctrl+S saves.
func TestSaveWaitsForTheDialog(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	f := typeNewRecord(t, u)
	u.dialogs.ShowConfirm(widgets.NewConfirm("A question", "Yes", "No", widgets.NewEntry(""), nil, u.win))
	press(t, u, keySave)
	if u.student.form == nil || len(records(t, st, storetest.Maria)) != 0 {
		t.Fatal("Ctrl+S with a dialog open saved the record behind it")
	}
	u.dialogs.CloseTop()
	press(t, u, keySave)
	if u.student.form != nil {
		t.Errorf("Ctrl+S with the dialog closed did not save: %q", f.formErr.Text)
	}
}

// typeNewRecord opens a new Student Migrant Detail (Ctrl+N) for the
// student shown and types a record the form accepts.
func typeNewRecord(t *testing.T, u *UI) *recordForm {
	t.Helper()
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.mis, "4512345")
	test.Type(f.qad.Entry, "09/01/2025")
	return f
}
