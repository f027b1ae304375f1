package hub

import (
	"fmt"
	"strings"
)

// UpgradeActor is who the audit log names for what a hub does of itself
// as it opens a database an older release left: the accounts it renames
// to their clean names.
const UpgradeActor = "hub upgrade"

// NameCleaner is a Store that, as it opens, renames the accounts an older
// hub kept under a name that is not its clean form (data.CleanUsername):
// with spaces around it, or decomposed, as "jose" and a combining accent.
// No sign-in reaches such an account, since sign-in and `hub user` look
// names up in their clean form. Both back ends are NameCleaners.
type NameCleaner interface {
	// NameCleanup says what opening the store did.
	NameCleanup() NameCleanup
}

// NameCleanup is what a Store's opening did with the accounts kept under
// a name that is not its clean form.
type NameCleanup struct {
	// Renamed are the accounts this opening moved to their clean name,
	// with their districts, report grants, sign-ins and the authorship of
	// their records; an opening after finds nothing more to do.
	Renamed []Rename
	// Left are the accounts left under the name they had, at every
	// opening until the operator acts: renaming them would have made two
	// accounts one.
	Left []UncleanName
}

// Rename is one account moved to its clean name.
type Rename struct{ From, To string }

// String is the sentence the hub logs at the start that renamed it.
func (r Rename) String() string {
	return fmt.Sprintf("user %+q, kept by an older hub under a name that is not in its clean form, was renamed %+q, "+
		"with its districts, grants, sign-ins and the authorship of its records; workstations learn it at their next sync, "+
		"and the audit log keeps the rows of the old name with one more saying the hub's upgrade renamed it", r.From, r.To)
}

// UncleanName is an account left under a name that is not its clean form,
// and why.
type UncleanName struct {
	Name string
	// Clean is the name's clean form; "" when it has none (Err).
	Clean string
	// Clashes are the other accounts whose names are Clean, or clean to
	// it, or differ from it only in case (which `hub user add` refuses).
	Clashes []string
	// Err says why the name has no clean form: a character no user name
	// may hold, or nothing but spaces.
	Err error
}

// String is the sentence the hub logs at start: the names quoted with Go
// escapes, since "jose\u0301" and "jos\u00e9" (or "maria" and "maria ")
// look the same printed as they are.
func (u UncleanName) String() string {
	const cannot = "It cannot sign in, and its districts, grants, records and audit rows stay under that name; nothing of it was merged or lost. " +
		"If its person still needs to sign in, give them an account under another name with `hub user add` and grant it again what they need."
	if u.Err != nil {
		return fmt.Sprintf("user %+q, kept by an older hub under a name that is not in its clean form, has no clean form (%v) and was left as it is. %s", u.Name, u.Err, cannot)
	}
	others := make([]string, len(u.Clashes))
	for i, c := range u.Clashes {
		others[i] = fmt.Sprintf("%+q", c)
	}
	return fmt.Sprintf("user %+q, kept by an older hub under a name that is not in its clean form, was not renamed to %+q: "+
		"it would be the same account as user %s (the names are alike once cleaned, or differ only in case). %s",
		u.Name, u.Clean, strings.Join(others, " and "), cannot)
}
