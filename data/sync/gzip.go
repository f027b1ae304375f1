package sync

import (
	"io"
	gosync "sync"

	kgzip "github.com/klauspost/compress/gzip"
)

// gzipReaders are reused, by the hub for pushes' bodies and by the
// workstation for answers: each reader holds tens of kilobytes of window
// and tables, which every body made anew, and a first sync reads
// hundreds of pages.
var gzipReaders gosync.Pool

// Gunzip reads r's gzip through a reused reader (klauspost's, which
// takes half the standard library's CPU); give it back with Gunzipped
// once the body is read.
func Gunzip(r io.Reader) (*kgzip.Reader, error) {
	if zr, ok := gzipReaders.Get().(*kgzip.Reader); ok {
		if err := zr.Reset(r); err != nil {
			gzipReaders.Put(zr)
			return nil, err
		}
		return zr, nil
	}
	return kgzip.NewReader(r)
}

// Gunzipped gives zr back for another body.
func Gunzipped(zr *kgzip.Reader) {
	zr.Close()
	gzipReaders.Put(zr)
}
