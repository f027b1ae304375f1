package gui

import (
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// prefReportFolder is the preference holding the folder a report was last
// saved in, where the next save dialog opens.
const prefReportFolder = "report_folder"

// saveRequest is what a save dialog needs: whose window it belongs to,
// where it starts and the file it suggests.
type saveRequest struct {
	win   fyne.Window
	title string // "Save the Detail report"
	dir   string // folder to open in
	name  string // suggested file name
	kind  string // "Excel workbook", for the file-type filter
	ext   string // ".xlsx"
}

// fileSaver asks the user where to save a file. done runs on the UI
// goroutine with the chosen path, or "" when the user cancelled. The
// report screen depends on this interface only, so tests replace it with
// one that answers a temp path.
type fileSaver interface {
	saveAs(req saveRequest, done func(path string))
}

// nativeSave shows the system's own save dialog and blocks until it
// closes; "" means cancelled. It is set by savefile_cgo.go and stays nil
// when the program is built without cgo.
var nativeSave func(req saveRequest) (string, error)

// defaultSaver is the system's save dialog where there is one, Fyne's
// otherwise.
func defaultSaver() fileSaver {
	if nativeSave != nil {
		return nativeSaver{fallback: fyneSaver{}}
	}
	return fyneSaver{}
}

// nativeSaver runs the system dialog off the UI goroutine, since it
// blocks, and falls back to another (Fyne's) when the system one fails or
// panics (no display, no GTK).
type nativeSaver struct {
	fallback fileSaver
}

func (n nativeSaver) saveAs(req saveRequest, done func(path string)) {
	go func() {
		path, err := safeNativeSave(req)
		fyne.Do(func() {
			if err != nil {
				fyne.LogError("the system save dialog failed, using Fyne's", err)
				n.fallback.saveAs(req, done)
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
func safeNativeSave(req saveRequest) (path string, err error) {
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

// fyneSaver is Fyne's own save dialog, drawn inside the window.
type fyneSaver struct{}

func (fyneSaver) saveAs(req saveRequest, done func(path string)) {
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
		// The dialog has just created (or emptied) the file. The report
		// is written beside it and renamed into place; an empty file
		// left here would outlive a cancelled or failed report.
		if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
			os.Remove(path)
		}
		done(path)
	}, req.win)
	d.SetTitleText(req.title)
	d.SetConfirmText("Save")
	if req.ext != "" {
		d.SetFilter(storage.NewExtensionFileFilter([]string{req.ext}))
	}
	if dir, err := storage.ListerForURI(storage.NewFileURI(req.dir)); err == nil && req.dir != "" {
		d.SetLocation(dir)
	}
	d.SetFileName(req.name)
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
}

// reportFolder is where the next report is offered: the folder used last,
// else Documents, else the home folder.
func reportFolder(a fyne.App) string {
	if dir := a.Preferences().String(prefReportFolder); dir != "" && isDir(dir) {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// rememberFolder keeps the folder of a saved file for the next save.
func rememberFolder(a fyne.App, path string) {
	a.Preferences().SetString(prefReportFolder, filepath.Dir(path))
}
