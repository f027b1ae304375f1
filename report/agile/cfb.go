package agile

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf16"
)

// The compound file (MS-CFB) written here is version 3: 512-byte sectors,
// 64-byte mini sectors, streams under 4096 bytes in the mini stream.
const (
	sectorSize     = 512
	miniSectorSize = 64
	miniCutoff     = 4096
	dirEntrySize   = 128
	idsPerSector   = sectorSize / 4
	headerDIFAT    = 109
	maxNameUnits   = 31

	// v3 files keep a stream's size in 32 bits.
	maxStreamSize int64 = math.MaxUint32
)

// Special sector numbers (MS-CFB §2.1).
const (
	difSect    uint32 = 0xFFFFFFFC
	fatSect    uint32 = 0xFFFFFFFD
	endOfChain uint32 = 0xFFFFFFFE
	freeSect   uint32 = 0xFFFFFFFF
	noStream   uint32 = 0xFFFFFFFF
)

// Directory entry types and colours (MS-CFB §2.6.1).
const (
	typeStorage = 1
	typeStream  = 2
	typeRoot    = 5
	colourRed   = 0
	colourBlack = 1
)

// node is a storage (with children) or a stream (with data) of a compound
// file.
type node struct {
	name     string
	data     []byte
	children []*node
	storage  bool
}

func stream(name string, data []byte) *node { return &node{name: name, data: data} }

func storage(name string, children ...*node) *node {
	return &node{name: name, children: children, storage: true}
}

// dirEntry is a node placed in the directory: its links and where its
// data starts.
type dirEntry struct {
	n                  *node
	left, right, child uint32
	kind, colour       byte
	start              uint32
	size               uint64
}

// writeCompoundFile writes a compound file whose root storage holds
// children, in one pass: the layout is computed first, so w need not
// seek.
func writeCompoundFile(w io.Writer, children ...*node) error {
	root := storage("Root Entry", children...)
	var dir []*dirEntry
	if err := addEntry(&dir, root); err != nil {
		return err
	}
	dir[0].kind = typeRoot

	// The mini stream: each small stream in whole mini sectors.
	var miniFAT []uint32
	for _, e := range dir {
		if e.n.storage || len(e.n.data) == 0 || len(e.n.data) >= miniCutoff {
			continue
		}
		e.start = uint32(len(miniFAT))
		miniFAT = appendChain(miniFAT, e.start, uint32((len(e.n.data)+miniSectorSize-1)/miniSectorSize))
	}
	miniStreamSize := len(miniFAT) * miniSectorSize

	dirSectors := sectorsFor(len(dir) * dirEntrySize)
	miniFATSectors := sectorsFor(len(miniFAT) * 4)
	miniStreamSectors := sectorsFor(miniStreamSize)
	dataSectors := dirSectors + miniFATSectors + miniStreamSectors
	for _, e := range dir {
		if !e.n.storage && len(e.n.data) >= miniCutoff {
			dataSectors += sectorsFor(len(e.n.data))
		}
	}
	// The FAT also maps its own sectors and the DIFAT's.
	fatSectors, difatSectors := 0, 0
	for {
		need := (dataSectors + fatSectors + difatSectors + idsPerSector - 1) / idsPerSector
		difat := 0
		if need > headerDIFAT {
			difat = (need - headerDIFAT + idsPerSector - 2) / (idsPerSector - 1)
		}
		if need == fatSectors && difat == difatSectors {
			break
		}
		fatSectors, difatSectors = need, difat
	}

	// Layout: FAT, DIFAT, directory, mini FAT, mini stream, big streams.
	fat := make([]uint32, 0, fatSectors*idsPerSector)
	for range fatSectors {
		fat = append(fat, fatSect)
	}
	for range difatSectors {
		fat = append(fat, difSect)
	}
	dirStart := uint32(len(fat))
	fat = appendChain(fat, dirStart, uint32(dirSectors))
	miniFATStart := endOfChain
	if miniFATSectors > 0 {
		miniFATStart = uint32(len(fat))
		fat = appendChain(fat, miniFATStart, uint32(miniFATSectors))
	}
	dir[0].start, dir[0].size = endOfChain, uint64(miniStreamSize)
	if miniStreamSectors > 0 {
		dir[0].start = uint32(len(fat))
		fat = appendChain(fat, dir[0].start, uint32(miniStreamSectors))
	}
	var big []*dirEntry
	for _, e := range dir[1:] {
		switch {
		case e.n.storage:
			e.start = 0
		case len(e.n.data) == 0:
			e.start = endOfChain
		case len(e.n.data) >= miniCutoff:
			e.start = uint32(len(fat))
			fat = appendChain(fat, e.start, uint32(sectorsFor(len(e.n.data))))
			big = append(big, e)
		}
		if !e.n.storage {
			e.size = uint64(len(e.n.data))
		}
	}
	for len(fat) < fatSectors*idsPerSector {
		fat = append(fat, freeSect)
	}

	// bufio keeps the first write error and Flush returns it.
	bw := bufio.NewWriter(w)
	writeHeader(bw, fatSectors, difatSectors, dirStart, miniFATStart, miniFATSectors)
	writeIDs(bw, fat)
	writeDIFAT(bw, fatSectors, difatSectors)
	for i := range dirSectors * sectorSize / dirEntrySize {
		var e *dirEntry
		if i < len(dir) {
			e = dir[i]
		}
		writeDirEntry(bw, e)
	}
	writeIDs(bw, miniFAT)
	pad(bw, len(miniFAT)*4, sectorSize, 0xFF)
	for _, e := range dir {
		if !e.n.storage && len(e.n.data) > 0 && len(e.n.data) < miniCutoff {
			bw.Write(e.n.data)
			pad(bw, len(e.n.data), miniSectorSize, 0)
		}
	}
	pad(bw, miniStreamSize, sectorSize, 0)
	for _, e := range big {
		bw.Write(e.n.data)
		pad(bw, len(e.n.data), sectorSize, 0)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the compound file: %w", err)
	}
	return nil
}

