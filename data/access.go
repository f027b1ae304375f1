package data

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"migrantdesk/data/argon2id"
)

// Roles a user can have.
const (
	RoleStateAdmin    = "state_admin"
	RoleClerk         = "clerk"          // regional data clerk, of RegionCode
	RoleCoordinator   = "coordinator"    // district coordinator, of Districts
	RoleDistrictAdmin = "district_admin" // district administrator, of DistrictNumber
)

// Roles lists every role, most powerful first.
func Roles() []string {
	return []string{RoleStateAdmin, RoleClerk, RoleCoordinator, RoleDistrictAdmin}
}

// RoleName spells a role out for people.
func RoleName(role string) string {
	switch role {
	case RoleStateAdmin:
		return "State administrator"
	case RoleClerk:
		return "Regional data clerk"
	case RoleCoordinator:
		return "District coordinator"
	case RoleDistrictAdmin:
		return "District administrator"
	}
	return "No role"
}

// User is who is working and what they may see and change. Every access
// decision of the app, the store's write path and the hub is one of the
// methods below, so the three can never disagree.
type User struct {
	Username       string
	FullName       string
	Role           string
	RegionCode     string   // clerks
	DistrictNumber string   // district administrators
	Districts      []string // coordinators
	Email          string
}

// MaxUsername is the longest user name, in characters.
const MaxUsername = 64

// CleanUsername is a user name in the one form the hub keeps and signs
// in with: without the spaces around it, and held to CleanText's rule, so
// in Unicode normal form C. "maria " is then the account "maria", and a
// "josé" typed as an e and a combining accent is the account "josé":
// names that read the same are one account. Case is kept ("Maria" and
// "maria" are two names): a user name is the key of the user's records,
// grants and audit rows on every workstation, and folding it would make
// other accounts of accounts that exist.
func CleanUsername(s string) (string, error) {
	clean, err := CleanText(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("the user name: %w", err)
	}
	return clean, nil
}

// CheckSignIn refuses a user name or a password that no account can
// have before either is sent to the hub: a paste that took more than the
// name (a paragraph, a tab, a right-to-left mark), or a password longer
// than any the hub keeps. The hub refuses them too, but as a failed
// sign-in, which counts towards locking the name and the office out.
func CheckSignIn(username, password string) error {
	name := strings.TrimSpace(username)
	if len(name) > MaxTextBytes {
		return fmt.Errorf("the user name is %d characters long, longer than any account's: check that only your user name was pasted in",
			utf8.RuneCountInString(name))
	}
	if _, err := CleanUsername(name); err != nil {
		return err
	}
	if len(password) > argon2id.MaxPasswordLen {
		return fmt.Errorf("the password is %d characters long, longer than any password the hub keeps: check that only your password was pasted in",
			utf8.RuneCountInString(password))
	}
	return nil
}

// OwnerName is the name a database's owner signs in with now: its clean
// form (CleanUsername). An older hub kept a name as it was typed
// ("rita "), and the hub renames such an account to its clean form as it
// starts, so a database that synced with the older hub belongs to the
// renamed account, and takes the hub's new name at the next sign-in.
// (An unclean name the hub left alone, because another account has its
// clean form, can no longer sign in at all; its database opens to that
// other account, which is how earlier READMEs told operators to let the
// same person in again.)
func OwnerName(name string) string {
	if clean, err := CleanUsername(name); err == nil {
		return clean
	}
	return name
}

// Validate checks that the role is known and has what it needs.
func (u User) Validate() error {
	switch {
	case strings.TrimSpace(u.Username) == "":
		return errors.New("a user needs a user name")
	case utf8.RuneCountInString(u.Username) > MaxUsername:
		// A user name travels in every change the user makes, and the
		// hub takes a change of at most sync.MaxPayload bytes.
		return fmt.Errorf("the user name %.24q… is longer than %d characters", u.Username, MaxUsername)
	case strings.TrimSpace(u.FullName) == "":
		return fmt.Errorf("user %s needs a full name", u.Username)
	}
	switch u.Role {
	case RoleStateAdmin:
	case RoleClerk:
		if u.RegionCode == "" {
			return fmt.Errorf("clerk %s needs a region", u.Username)
		}
	case RoleCoordinator:
		if len(u.Districts) == 0 {
			return fmt.Errorf("coordinator %s needs at least one district", u.Username)
		}
	case RoleDistrictAdmin:
		if u.DistrictNumber == "" {
			return fmt.Errorf("district administrator %s needs a district", u.Username)
		}
	default:
		return fmt.Errorf("role %q is not one of %s", u.Role, strings.Join(Roles(), ", "))
	}
	return nil
}

