package agile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// readBack lists every stream of a compound file by its path, as read by
// an independent reader (the one excelize uses).
func readBack(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	doc, err := mscfb.New(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the compound file does not open: %v", err)
	}
	got := map[string][]byte{}
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		path := strings.Join(append(slices.Clone(e.Path), e.Name), "/")
		if e.FileInfo().IsDir() {
			got[path+"/"] = nil
			continue
		}
		b, err := io.ReadAll(e)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		got[path] = b
	}
	return got
}

func TestCompoundFileStreams(t *testing.T) {
	for _, size := range []int{0, 1, 63, 64, 4095, 4096, 4097, 70000, 9 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			big := bytes.Repeat([]byte("0123456789abcdefg"), size/17+1)[:size]
			small := []byte("a small stream in the mini stream")
			var buf bytes.Buffer
			err := writeCompoundFile(&buf,
				stream("Big", big),
				storage("Dir", stream("Inner", small), storage("Empty")),
				stream("Small", small),
				stream("Zero", nil))
			if err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			if len(raw)%sectorSize != 0 {
				t.Errorf("the file is %d bytes, not whole sectors", len(raw))
			}
			checkStructure(t, raw)
			got := readBack(t, raw)
			want := map[string][]byte{"Big": big, "Dir/": nil, "Dir/Inner": small, "Dir/Empty/": nil, "Small": small, "Zero": {}}
			for path, w := range want {
				g, ok := got[path]
				if !ok {
					t.Errorf("%s is missing; read %d entries", path, len(got))
				} else if !bytes.Equal(g, w) {
					t.Errorf("%s reads back %d bytes, want %d (or they differ)", path, len(g), len(w))
				}
			}
			if len(got) != len(want) {
				t.Errorf("read %d entries, want %d", len(got), len(want))
			}
		})
	}
}

