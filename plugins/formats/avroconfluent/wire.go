package avroconfluent

import (
	"encoding/binary"
	"fmt"
)

const (
	// MagicByte starts every message in Confluent's wire format.
	MagicByte = 0
	// HeaderSize is the magic byte plus the 4-byte big-endian schema id.
	HeaderSize = 5
)

// AppendHeader appends the Confluent wire-format header for a schema id.
func AppendHeader(dst []byte, id int) []byte {
	dst = append(dst, MagicByte)
	return binary.BigEndian.AppendUint32(dst, uint32(id))
}

// SplitHeader returns the schema id and the Avro body of a message in Confluent's wire format.
func SplitHeader(data []byte) (id int, body []byte, err error) {
	if len(data) < HeaderSize {
		return 0, nil, fmt.Errorf("message of %d bytes is shorter than the %d-byte Confluent header", len(data), HeaderSize)
	}
	if data[0] != MagicByte {
		return 0, nil, fmt.Errorf("byte offset 0: unknown magic byte 0x%02x: not Confluent wire format", data[0])
	}
	return int(binary.BigEndian.Uint32(data[1:5])), data[HeaderSize:], nil
}