// addEntry appends n and, depth first, its children to dir, linking each
// storage's children as a red-black tree.
func addEntry(dir *[]*dirEntry, n *node) error {
	if len(utf16.Encode([]rune(n.name))) > maxNameUnits || strings.ContainsAny(n.name, "/\\:!") {
		return fmt.Errorf("the compound file entry name %q is longer than 31 characters or holds / \\ : !", n.name)
	}
	if int64(len(n.data)) > maxStreamSize {
		return fmt.Errorf("the stream %q is %d bytes; a compound file holds at most %d", n.name, len(n.data), maxStreamSize)
	}
	e := &dirEntry{n: n, left: noStream, right: noStream, child: noStream, kind: typeStream, colour: colourBlack}
	if n.storage {
		e.kind = typeStorage
	}
	*dir = append(*dir, e)
	kids := make([]uint32, 0, len(n.children))
	for _, c := range n.children {
		kids = append(kids, uint32(len(*dir)))
		if err := addEntry(dir, c); err != nil {
			return err
		}
	}
	slices.SortFunc(kids, func(a, b uint32) int { return compareNames((*dir)[a].n.name, (*dir)[b].n.name) })
	for i := 1; i < len(kids); i++ {
		if compareNames((*dir)[kids[i-1]].n.name, (*dir)[kids[i]].n.name) == 0 {
			return fmt.Errorf("the storage %q holds two entries named %q", n.name, (*dir)[kids[i]].n.name)
		}
	}
	e.child = balance(*dir, kids, 0, treeHeight(len(kids)))
	return nil
}

// compareNames orders siblings as MS-CFB §2.6.4 says: shorter names
// first, then by upper-cased UTF-16 code units.
func compareNames(a, b string) int {
	ua, ub := utf16.Encode([]rune(strings.ToUpper(a))), utf16.Encode([]rune(strings.ToUpper(b)))
	if len(ua) != len(ub) {
		return len(ua) - len(ub)
	}
	return slices.Compare(ua, ub)
}

// treeHeight is the depth of the deepest node of a balanced tree of n
// nodes (the root is at depth 0).
func treeHeight(n int) int {
	h := 0
	for 1<<(h+1) <= n {
		h++
	}
	return h
}

// balance links the sorted ids as a balanced binary search tree and
// returns its root. Every level but the deepest is full, so colouring the
// deepest level red (below a black root) and the rest black gives every
// path the same number of black nodes: a valid red-black tree.
func balance(dir []*dirEntry, ids []uint32, depth, height int) uint32 {
	if len(ids) == 0 {
		return noStream
	}
	mid := len(ids) / 2
	e := dir[ids[mid]]
	e.left = balance(dir, ids[:mid], depth+1, height)
	e.right = balance(dir, ids[mid+1:], depth+1, height)
	if depth == height && depth > 0 {
		e.colour = colourRed
	}
	return ids[mid]
}

