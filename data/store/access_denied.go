package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
)

// deniedError says why this process may not open path, the database at
// db or its -wal or -shm file, when err is the system refusing it: the
// bare "permission denied" of a service user given a file root made (or
// of a clerk given a colleague's) names neither the user it runs as nor
// the file's owner, and says nothing of the fix. Other errors are what
// the process did, on the database, and err.
func deniedError(did, db, path string, err error) error {
	if !errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%s %s: %w", did, db, err)
	}
	me := "the user this program runs as"
	name := ""
	if u, uerr := user.Current(); uerr == nil {
		me, name = "user "+u.Username+", whom this program runs as", u.Username
	}
	fi, serr := os.Stat(path)
	switch {
	case errors.Is(serr, fs.ErrNotExist):
		return folderDenied(path, me, err)
	case serr != nil:
		return fmt.Errorf("the database file %s cannot be opened by %s: its folder %s does not let it look in; "+
			"ask an administrator to open the folder to it, or use a database elsewhere: %w", path, me, filepath.Dir(path), err)
	}
	owner, mode := ownership(fi)
	give := "have an administrator give it the file"
	if name != "" && owner != "" {
		give = fmt.Sprintf("have an administrator give the database to %[1]s (sudo chown %[1]s %[2]s %[2]s-wal %[2]s-shm %[2]s-lock %[2]s-wanted; the last four may not be there)", name, db)
	}
	if owner == "" {
		return fmt.Errorf("the database file %s cannot be read and written by %s: the file does not allow it; "+
			"run the program as a user who may change the file, or %s: %w", path, me, give, err)
	}
	return fmt.Errorf("the database file %s cannot be read and written by %s: the file belongs to %s, with mode %04o; "+
		"run the program as %s, or %s: %w", path, me, owner, mode, owner, give, err)
}

// folderDenied says that the folder a new database would be made in, or
// its nearest folder that is there, does not let this process make it.
func folderDenied(path, me string, err error) error {
	dir := filepath.Dir(path)
	for {
		if _, serr := os.Stat(dir); serr == nil || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	fi, serr := os.Stat(dir)
	owner, mode := "", fs.FileMode(0)
	if serr == nil {
		owner, mode = ownership(fi)
	}
	if owner == "" {
		return fmt.Errorf("database %s cannot be made by %s: the folder %s does not allow it; "+
			"choose a folder it may write in, or ask an administrator to make the database there: %w", path, me, dir, err)
	}
	return fmt.Errorf("database %s cannot be made by %s: the folder %s belongs to %s, with mode %04o; "+
		"choose a folder it may write in, or have an administrator make the folder %s and give it to that user: %w", path, me, dir, owner, mode, filepath.Dir(path), err)
}

// mayMakeBeside says why SQLite could not make the -wal and -shm files
// it keeps beside the database, when they are not there and the folder
// does not let this process make them: SQLite's own words for it,
// "attempt to write a readonly database", point at the file this process
// may well read and write.
func mayMakeBeside(db string) error {
	for _, p := range []string{db + "-wal", db + "-shm"} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := mayMakeIn(filepath.Dir(db)); errors.Is(err, fs.ErrPermission) {
			return besideDenied(db, fmt.Sprintf("SQLite keeps two files beside it (%s-wal and %s-shm)", db, db), err)
		}
		return nil
	}
	return nil
}

// tryMakeIn is why this process may not make files in the folder dir, if
// it may not, found by making one there and removing it.
func tryMakeIn(dir string) error {
	f, err := os.CreateTemp(dir, ".migrantdesk-try-*")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err // the system's refusal, without the name of a file no one asked for
	}
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// besideDenied says that the folder of the database db does not let this
// process make files, which files names.
func besideDenied(db, files string, err error) error {
	me := "the user this program runs as"
	if u, uerr := user.Current(); uerr == nil {
		me = "user " + u.Username + ", whom this program runs as"
	}
	dir := filepath.Dir(db)
	how := "the folder does not allow it"
	if fi, serr := os.Stat(dir); serr == nil {
		if owner, mode := ownership(fi); owner != "" {
			how = fmt.Sprintf("the folder belongs to %s, with mode %04o", owner, mode)
		}
	}
	return fmt.Errorf("the database %s cannot be opened by %s: %s, and its folder %s does not let it make files (%s); "+
		"move the database to a folder it may write in, or have an administrator let it write in that folder: %w", db, me, files, dir, how, err)
}
