//go:build !windows

package store_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"migrantdesk/data/store"
)

// openAsEnv names, in the environment of this test run again as another
// user, the databases it opens.
const openAsEnv = "MIGRANTDESK_TEST_OPEN_AS"

// A database this process may not read and write (a service user given
// the file root made, a -wal file root left beside it) or may not make
// (in a folder of root's) is refused with the file, the user it runs as,
// the owner and mode, and what to do: a bare "permission denied" names
// none of them. The test runs itself again as nobody when it runs as
// root, who may open any file.
func TestOpenSaysWhoMayNotOpenTheDatabase(t *testing.T) {
	if paths := os.Getenv(openAsEnv); paths != "" {
		for _, p := range strings.Split(paths, "\n") {
			if held, ok := strings.CutPrefix(p, "hold:"); ok {
				_, err := store.Hold(held)
				fmt.Printf("%v\n", err)
				continue
			}
			if dir, ok := strings.CutPrefix(p, "try:"); ok {
				fmt.Printf("%v\n", store.TryMakeIn(dir))
				continue
			}
			_, err := store.Open(p)
			fmt.Printf("%v\n", err)
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run as another user and give it root's files")
	}
	dir, err := os.MkdirTemp("", "denied")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rootsDB := filepath.Join(dir, "hub.db")
	withRootsWAL := filepath.Join(dir, "svc.db")
	inRootsFolder := filepath.Join(dir, "own.db")
	for _, p := range []string{rootsDB, withRootsWAL, inRootsFolder} {
		st, err := store.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip(err)
	}
	var uid, gid uint32
	fmt.Sscan(nobody.Uid, &uid)
	fmt.Sscan(nobody.Gid, &gid)
	for _, p := range []string{withRootsWAL, inRootsFolder} {
		if err := os.Chown(p, int(uid), int(gid)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(withRootsWAL+"-wal", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The test binary, where nobody may run it.
	bin := filepath.Join(dir, "store.test")
	copyFile(t, os.Args[0], bin)
	newDB := filepath.Join(dir, "new", "md.db")
	cmd := exec.Command(bin, "-test.run=^TestOpenSaysWhoMayNotOpenTheDatabase$")
	cmd.Env = append(os.Environ(), openAsEnv+"="+strings.Join([]string{rootsDB, withRootsWAL, newDB, inRootsFolder, "hold:" + inRootsFolder, "try:" + dir}, "\n"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := strings.Split(string(out), "\n")
	want := []string{
		"the database file " + rootsDB + " cannot be read and written by user nobody, whom this program runs as: " +
			"the file belongs to root, with mode 0600; run the program as root, or have an administrator give the database to nobody " +
			"(sudo chown nobody " + rootsDB + " " + rootsDB + "-wal " + rootsDB + "-shm " + rootsDB + "-lock " + rootsDB + "-wanted; the last four may not be there): " +
			"permission denied",
		"the database file " + withRootsWAL + "-wal cannot be read and written by user nobody, whom this program runs as: " +
			"the file belongs to root, with mode 0600; run the program as root, or have an administrator give the database to nobody " +
			"(sudo chown nobody " + withRootsWAL + " " + withRootsWAL + "-wal " + withRootsWAL + "-shm " + withRootsWAL + "-lock " + withRootsWAL + "-wanted; the last four may not be there): " +
			"permission denied",
		"database " + newDB + " cannot be made by user nobody, whom this program runs as: the folder " + dir +
			" belongs to root, with mode 0755; choose a folder it may write in, or have an administrator make the folder " +
			filepath.Dir(newDB) + " and give it to that user: mkdir " + filepath.Dir(newDB) + ": permission denied",
		"the database " + inRootsFolder + " cannot be opened by user nobody, whom this program runs as: SQLite keeps two files " +
			"beside it (" + inRootsFolder + "-wal and " + inRootsFolder + "-shm), and its folder " + dir + " does not let it make files " +
			"(the folder belongs to root, with mode 0755); move the database to a folder it may write in, or have an administrator " +
			"let it write in that folder: permission denied",
		"the database " + inRootsFolder + " cannot be opened by user nobody, whom this program runs as: Migrant Desk keeps a file " +
			"beside it (" + inRootsFolder + "-lock), and its folder " + dir + " does not let it make files " +
			"(the folder belongs to root, with mode 0755); move the database to a folder it may write in, or have an administrator " +
			"let it write in that folder: open " + inRootsFolder + "-lock: permission denied",
		// How Windows, which has no access(2), learns the same of a folder.
		"permission denied",
	}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("opened as nobody:\n%s\nwant\n%s", got[min(i, len(got)-1)], w)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// A folder that lets this process make files is found so without a file
// left in it: on Windows every opening of a database with no -wal beside
// it tries one.
func TestTryMakeInLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := store.TryMakeIn(dir); err != nil {
		t.Fatal(err)
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("trying the folder left %v (%v)", left, err)
	}
}
