// Command notices writes the third-party notices of Migrant Desk's
// packages: the licence of every module each program links, as its Go
// build information lists them, read from the module cache; the Go
// standard library's, from the Go that built them; and those of what is
// no module (the fonts the PDF reports embed). The licences of what the
// programs link statically ask that their notices ship with them.
//
//	notices -title TITLE -goroot DIR -modcache DIR [-add NAME=FILE]... -o OUT PROGRAM...
//
// It fails, writing nothing, when a module's licence cannot be found.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
}

// extras is the -add flag, given once for each notice.
type extras []extra

func (e *extras) String() string { return fmt.Sprint(*e) }

func (e *extras) Set(s string) error {
	name, file, ok := strings.Cut(s, "=")
	if !ok || name == "" || file == "" {
		return errors.New("want NAME=FILE")
	}
	*e = append(*e, extra{name, file})
	return nil
}

func run(args []string) error {
	fs := flag.NewFlagSet("notices", flag.ContinueOnError)
	var c config
	fs.StringVar(&c.Title, "title", "", "the product and its release, for the heading")
	fs.StringVar(&c.GOROOT, "goroot", "", "the GOROOT of the Go that built the programs (go env GOROOT)")
	fs.StringVar(&c.ModCache, "modcache", "", "the module cache (go env GOMODCACHE)")
	fs.Var((*extras)(&c.Extras), "add", "a notice for something that is no Go module: `NAME=FILE`, its name and its licence")
	out := fs.String("o", "", "the notices `FILE` to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.Binaries = fs.Args()
	if c.Title == "" || c.GOROOT == "" || c.ModCache == "" || *out == "" || len(c.Binaries) == 0 {
		return errors.New("usage: notices -title TITLE -goroot DIR -modcache DIR [-add NAME=FILE]... -o OUT PROGRAM...")
	}
	var buf bytes.Buffer
	if err := write(&buf, c); err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}
