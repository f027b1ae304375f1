// Command linked is a program for the notices tests to read: it links
// two modules from the module cache, one with capital letters in its
// path, which the cache spells otherwise. (A test binary lists no
// modules in its build information.)
package main

import (
	"fmt"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/unicode/norm"
)

func main() {
	var v struct{ Name string }
	_, err := toml.Decode(norm.NFC.String("Name = \"Jose\u0301\""), &v)
	fmt.Println(v.Name, err)
}
