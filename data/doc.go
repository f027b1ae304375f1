// Package data holds the domain types and rules of Migrant Desk: calendar
// dates, eligibility windows, grades, enrollment service types, school
// classification, free/reduced meals and name normalisation. The store, the
// hub, the reports and the GUI all ask this package, so there is one
// definition of "active", "eligible" and "in the report".
//
// Nothing here touches a database, a file or a window.
package data
