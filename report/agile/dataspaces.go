package agile

import (
	"encoding/binary"
	"unicode/utf16"
)

// dataSpaces is the \x06DataSpaces storage of MS-OFFCRYPTO §2.1 that says
// the EncryptedPackage stream went through the "StrongEncryptionTransform";
// Excel writes it beside the two encryption streams.
func dataSpaces() *node {
	return storage("\x06DataSpaces",
		stream("Version", versionStream()),
		stream("DataSpaceMap", dataSpaceMap()),
		storage("DataSpaceInfo",
			stream("StrongEncryptionDataSpace", dataSpaceDefinition())),
		storage("TransformInfo",
			storage("StrongEncryptionTransform",
				stream("\x06Primary", primaryTransform()))))
}

const (
	dataSpaceName = "StrongEncryptionDataSpace"
	transformName = "StrongEncryptionTransform"
)

// versionStream is the DataSpaceVersionInfo of §2.1.5: reader, updater and
// writer version 1.0.
func versionStream() []byte {
	b := lengthPrefixed(nil, "Microsoft.Container.DataSpaces")
	return versions(b)
}

// dataSpaceMap is §2.1.6: one entry mapping the EncryptedPackage stream to
// the strong encryption data space.
func dataSpaceMap() []byte {
	entry := binary.LittleEndian.AppendUint32(nil, 1)  // reference components
	entry = binary.LittleEndian.AppendUint32(entry, 0) // a stream
	entry = lengthPrefixed(entry, "EncryptedPackage")
	entry = lengthPrefixed(entry, dataSpaceName)

	b := binary.LittleEndian.AppendUint32(nil, 8) // header length
	b = binary.LittleEndian.AppendUint32(b, 1)    // entries
	b = binary.LittleEndian.AppendUint32(b, uint32(4+len(entry)))
	return append(b, entry...)
}

// dataSpaceDefinition is §2.1.7: the data space is one transform.
func dataSpaceDefinition() []byte {
	b := binary.LittleEndian.AppendUint32(nil, 8) // header length
	b = binary.LittleEndian.AppendUint32(b, 1)    // transforms
	return lengthPrefixed(b, transformName)
}

// primaryTransform is the TransformInfoHeader of §2.1.8 with the
// EncryptionTransformInfo of §2.1.9, naming the password encryption
// transform; the cipher itself is described in EncryptionInfo.
func primaryTransform() []byte {
	id := lengthPrefixed(nil, "{FF9A3F03-56EF-4613-BDD5-5A41C1D07246}")
	b := binary.LittleEndian.AppendUint32(nil, uint32(8+len(id))) // up to the end of the ID
	b = binary.LittleEndian.AppendUint32(b, 1)                    // a password transform
	b = append(b, id...)
	b = lengthPrefixed(b, "Microsoft.Container.EncryptionTransform")
	b = versions(b)
	b = binary.LittleEndian.AppendUint32(b, 0) // no encryption name
	b = binary.LittleEndian.AppendUint32(b, 0) // block size: unused
	b = binary.LittleEndian.AppendUint32(b, 0) // cipher mode: unused
	return binary.LittleEndian.AppendUint32(b, 4)
}

// versions appends reader, updater and writer versions 1.0.
func versions(b []byte) []byte {
	for range 3 {
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint16(b, 0)
	}
	return b
}

// lengthPrefixed appends s as a UNICODE-LP-P4 (§2.1.2): its UTF-16LE byte
// length, the characters, and padding to 4 bytes.
func lengthPrefixed(b []byte, s string) []byte {
	units := utf16.Encode([]rune(s))
	b = binary.LittleEndian.AppendUint32(b, uint32(2*len(units)))
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	if len(units)%2 == 1 {
		b = append(b, 0, 0)
	}
	return b
}