// appendChain appends to a FAT the chain of n sectors from start.
func appendChain(fat []uint32, start, n uint32) []uint32 {
	for i := uint32(1); i < n; i++ {
		fat = append(fat, start+i)
	}
	if n > 0 {
		fat = append(fat, endOfChain)
	}
	return fat
}

func sectorsFor(size int) int { return (size + sectorSize - 1) / sectorSize }

func writeHeader(w *bufio.Writer, fatSectors, difatSectors int, dirStart, miniFATStart uint32, miniFATSectors int) {
	h := make([]byte, 0, sectorSize)
	h = append(h, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)
	h = append(h, make([]byte, 16)...) // header CLSID
	h = binary.LittleEndian.AppendUint16(h, 0x003E)
	h = binary.LittleEndian.AppendUint16(h, 3)
	h = binary.LittleEndian.AppendUint16(h, 0xFFFE) // little-endian
	h = binary.LittleEndian.AppendUint16(h, 9)      // 512-byte sectors
	h = binary.LittleEndian.AppendUint16(h, 6)      // 64-byte mini sectors
	h = append(h, make([]byte, 6)...)
	h = binary.LittleEndian.AppendUint32(h, 0) // directory sectors: 0 in v3
	h = binary.LittleEndian.AppendUint32(h, uint32(fatSectors))
	h = binary.LittleEndian.AppendUint32(h, dirStart)
	h = binary.LittleEndian.AppendUint32(h, 0) // transaction signature
	h = binary.LittleEndian.AppendUint32(h, miniCutoff)
	h = binary.LittleEndian.AppendUint32(h, miniFATStart)
	h = binary.LittleEndian.AppendUint32(h, uint32(miniFATSectors))
	firstDIFAT := endOfChain
	if difatSectors > 0 {
		firstDIFAT = uint32(fatSectors)
	}
	h = binary.LittleEndian.AppendUint32(h, firstDIFAT)
	h = binary.LittleEndian.AppendUint32(h, uint32(difatSectors))
	for i := range headerDIFAT {
		id := freeSect
		if i < fatSectors {
			id = uint32(i) // the FAT is the file's first sectors
		}
		h = binary.LittleEndian.AppendUint32(h, id)
	}
	w.Write(h)
}

// writeDIFAT writes the DIFAT sectors, which follow the FAT: the numbers
// of the FAT sectors past the header's 109, 127 a sector, each sector
// ending with the next one's number.
func writeDIFAT(w *bufio.Writer, fatSectors, difatSectors int) {
	next := headerDIFAT
	for d := range difatSectors {
		for range idsPerSector - 1 {
			id := freeSect
			if next < fatSectors {
				id = uint32(next)
			}
			writeIDs(w, []uint32{id})
			next++
		}
		link := endOfChain
		if d+1 < difatSectors {
			link = uint32(fatSectors + d + 1)
		}
		writeIDs(w, []uint32{link})
	}
}

// writeDirEntry writes e, or an unused entry when e is nil. Times are
// left zero, as MS-CFB allows (and requires of the root).
func writeDirEntry(w *bufio.Writer, e *dirEntry) {
	b := make([]byte, 0, dirEntrySize)
	if e == nil {
		b = append(b, make([]byte, 66)...)
		b = append(b, 0, 0) // unused, red
		for range 3 {
			b = binary.LittleEndian.AppendUint32(b, noStream)
		}
		w.Write(append(b, make([]byte, dirEntrySize-len(b))...))
		return
	}
	name := utf16.Encode([]rune(e.n.name))
	for _, u := range name {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	b = append(b, make([]byte, 64-2*len(name))...)
	b = binary.LittleEndian.AppendUint16(b, uint16(2*len(name)+2)) // with the terminating NUL
	b = append(b, e.kind, e.colour)
	b = binary.LittleEndian.AppendUint32(b, e.left)
	b = binary.LittleEndian.AppendUint32(b, e.right)
	b = binary.LittleEndian.AppendUint32(b, e.child)
	b = append(b, make([]byte, 16+4+8+8)...) // CLSID, state bits, times
	b = binary.LittleEndian.AppendUint32(b, e.start)
	b = binary.LittleEndian.AppendUint64(b, e.size)
	w.Write(b)
}

func writeIDs(w *bufio.Writer, ids []uint32) {
	var b [4]byte
	for _, id := range ids {
		binary.LittleEndian.PutUint32(b[:], id)
		w.Write(b[:])
	}
}

// pad writes fill bytes from size up to the next multiple of unit.
func pad(w *bufio.Writer, size, unit int, fill byte) {
	for range (unit - size%unit) % unit {
		w.WriteByte(fill)
	}
}