// Signature names u as a file they made says who made it, "Rosa Díaz
// (rdiaz)": the app and the command line sign reports alike. A user with
// no full name but their user name (Operator) is their user name.
func (u User) Signature() string {
	if u.FullName == "" || u.FullName == u.Username {
		return u.Username
	}
	return u.FullName + " (" + u.Username + ")"
}

// Place says where u works, "region C", "district 005" or "districts
// 005, 008"; empty for a state administrator.
func (u User) Place() string {
	switch {
	case u.RegionCode != "":
		return "region " + u.RegionCode
	case u.DistrictNumber != "":
		return "district " + u.DistrictNumber
	case len(u.Districts) > 0:
		return "districts " + strings.Join(u.Districts, ", ")
	}
	return ""
}

// AuditText is what the audit log keeps of a saved user: the role, the
// full name quoted and where they work, so that a district number is
// never read as the end of a name ("Ana Cruz 005").
func (u User) AuditText() string {
	text := fmt.Sprintf("%s %q", u.Role, u.FullName)
	if p := u.Place(); p != "" {
		text += ", " + p
	}
	return text
}

// SameAccess reports whether u and o may see and do the same: one role,
// region and set of districts. Their names and emails may differ.
func (u User) SameAccess(o User) bool {
	return u.Role == o.Role && u.RegionCode == o.RegionCode && u.DistrictNumber == o.DistrictNumber &&
		slices.Equal(slices.Sorted(slices.Values(u.Districts)), slices.Sorted(slices.Values(o.Districts)))
}

// DistrictEdition reports whether the user works only in district
// windows (District Edition): coordinators and district administrators
// never search the state or open a student.
func (u User) DistrictEdition() bool {
	return u.Role == RoleCoordinator || u.Role == RoleDistrictAdmin
}

// OwnDistricts are the districts a district-side user serves.
func (u User) OwnDistricts() []string {
	switch u.Role {
	case RoleCoordinator:
		return u.Districts
	case RoleDistrictAdmin:
		return []string{u.DistrictNumber}
	}
	return nil
}

// CanSeeDistrict reports whether u may open district d's window: a state
// administrator any, a clerk those of the clerk's region (to preview what
// the district sees), a coordinator their districts, a district
// administrator their own.
func (u User) CanSeeDistrict(d District) bool {
	switch u.Role {
	case RoleStateAdmin:
		return true
	case RoleClerk:
		return d.RegionCode == u.RegionCode
	case RoleCoordinator:
		return slices.Contains(u.Districts, d.Number)
	case RoleDistrictAdmin:
		return u.DistrictNumber == d.Number
	}
	return false
}

// Administers reports whether u may grant and revoke the QA Migrant report
// of a district: its district administrator or a state administrator.
func (u User) Administers(district string) bool {
	return u.Role == RoleStateAdmin || u.Role == RoleDistrictAdmin && u.DistrictNumber == district
}

// CanSearchStudents reports whether u may search the state's students and
// open a student: clerks (who must find every student to avoid making
// duplicates) and state administrators.
func (u User) CanSearchStudents() bool {
	return u.Role == RoleClerk || u.Role == RoleStateAdmin
}

// RegionNames are the regions' names by code, as the extract has them,
// for the sentences a person reads.
type RegionNames map[string]string

// Of is how a region reads: "Northern region" when it has a name, "region
// C" when it has none.
func (n RegionNames) Of(code string) string {
	if name := n[code]; name != "" {
		return name + " region"
	}
	return "region " + code
}

// StudentRegions is where a student is enrolled, as the write rule needs
// it: the region codes of the districts of all the student's enrollments.
type StudentRegions []string

// MayWriteRecords decides whether u may save, delete or publish the
// migrant records of a student enrolled in the given regions: a state
// administrator always; a clerk when the student is enrolled in the
// clerk's region, or enrolled nowhere (out-of-school youth); nobody else.
// A refusal says why in a sentence for the user, naming the regions by
// names (nil names them by code).
func (u User) MayWriteRecords(studentID string, regions StudentRegions, names RegionNames) error {
	switch u.Role {
	case RoleStateAdmin:
		return nil
	case RoleClerk:
		if len(regions) == 0 || slices.Contains(regions, u.RegionCode) {
			return nil
		}
		theirs := make([]string, len(regions))
		for i, r := range regions {
			theirs[i] = names.Of(r)
		}
		return &AccessError{User: u, What: fmt.Sprintf(
			"change the migrant records of student %s: the student is enrolled in the %s only, not in your %s; ask that region's clerk",
			studentID, strings.Join(theirs, ", "), names.Of(u.RegionCode))}
	}
	return &AccessError{User: u, What: fmt.Sprintf(
		"change the migrant records of student %s: a %s sees published records read-only", studentID, strings.ToLower(RoleName(u.Role)))}
}

