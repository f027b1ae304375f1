//go:build cgo

package widgets

import (
	"errors"
	"strings"

	"github.com/sqweek/dialog"
)

// The system's save dialog (GTK, Windows, macOS) needs cgo; without it
// nativeSave stays nil and Fyne's dialog is used.
func init() {
	nativeSave = func(req SaveRequest) (string, error) {
		b := dialog.File().Title(req.Title).SetStartDir(req.Dir).SetStartFile(req.Name)
		if req.Ext != "" {
			b = b.Filter(req.Kind, strings.TrimPrefix(req.Ext, "."))
		}
		path, err := b.Save()
		if errors.Is(err, dialog.ErrCancelled) {
			return "", nil
		}
		return path, err
	}
}
