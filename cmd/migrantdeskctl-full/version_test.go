package main

import (
	"bytes"
	"strings"
	"testing"

	"migrantdesk/assets"
)

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := dispatch([]string{"version"}, &out); err != nil {
		t.Fatal(err)
	}
	if want := "migrantdeskctl " + assets.Version + " ("; !strings.HasPrefix(out.String(), want) {
		t.Errorf("version printed %q, want it to start with %q", out.String(), want)
	}
	if err := dispatch([]string{"version", "extra"}, &out); err == nil {
		t.Error("version accepted an argument")
	}
}