// MayWriteRecordsHere is MayWriteRecords on a workstation, where a
// student may be one the hub's last snapshot left out of u's scope while
// records of theirs waited on this computer (leftOut): a clerk's scope
// holds every student of the region and every one enrolled nowhere, so
// the hub counts the student in other regions only (or no longer holds
// them) and refuses a clerk's change, whatever the enrollments here say;
// a state administrator still may.
func (u User) MayWriteRecordsHere(studentID string, regions StudentRegions, leftOut bool, names RegionNames) error {
	if !leftOut || u.Role != RoleClerk {
		return u.MayWriteRecords(studentID, regions, names)
	}
	return &AccessError{User: u, What: fmt.Sprintf(
		"change the migrant records of student %s: the hub no longer counts the student in your %s (the last sync left them out); "+
			"the changes already saved here are still sent, and the hub answers for them; ask the state administrator",
		studentID, names.Of(u.RegionCode))}
}

// MayTakeOffRefused decides whether u may take off this workstation a
// record of the student whose change the hub refused, as they dismiss
// the refusal: only when u may no longer change the student's records
// here (MayWriteRecordsHere refuses), so that the record can neither be
// corrected nor sent again from here, and kept, it would leave this
// computer holding what the hub does not give u. A user who may still
// change the records corrects the record and saves it again instead.
// Either way what was typed stays in the outbox with the refusal.
func (u User) MayTakeOffRefused(studentID string, regions StudentRegions, leftOut bool, names RegionNames) error {
	if u.MayWriteRecordsHere(studentID, regions, leftOut, names) != nil {
		return nil
	}
	return &AccessError{User: u, What: fmt.Sprintf(
		"take the record of student %s off this computer: you may still change the student's records here; "+
			"open the student, correct the record and save it again", studentID)}
}

// ImportPolicy is what decides, besides the role, whether a user may load
// the state extract into a database from the app.
type ImportPolicy struct {
	// Hub is the hub the database syncs with; "" for one that does not.
	Hub string
	// ClerksImport: the state lets regional data clerks load the extract
	// into a database that does not sync (a region working on its own).
	ClerksImport bool
}

// MayImportExtract decides whether u may load the state extract into a
// database from the app: on a database that syncs with a hub, nobody (the
// extract is loaded on the hub, and reaches every workstation with its
// next sync; a local import would be overwritten, or worse, differ from
// the hub's); otherwise a state administrator, and a clerk when the state
// allows clerks to. A refusal says why in a sentence for the user.
func (u User) MayImportExtract(p ImportPolicy) error {
	switch {
	case p.Hub != "":
		return &AccessError{User: u, What: "load the state extract on this computer: its database syncs with the hub at " +
			p.Hub + ", where the state administrator loads the extract; it reaches this computer with the next sync"}
	case u.Role == RoleStateAdmin, u.Role == RoleClerk && p.ClerksImport:
		return nil
	case u.Role == RoleClerk:
		return &AccessError{User: u, What: "load the state extract: the state has not allowed regional data clerks to; " +
			"ask the state administrator"}
	}
	return &AccessError{User: u, What: "load the state extract: only the state administrator loads it"}
}

// MayReconcile decides whether u may compare an MIS2000 export with the
// records (SPEC §5): the regional data clerks, whose check of their
// region's records it is, and the state administrator. A coordinator or
// district administrator may not: their database holds only the records
// published to their districts, so the comparison would call the rest
// missing, and its workbook names students with their birth dates and
// IDs, a PII export that no report grant governs. A refusal says whom
// to ask.
func (u User) MayReconcile() error {
	if u.Role == RoleClerk || u.Role == RoleStateAdmin {
		return nil
	}
	return &AccessError{User: u, What: "run the MIS2000 reconciliation: it is the regional data clerk's check of " +
		"the region's records against MIS2000; ask your region's clerk for your district's discrepancies"}
}

// MayRunReport decides report access for district d, given whether the
// district administrator has granted it to u: state administrators,
// clerks of the district's region and the district's administrator may;
// a coordinator of the district may once granted. Why says, when not
// allowed, what to do about it (see ReportRefusal).
func (u User) MayRunReport(d District, granted bool) bool {
	if !u.CanSeeDistrict(d) {
		return false
	}
	return u.Role != RoleCoordinator || granted
}

