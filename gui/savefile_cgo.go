//go:build cgo

package gui

import (
	"errors"
	"strings"

	"github.com/sqweek/dialog"
)

// The system's save dialog (GTK, Windows, macOS) needs cgo; without it
// nativeSave stays nil and Fyne's dialog is used.
func init() {
	nativeSave = func(req saveRequest) (string, error) {
		b := dialog.File().Title(req.title).SetStartDir(req.dir).SetStartFile(req.name)
		if req.ext != "" {
			b = b.Filter(req.kind, strings.TrimPrefix(req.ext, "."))
		}
		path, err := b.Save()
		if errors.Is(err, dialog.ErrCancelled) {
			return "", nil
		}
		return path, err
	}
}