// checkStructure reads the file by MS-CFB's rules, apart from any
// library: the header, the FAT through the DIFAT, every sector's use
// accounted for once, and each storage's children a red-black tree in
// the spec's name order.
func checkStructure(t *testing.T, raw []byte) {
	t.Helper()
	u32 := func(off int) uint32 { return binary.LittleEndian.Uint32(raw[off:]) }
	if !bytes.HasPrefix(raw, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) ||
		binary.LittleEndian.Uint16(raw[26:]) != 3 || binary.LittleEndian.Uint16(raw[30:]) != 9 {
		t.Fatalf("not a version 3 compound file with 512-byte sectors: % x", raw[:32])
	}
	sectors := len(raw)/sectorSize - 1
	sector := func(n uint32) int { return int(n+1) * sectorSize }

	// FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
	nFAT, nDIFAT := int(u32(44)), int(u32(72))
	var fatIDs []uint32
	for i := range headerDIFAT {
		fatIDs = append(fatIDs, u32(76+4*i))
	}
	var difatIDs []uint32
	for d, next := 0, u32(68); d < nDIFAT; d++ {
		difatIDs = append(difatIDs, next)
		for i := range idsPerSector - 1 {
			fatIDs = append(fatIDs, u32(sector(next)+4*i))
		}
		next = u32(sector(next) + sectorSize - 4)
	}
	fatIDs = fatIDs[:nFAT]
	var fat []uint32
	for _, id := range fatIDs {
		for i := range idsPerSector {
			fat = append(fat, u32(sector(id)+4*i))
		}
	}
	if len(fat) < sectors {
		t.Fatalf("the FAT maps %d sectors of %d", len(fat), sectors)
	}
	used := make([]string, sectors)
	mark := func(n uint32, what string) {
		if int(n) >= sectors || used[n] != "" {
			t.Fatalf("sector %d of %s is past the end or already used by %q", n, what, used[min(int(n), sectors-1)])
		}
		used[n] = what
	}
	for _, id := range fatIDs {
		mark(id, "FAT")
		if fat[id] != fatSect {
			t.Errorf("FAT sector %d is marked %x", id, fat[id])
		}
	}
	for _, id := range difatIDs {
		mark(id, "DIFAT")
		if fat[id] != difSect {
			t.Errorf("DIFAT sector %d is marked %x", id, fat[id])
		}
	}
	chain := func(start uint32, what string) []byte {
		var b []byte
		for n := start; n != endOfChain; n = fat[n] {
			mark(n, what)
			b = append(b, raw[sector(n):sector(n)+sectorSize]...)
		}
		return b
	}
	dir := chain(u32(48), "directory")
	miniFATBytes := []byte{}
	if u32(60) != endOfChain {
		miniFATBytes = chain(u32(60), "mini FAT")
	}
	if len(miniFATBytes)/sectorSize != int(u32(64)) {
		t.Errorf("the header says %d mini FAT sectors, the chain has %d", u32(64), len(miniFATBytes)/sectorSize)
	}

	type entry struct {
		name                      string
		kind, colour              byte
		left, right, child, start uint32
		size                      uint64
	}
	var entries []entry
	for off := 0; off < len(dir); off += dirEntrySize {
		e := dir[off : off+dirEntrySize]
		n := int(binary.LittleEndian.Uint16(e[64:]))
		units := make([]uint16, max(n/2-1, 0))
		for i := range units {
			units[i] = binary.LittleEndian.Uint16(e[2*i:])
		}
		entries = append(entries, entry{string(utf16.Decode(units)), e[66], e[67],
			binary.LittleEndian.Uint32(e[68:]), binary.LittleEndian.Uint32(e[72:]), binary.LittleEndian.Uint32(e[76:]),
			binary.LittleEndian.Uint32(e[116:]), binary.LittleEndian.Uint64(e[120:])})
	}
	if entries[0].kind != typeRoot || entries[0].name != "Root Entry" {
		t.Fatalf("the first entry is %+v", entries[0])
	}
	for _, e := range entries {
		if e.kind == typeStream && e.size >= miniCutoff {
			if got := len(chain(e.start, e.name)); got != sectorsFor(int(e.size))*sectorSize {
				t.Errorf("%s has %d bytes of sectors for %d bytes", e.name, got, e.size)
			}
		}
		if e.kind == typeStream && e.size > 0 && e.size < miniCutoff {
			n := 0
			for m := e.start; m != endOfChain; m = binary.LittleEndian.Uint32(miniFATBytes[4*m:]) {
				n++
			}
			if n != int((e.size+miniSectorSize-1)/miniSectorSize) {
				t.Errorf("%s has %d mini sectors for %d bytes", e.name, n, e.size)
			}
		}
	}
	if entries[0].start != endOfChain {
		chain(entries[0].start, "mini stream")
	}
	for n, u := range used {
		if u == "" && fat[n] != freeSect {
			t.Errorf("sector %d is used by nothing but marked %x", n, fat[n])
		}
	}

	// Each storage's children: in-order sorted, black root, no red
	// child of a red node, the same number of black nodes on every path.
	var walk func(id uint32, parentRed bool) (names []string, black int)
	walk = func(id uint32, parentRed bool) ([]string, int) {
		if id == noStream {
			return nil, 0
		}
		e := entries[id]
		red := e.colour == colourRed
		if red && parentRed {
			t.Errorf("%s is red under a red node", e.name)
		}
		l, bl := walk(e.left, red)
		r, br := walk(e.right, red)
		if bl != br {
			t.Errorf("under %s the black heights are %d and %d", e.name, bl, br)
		}
		if !red {
			bl++
		}
		return append(append(l, e.name), r...), bl
	}
	for _, e := range entries {
		if e.kind != typeStorage && e.kind != typeRoot || e.child == noStream {
			continue
		}
		if entries[e.child].colour != colourBlack {
			t.Errorf("the children of %s have a red root", e.name)
		}
		names, _ := walk(e.child, false)
		if !slices.IsSortedFunc(names, compareNames) {
			t.Errorf("the children of %s are out of order: %q", e.name, names)
		}
	}
}

func TestSiblingTreesOfManySizes(t *testing.T) {
	for n := 1; n <= 40; n++ {
		var kids []*node
		for i := range n {
			kids = append(kids, stream(fmt.Sprintf("s%02d", n-i), []byte{byte(i)}))
		}
		var buf bytes.Buffer
		if err := writeCompoundFile(&buf, kids...); err != nil {
			t.Fatal(err)
		}
		checkStructure(t, buf.Bytes())
		if got := readBack(t, buf.Bytes()); len(got) != n {
			t.Errorf("%d streams written, %d read", n, len(got))
		}
	}
}

func TestCompareNames(t *testing.T) {
	// Shorter first, then case-insensitively: MS-CFB §2.6.4.
	ordered := []string{"b", "Z", "aa", "AB", "\x06Primary", "EncryptionInfo", "EncryptedPackage"}
	if !slices.IsSortedFunc(ordered, compareNames) {
		slices.SortFunc(ordered, compareNames)
		t.Errorf("sorted as %q", ordered)
	}
	if compareNames("Abc", "aBC") != 0 {
		t.Error("names differing only in case compare unequal")
	}
}

func TestRefusedNames(t *testing.T) {
	for _, name := range []string{strings.Repeat("x", 32), "a/b", "a!b"} {
		if err := writeCompoundFile(io.Discard, stream(name, nil)); err == nil {
			t.Errorf("the name %q is accepted", name)
		}
	}
	if err := writeCompoundFile(io.Discard, stream("Same", nil), stream("SAME", nil)); err == nil {
		t.Error("two siblings with the same name are accepted")
	}
}
