package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestUnknownCommand(t *testing.T) {
	err := dispatch([]string{"frobnicate"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("got %v", err)
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if err := dispatch(nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "usage: migrantdeskctl") {
		t.Fatalf("help: %q", out.String())
	}
}
