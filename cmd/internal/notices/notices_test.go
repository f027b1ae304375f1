package main

import (
	"bytes"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goEnv is what `go env` says of name.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// linkedProgram builds testdata/linked, a program that links modules from
// the module cache, and returns its path.
func linkedProgram(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "linked")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/linked").CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/linked: %v\n%s", err, out)
	}
	return bin
}

// The notices of a program: every module its build information lists is there under its own heading with the text of each
// licence file at the top of its folder in the module cache, and Go's
// own licence comes first.
func TestNoticesOfAProgram(t *testing.T) {
	bin := linkedProgram(t)
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	goroot, modcache := goEnv(t, "GOROOT"), goEnv(t, "GOMODCACHE")
	extraFile := filepath.Join(t.TempDir(), "LICENSE")
	if err := os.WriteFile(extraFile, []byte("Fonts licence\r\nsecond line"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = write(&out, config{
		Title:    "Migrant Desk test",
		Binaries: []string{bin},
		GOROOT:   goroot,
		ModCache: modcache,
		Extras:   []extra{{"Some fonts", extraFile}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()

	var names []string
	for _, d := range info.Deps {
		names = append(names, d.Path)
	}
	for _, want := range []string{"github.com/BurntSushi/toml", "golang.org/x/text"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Fatalf("testdata/linked does not link %s (it links %v)", want, names)
		}
	}
	goLicence, err := os.ReadFile(filepath.Join(goroot, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	goHeading := "\nGo standard library and runtime " + strings.Fields(info.GoVersion)[0] + "\n"
	if i := strings.Index(got, goHeading); i < 0 || !strings.Contains(got[i:], string(lf(goLicence))) {
		t.Errorf("the notices have no %q followed by Go's LICENSE", strings.TrimSpace(goHeading))
	}
	for _, d := range info.Deps {
		heading := "\n" + d.Path + " " + d.Version + "\n"
		i := strings.Index(got, heading)
		if i < 0 {
			t.Errorf("the notices have no heading %q", strings.TrimSpace(heading))
			continue
		}
		section := got[i+len(heading):]
		if next := strings.Index(section, "\n"+strings.Repeat("=", 78)+"\n\n"); next >= 0 {
			section = section[:next]
		}
		dir := filepath.Join(modcache, escape(d.Path)+"@"+escape(d.Version))
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range entries {
			if e.IsDir() || !isLicence(e.Name()) {
				continue
			}
			found++
			text, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(section, "--- "+e.Name()+" ---\n\n"+string(lf(text))) {
				t.Errorf("the notices of %s %s lack its %s", d.Path, d.Version, e.Name())
			}
		}
		if found == 0 {
			t.Errorf("%s has no licence file at the top of %s", d.Path, dir)
		}
	}
	if !strings.HasSuffix(got, "\nSome fonts\n"+strings.Repeat("=", 78)+"\n\n--- LICENSE ---\n\nFonts licence\nsecond line\n") {
		t.Errorf("the notices do not end with the extra notice, with LF line ends:\n%s", got[max(0, len(got)-300):])
	}
}

// A module whose licence is not where the module cache keeps it fails the
// notices, naming the module and where it was looked for.
func TestNoticesFailWithoutALicence(t *testing.T) {
	bin := linkedProgram(t)
	modcache := t.TempDir()
	toml := filepath.Join(modcache, "github.com", "!burnt!sushi")
	for _, c := range []struct {
		name    string
		prepare func(t *testing.T)
		want    string
	}{
		{"not in the cache", func(*testing.T) {}, "is not in the module cache"},
		{"no licence file", func(t *testing.T) {
			// The module as the cache holds it, its licence gone: only
			// a licence of a part of it, deeper, is left.
			info, err := buildinfo.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range info.Deps {
				dir := filepath.Join(modcache, escape(d.Path)+"@"+escape(d.Version), "part")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "LICENSE"), []byte("of a part"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}, "has no licence file (LICENSE, COPYING, NOTICE...) at the top of " + toml},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.prepare(t)
			err := write(&bytes.Buffer{}, config{
				Title:    "Migrant Desk test",
				Binaries: []string{bin},
				GOROOT:   goEnv(t, "GOROOT"),
				ModCache: modcache,
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}

func TestIsLicence(t *testing.T) {
	for name, want := range map[string]bool{
		"LICENSE": true, "LICENSE.md": true, "LICENCE.txt": true, "COPYING": true, "NOTICE": true,
		"PATENTS": true, "LICENSE-SQLITE": true, "license_inter.txt": true,
		"notice_response.go": false, "README.md": false, "check_license.sh": false, "go.mod": false,
	} {
		if got := isLicence(name); got != want {
			t.Errorf("isLicence(%q) = %v, want %v", name, got, want)
		}
	}
}
