package widgets

import (
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// SaveRequest is what a save dialog needs: whose window it belongs to,
// where it starts and the file it suggests.
type SaveRequest struct {
	Win   fyne.Window
	Title string // "Save the Detail report"
	Dir   string // folder to open in
	Name  string // suggested file name
	Kind  string // "Excel workbook", for the file-type filter
	Ext   string // ".xlsx"
}

// FileSaver asks the user where to save a file. done runs on the UI
// goroutine with the chosen path, or "" when the user cancelled. Screens
// depend on this interface only, so tests replace it with one that
// answers a temp path.
type FileSaver interface {
	SaveAs(req SaveRequest, done func(path string))
}

// nativeSave shows the system's own save dialog and blocks until it
// closes; "" means cancelled. It is set by savefile_cgo.go and stays nil
// when the program is built without cgo.
var nativeSave func(req SaveRequest) (string, error)

// DefaultSaver is the system's save dialog where there is one, Fyne's
// otherwise. post hands a function to the UI goroutine (fyne.Do in the
// app): the system dialog answers on another.
func DefaultSaver(post func(func())) FileSaver {
	if nativeSave != nil {
		return NativeSaver{Fallback: FyneSaver{}, Post: post}
	}
	return FyneSaver{}
}

// NativeSaver runs the system dialog off the UI goroutine, since it
// blocks, and falls back to another (Fyne's) when the system one fails or
// panics (no display, no GTK).
type NativeSaver struct {
	Fallback FileSaver
	Post     func(func())
}

// SaveAs shows the system dialog and hands its answer to the UI goroutine.
func (n NativeSaver) SaveAs(req SaveRequest, done func(path string)) {
	go func() {
		path, err := safeNativeSave(req)
		n.Post(func() {
			if err != nil {
				fyne.LogError("the system save dialog failed, using Fyne's", err)
				n.Fallback.SaveAs(req, done)
				return
			}
			done(path)
		})
	}()
}

// nativeMu lets one system dialog run at a time: GTK is not safe to call
// from two threads, and two district windows may each ask for a file.
var nativeMu sync.Mutex

// safeNativeSave turns a panic of the native dialog into an error.
func safeNativeSave(req SaveRequest) (path string, err error) {
	nativeMu.Lock()
	defer nativeMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = panicError{r}
		}
	}()
	return nativeSave(req)
}

type panicError struct{ value any }

func (p panicError) Error() string {
	if err, ok := p.value.(error); ok {
		return err.Error()
	}
	if s, ok := p.value.(string); ok {
		return s
	}
	return "the save dialog panicked"
}

// FyneSaver is Fyne's own save dialog, drawn inside the window.
type FyneSaver struct{}

// SaveAs shows the dialog; done runs when it closes.
func (FyneSaver) SaveAs(req SaveRequest, done func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			fyne.LogError("save dialog", err)
		}
		if w == nil {
			done("")
			return
		}
		path := w.URI().Path()
		w.Close()
		// The dialog has just created (or emptied) the file. The file is
		// written beside it and renamed into place; an empty file left
		// here would outlive a cancelled or failed export.
		if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
			os.Remove(path)
		}
		done(path)
	}, req.Win)
	d.SetTitleText(req.Title)
	d.SetConfirmText("Save")
	if req.Ext != "" {
		d.SetFilter(storage.NewExtensionFileFilter([]string{req.Ext}))
	}
	if dir, err := storage.ListerForURI(storage.NewFileURI(req.Dir)); err == nil && req.Dir != "" {
		d.SetLocation(dir)
	}
	d.SetFileName(req.Name)
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
}
