package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// recordEnrollmentColumns are the columns of a student's enrollments in
// the district, in the record detail.
var recordEnrollmentColumns = []widgets.Column{
	growing("School", 300), col("Grade", 65), col("Type", 120), col("Start", 110), col("Withdrawal", 110),
}

// showRecord shows everything the district may see about a record: the
// published copy (never the clerk's unpublished changes), the student,
// the student's enrollments in this district, programs and latest
// assessment levels. It has nothing to edit.
func (l *recordList) showRecord(r store.DistrictRecord) {
	tab := l.tab
	tab.tasks.run("reading the record", func() func() {
		d, err := l.st.Student(context.Background(), r.Student.StateID)
		return func() {
			if err != nil {
				tab.dialogs.ShowError("Migrant record", err)
				return
			}
			district := tab.d.Number + " " + tab.d.Name
			body := container.NewVBox(heading(d.Student.FullName()), widget.NewLabel(identity(d.Student, tab.today)),
				widget.NewSeparator(), heading("Migrant record, as published to "+district), recordFacts(r, tab),
				widget.NewSeparator(), heading("Enrollments in "+district), enrollmentsIn(tab.d, d.Enrollments),
				widget.NewSeparator(), heading("Programs"), programTable(d.Programs),
				widget.NewSeparator(), heading("Latest state assessment"), widget.NewLabel(latestLevels(d.Assessments, tab.today)))
			dlg := tab.dialogs.ShowCustom("Migrant record — read-only", container.NewVScroll(body))
			dlg.Resize(fyne.NewSize(820, 660))
		}
	})
}

func recordFacts(r store.DistrictRecord, tab districtTab) fyne.CanvasObject {
	status := eligibility(r, tab.today)
	switch status {
	case eligExpired:
		status += " since " + r.EED.AddDays(1).US()
	case eligFuture:
		status += " until " + r.QAD.US()
	}
	rows := [][2]string{
		{"MIS2000 ID", r.MIS2000ID},
		{"Last Qualifying Arrival Date (QAD)", r.QAD.US()},
		{"Eligibility Expiration Date (EED)", r.EED.US()},
		{"Eligibility on " + tab.today.US(), status},
		{"Published", fmt.Sprintf("%s by %s (version %d)", data.LocalTime(r.PublishedAt), tab.people.name(r.PublishedBy), r.Version)},
	}
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, row := range rows {
		objs = append(objs, widget.NewLabelWithStyle(row[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), widget.NewLabel(row[1]))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// enrollmentsIn lists a student's enrollments in district d only.
func enrollmentsIn(d data.District, es []data.PlacedEnrollment) fyne.CanvasObject {
	g := widgets.NewGridTable(recordEnrollmentColumns, "No enrollment in this district in the state extract")
	var rows [][]string
	for _, e := range es {
		if e.District.Number == d.Number {
			rows = append(rows, enrollmentCells(e))
		}
	}
	g.SetRows(rows)
	return g.Object()
}

func programTable(ps []data.Program) fyne.CanvasObject {
	g := widgets.NewGridTable(programColumns, "None (no FRAM row means paid meals)")
	g.SetRows(programRows(ps))
	return g.Object()
}
