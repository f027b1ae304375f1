package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/assets"
	"migrantdesk/data"
	"migrantdesk/gui/widgets"
)

// The Help menu: the keyboard shortcuts, a short "how to" for each role,
// and About.

// shortcutRows are the keys of the app, as the Help menu lists them.
var shortcutRows = [][2]string{
	{"Ctrl+F", "Advanced Search, the cursor in Last name; in a district window, the filter of its migrant records"},
	{"Enter (in a search field)", "Search"},
	{"Down or Tab (from a search field)", "Go to the results; Up and Down move, Enter opens the student"},
	{"Ctrl+N", "New migrant record for the student on screen"},
	{"Ctrl+S or Enter (in the form)", "Save the migrant record"},
	{"Ctrl+P", "Publish the records of the student on screen: the confirmation lists every district that receives a copy"},
	{"Esc", "Close the dialog or form on top (a form with changes asks first)"},
	{"Enter (in a confirmation)", "Confirm, as Publish does, or press the button Tab has outlined"},
	{"Ctrl+R", "Sync now with the hub, from the main window or a district window"},
	{"F5", "Read the district window again (Refresh)"},
	{"Ctrl+W", "Close the district window"},
	{"Ctrl+Tab / Ctrl+Shift+Tab", "Next / previous tab of the district window"},
	// The lists, Preferences and Quit have no key of their own: the
	// menu bar is the keyboard's way to them.
	{"Alt", "Open the menu bar: the arrows choose a menu and an item, Enter runs it, Esc closes it"},
	{"Tab / Shift+Tab", "Next / previous control; the control with the keyboard is outlined"},
	{"Space", "Press the button (Enter too, in the main window), open the list"},
}

// howTo is a short "how to" for each role, in the order the Help lists
// them.
var howTo = []struct {
	role string
	text string
}{
	{data.RoleClerk, "Find the student first (Ctrl+F): type a surname, a birth date or a state ID and press Enter, " +
		"so as not to enter anyone twice. Open the student from the results (Down, then Enter), and press Ctrl+N for a " +
		"new Student Migrant Detail: the MIS2000 ID, the Last Qualifying Arrival Date, and the Eligibility Expiration " +
		"Date, which the form works out. What you type is kept on this computer as you type: if the app ends before you save " +
		"(Windows restarts, a power cut), it offers the typing again at the next start. Save with Ctrl+S, then Publish the student's records (Ctrl+P): the confirmation lists " +
		"every district that receives a copy. Needs publishing lists what is saved but not yet sent; MIS2000 " +
		"reconciliation compares your records with the MIS2000 export in November and February. " + refusedRecordHelp},
	{data.RoleCoordinator, "Your districts are listed at start; each opens in its own window (District Edition). " +
		"The window lists the migrant records published to the district; run the QA Migrant report for a period " +
		"and compare it with current enrollment to find newly enrolled migrant students eligible for services. " +
		"You cannot change records: ask the region's data clerk."},
	{data.RoleDistrictAdmin, "Your district opens in its own window (District Edition), as a coordinator's does. " +
		"You also decide who may run the district's QA Migrant report: open the Users and access tab of the district window " +
		"and grant or revoke it for each coordinator. " + refusedGrantHelp},
	{data.RoleStateAdmin, "You search and change the records of every region, as a clerk does of theirs. You can open " +
		"any district's window to see what it receives, and grant or revoke its QA Migrant report in the Users and " +
		"access tab. The state extract and the accounts are kept on the hub: load the extract there with " +
		"migrantdeskctl import, and add, change, disable a user or set a password with migrantdeskctl hub user " +
		"(migrantdeskctl hub user --help lists how). A database that syncs with no hub loads its extract with " +
		"File → Import the state extract…, which shows what will change before anything does. " + refusedRecordHelp + " " +
		refusedGrantHelp},
}

// What to do of a change the hub refused for good, of each kind the user
// makes: it is done again where it was made, or not at all.
const (
	refusedRecordHelp = "A record the hub refused for good is listed, with the hub's reason, under Sync → Conflicts and refused " +
		"changes, Refused by the hub: click it to open the student, correct the record and save it again."
	refusedGrantHelp = "A grant or revoke of the QA Migrant report the hub refused (someone changed the grant since: " +
		"the reason says who) is listed under Sync → Conflicts and refused changes, Refused by the hub: if you still mean it, " +
		"click it to open the district's Users and access tab and grant or revoke it again there; else dismiss it."
)

// showShortcuts is Help → Keyboard shortcuts.
func (u *UI) showShortcuts() {
	if u.dialogs.Open() {
		return
	}
	// Each row as tall as its description's lines, the keys' column as
	// wide as the longest: in a grid every row took one height, and a
	// description of three lines ran into the row below.
	rows := container.New(layout.NewFormLayout())
	for _, r := range shortcutRows {
		rows.Add(widget.NewLabelWithStyle(r[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		rows.Add(widgets.Paragraph(r[1], 600))
	}
	u.dialogs.ShowCustom("Keyboard shortcuts", rows)
}

const howToWidth = 700

// showHowTo is Help → How to…: the user's own role first, shown, so
// that its tab is never the one folded into the tabs' "•••" menu on a
// narrow screen. The pages are as wide as the four tabs need (at 560 the
// last went behind that menu), which a small laptop at 150% has room for.
func (u *UI) showHowTo() {
	if u.dialogs.Open() {
		return
	}
	tabs := container.NewAppTabs()
	for _, h := range howTo {
		item := container.NewTabItem(data.RoleName(h.role), widgets.Paragraph(h.text, howToWidth))
		if h.role == u.user.Role {
			tabs.Items = append([]*container.TabItem{item}, tabs.Items...)
		} else {
			tabs.Items = append(tabs.Items, item)
		}
	}
	tabs.SelectIndex(0)
	u.dialogs.ShowCustom("How to use Migrant Desk", tabs)
}

// aboutText is what About says: the version, the database and the hub.
func (u *UI) aboutText() string {
	hub := "none: this database is worked on this computer only"
	if u.hub != "" {
		hub = u.hub
	}
	who := "nobody yet"
	if u.user.Username != "" {
		who = fmt.Sprintf("%s (%s), %s", u.user.FullName, u.user.Username, data.RoleName(u.user.Role))
	}
	return fmt.Sprintf("Migrant Desk %s\n\nDatabase: %s\nState hub: %s\nWorking as: %s",
		assets.Version, u.st.Path(), hub, who)
}

// showAbout is Help → About Migrant Desk.
func (u *UI) showAbout() {
	if u.dialogs.Open() {
		return
	}
	text := widget.NewLabel(u.aboutText())
	text.Wrapping = fyne.TextWrapBreak
	text.Selectable = true
	u.dialogs.ShowCustom("About Migrant Desk", sized(text, 560, 0))
}

// helpMenu is the Help menu.
func (u *UI) helpMenu() *fyne.Menu {
	return fyne.NewMenu("Help",
		fyne.NewMenuItem("Keyboard shortcuts", u.showShortcuts),
		fyne.NewMenuItem("How to…", u.showHowTo),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("About Migrant Desk", u.showAbout))
}