// ReportRefusal is the sentence a user without report access reads: who
// can grant it, by name. admins are the district's administrators; state
// the state administrators, who are asked where the district has none.
func ReportRefusal(u User, d District, admins, state []User) string {
	if !u.CanSeeDistrict(d) {
		return fmt.Sprintf("%s cannot see district %s %s.", u.FullName, d.Number, d.Name)
	}
	why := fmt.Sprintf("Access to the QA Migrant report for %s %s has not been granted to you.", d.Number, d.Name)
	switch {
	case len(admins) > 0:
		return why + " Ask your district administrator, " + contact(admins[0]) + ", to grant it."
	case len(state) > 0:
		return why + " The district has no district administrator yet: ask the state administrator, " + contact(state[0]) + ", to grant it."
	}
	return why + " The district has no district administrator yet: ask the state administrator."
}

// contact is "Ana Torres (ana@example.org)", or the name alone.
func contact(u User) string {
	if u.Email == "" {
		return u.FullName
	}
	return u.FullName + " (" + u.Email + ")"
}

// MayGrantReport decides whether admin may grant target access to
// district's QA Migrant report: only the district's administrator (or a
// state administrator), and only to a coordinator of that district.
func (admin User) MayGrantReport(target User, district string) error {
	if err := admin.MayRevokeReport(district); err != nil {
		return err
	}
	if target.Role != RoleCoordinator || !slices.Contains(target.Districts, district) {
		return fmt.Errorf("%s is not a coordinator of district %s", target.FullName, district)
	}
	return nil
}

// MayRevokeReport decides whether admin may revoke a grant of district's
// QA Migrant report: the district's administrator (or a state
// administrator), whoever holds it. Who holds it is not asked: a grant
// whose holder is no longer a coordinator of the district is one nobody
// else could take back.
func (admin User) MayRevokeReport(district string) error {
	if !admin.Administers(district) {
		return &AccessError{User: admin, What: fmt.Sprintf("change the report access of district %s: only its district administrator can", district)}
	}
	return nil
}

// AccessError is a refusal by one of the access rules.
type AccessError struct {
	User User
	What string // "change the migrant records of student 123: ..."
}

func (e *AccessError) Error() string {
	name := e.User.FullName
	if name == "" {
		name = e.User.Username
	}
	return fmt.Sprintf("%s (%s) may not %s", name, RoleName(e.User.Role), e.What)
}

// AccessChanged is err, a refusal of now (a user as the database has
// them when a change is written), as the person reads it whose screen or
// command still works as was: a sync since brought an administrator's
// change of their role, region or districts, and a bare refusal would
// contradict what their screen offers them. Other errors, and refusals of
// the access the person knew, are returned as they are.
func AccessChanged(was, now User, err error) error {
	if err == nil || !errors.Is(err, ErrAccess) || was.SameAccess(now) {
		return err
	}
	return accessChanged(err)
}

// Unlisted is the refusal of u on a database that syncs with the hub at
// hub and whose users, as the last sync left them, do not include u: the
// hub renamed or removed the account. Nothing is decided for a user the
// hub does not list.
func (u User) Unlisted(hub string) error {
	return accessChanged(&AccessError{User: u, What: fmt.Sprintf("work in this database: the users it received from the hub at %s "+
		"no longer include %s; sign in again, and if the hub refuses you, ask the state administrator", hub, u.Username)})
}

// NotHeld is the refusal of u, whose access a sync changed, of a change
// to a student or record this computer no longer holds (missing says
// which): the sync brought the students of the new access and took those
// of the old one away, so the change could only be of another region's
// student, which the hub would refuse.
func (u User) NotHeld(missing error) error {
	return &AccessError{User: u, What: fmt.Sprintf("change what this computer no longer holds (%v): the sync took away "+
		"the students you no longer serve; ask the clerk of the student's region", missing)}
}

func accessChanged(err error) error {
	return fmt.Errorf("%w: %w", ErrAccessChanged, err)
}

// ErrAccessChanged is matched by the refusals AccessChanged and Unlisted
// give, so that a command listing refusals one by one, whose own words
// drop this sentence, can say it once before them.
var ErrAccessChanged = errors.New("your access changed at the last sync")

// ErrAccess is matched by every *AccessError with errors.Is.
var ErrAccess = errors.New("not allowed")

func (e *AccessError) Is(target error) bool { return target == ErrAccess }

// Operator is who works on a standalone database from the command line or
// the demo generator: the person signed in to the computer, acting as the
// state administrator, because whoever can open the database file can
// change it anyway. A database that syncs with a hub acts as its signed-in
// user instead.
func Operator(username string) User {
	return User{Username: username, FullName: username, Role: RoleStateAdmin}
}
