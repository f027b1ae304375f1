package main

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// module is one module linked into a binary, as its build information
// names it.
type module struct {
	Path, Version string
}

func (m module) String() string { return m.Path + " " + m.Version }

// extra is a notice for something that is no Go module, such as fonts
// the program embeds: a name and the file holding its licence.
type extra struct {
	Name, File string
}

// linked reads the build information of each binary and returns the Go
// release that built them and the modules they link, each once, sorted.
// A replaced module is listed as its replacement, whose code is the one
// linked.
func linked(binaries []string) (goVersion string, mods []module, err error) {
	seen := map[module]bool{}
	for _, bin := range binaries {
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			return "", nil, fmt.Errorf("reading the Go build information of %s: %w", bin, err)
		}
		// A release with an experiment on says so after a space.
		v := strings.Fields(info.GoVersion)[0]
		if goVersion != "" && v != goVersion {
			return "", nil, fmt.Errorf("%s was built with %s, the other programs with %s: build them all with one Go", bin, v, goVersion)
		}
		goVersion = v
		for _, d := range info.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			m := module{d.Path, d.Version}
			if !seen[m] {
				seen[m] = true
				mods = append(mods, m)
			}
		}
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].String() < mods[j].String() })
	return goVersion, mods, nil
}

// cacheDir is where the module cache holds m: each capital letter of its
// path and version as "!" and the letter in lower case, so that the cache
// works on file systems that ignore case.
func cacheDir(modcache string, m module) string {
	return filepath.Join(modcache, filepath.FromSlash(escape(m.Path)+"@"+escape(m.Version)))
}

func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// licenceNames are how licence and notice files are named, in lower case
// and without an extension (LICENSE, LICENSE.md, COPYING.txt,
// LICENSE-SQLITE, NOTICE, PATENTS).
var licenceNames = []string{"licen", "copying", "copyright", "notice", "patents", "unlicense"}

// notText are the extensions of files whose names may start as a
// licence does (notice_response.go) but that hold code.
var notText = map[string]bool{
	".go": true, ".s": true, ".c": true, ".h": true, ".sh": true, ".py": true,
	".js": true, ".json": true, ".yml": true, ".yaml": true, ".html": true, ".tmpl": true,
}

func isLicence(name string) bool {
	lower := strings.ToLower(name)
	if notText[filepath.Ext(lower)] {
		return false
	}
	for _, n := range licenceNames {
		if strings.HasPrefix(lower, n) {
			return true
		}
	}
	return false
}

// skipped are folders whose files are never linked into a program:
// tests, commands of their own and examples. A folder of a package the
// binary links (the fonts Fyne embeds, a C library ported to Go) may
// carry a licence of its own, so the others are searched.
var skipped = map[string]bool{
	"testdata": true, "cmd": true, "example": true, "examples": true, "vendor": true,
}

// licenceFiles lists the licence files of a module's folder, those at its
// top first, as paths relative to it. It is an error when the top has
// none: a licence found only deeper belongs to a part of the module.
func licenceFiles(dir string, deep bool) ([]string, error) {
	var top, below []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (!deep || skipped[d.Name()] || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isLicence(d.Name()) {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if filepath.Dir(rel) == "." {
			top = append(top, rel)
		} else {
			below = append(below, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(top) == 0 {
		return nil, errNoLicence
	}
	return append(top, below...), nil
}

var errNoLicence = errors.New("no licence file")

// config is what a notices file is made from.
type config struct {
	Title    string   // the product, as the heading names it
	Binaries []string // the programs the notices ship with
	GOROOT   string   // the Go that built them, for its own LICENSE
	ModCache string   // the module cache holding the modules they link
	Extras   []extra  // notices for what is not a Go module
}

// write writes the notices of everything the binaries link, and of the
// extras, to w.
func write(w io.Writer, c config) error {
	goVersion, mods, err := linked(c.Binaries)
	if err != nil {
		return err
	}
	v, err := os.ReadFile(filepath.Join(c.GOROOT, "VERSION"))
	if err != nil {
		return fmt.Errorf("reading the version of the Go at %s: %w", c.GOROOT, err)
	}
	if got := strings.Fields(string(v)); len(got) == 0 || got[0] != goVersion {
		return fmt.Errorf("the programs were built with %s, but the Go at %s is another release: give the GOROOT of the Go that built them", goVersion, c.GOROOT)
	}
	type section struct {
		heading string
		texts   []named
	}
	var sections []section
	goTexts, err := readTexts(c.GOROOT, false)
	if err != nil {
		return fmt.Errorf("the Go standard library's licence in %s: %w", c.GOROOT, err)
	}
	sections = append(sections, section{"Go standard library and runtime " + goVersion, goTexts})
	for _, m := range mods {
		dir := cacheDir(c.ModCache, m)
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("%s is not in the module cache (%s): run go mod download %s@%s, then build the package again", m, dir, m.Path, m.Version)
		}
		texts, err := readTexts(dir, true)
		if errors.Is(err, errNoLicence) {
			return fmt.Errorf("%s has no licence file (LICENSE, COPYING, NOTICE...) at the top of %s: its licence must ship with the programs, so find it and give it with -add", m, dir)
		}
		if err != nil {
			return fmt.Errorf("the licence of %s: %w", m, err)
		}
		sections = append(sections, section{m.String(), texts})
	}
	for _, e := range c.Extras {
		text, err := os.ReadFile(e.File)
		if err != nil {
			return fmt.Errorf("the licence of %s: %w", e.Name, err)
		}
		sections = append(sections, section{e.Name, []named{{filepath.Base(e.File), text}}})
	}

	b := bufio.NewWriter(w)
	names := make([]string, len(c.Binaries))
	for i, bin := range c.Binaries {
		names[i] = filepath.Base(bin)
	}
	fmt.Fprintf(b, "Third-party notices: %s\n\n", c.Title)
	fmt.Fprintf(b, "These programs contain the software listed below:\n  %s\n", strings.Join(names, ", "))
	b.WriteString("Each is used under the licence that follows its name. Those licences ask\n" +
		"that their notices be given with the programs: here they are.\n\n")
	for _, s := range sections {
		fmt.Fprintf(b, "  %s\n", s.heading)
	}
	rule := strings.Repeat("=", 78)
	for _, s := range sections {
		fmt.Fprintf(b, "\n%s\n%s\n%s\n", rule, s.heading, rule)
		for _, t := range s.texts {
			fmt.Fprintf(b, "\n--- %s ---\n\n", filepath.ToSlash(t.name))
			b.Write(lf(t.text))
		}
	}
	return b.Flush()
}

// named is the text of one licence file, by its path in its module.
type named struct {
	name string
	text []byte
}

func readTexts(dir string, deep bool) ([]named, error) {
	files, err := licenceFiles(dir, deep)
	if err != nil {
		return nil, err
	}
	texts := make([]named, len(files))
	for i, f := range files {
		text, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		texts[i] = named{f, text}
	}
	return texts, nil
}

// lf gives text LF line ends and a last one: the Windows package turns
// every line end into CRLF, and a CR kept from the file would double.
func lf(text []byte) []byte {
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	if len(text) > 0 && text[len(text)-1] != '\n' {
		text = append(text, '\n')
	}
	return text
}
