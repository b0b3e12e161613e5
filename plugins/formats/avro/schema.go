package avro

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/raftconnect/raftconnect/connect"
)

// Schema is a compiled Avro schema: its JSON text, the Connect schema its values decode to,
// and a codec that reads and writes Avro binary without going through map[string]any. A
// Schema is safe for concurrent use.
type Schema struct {
	text string
	avro avro.Schema
	root *node
	fp   [32]byte
}

// Parse compiles an Avro schema given as JSON text.
func Parse(text string, opts Options) (*Schema, error) {
	text = strings.TrimSpace(text)
	// A private cache: hamba's default cache is process-wide, and a name defined by one
	// schema must not leak into another.
	as, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("invalid Avro schema: %w", err)
	}
	c := compiler{opts: opts, active: map[string]bool{}}
	root, err := c.compile(as, false, nil, false)
	if err != nil {
		return nil, fmt.Errorf("Avro schema: %w", err)
	}
	return &Schema{text: text, avro: as, root: root, fp: sha256.Sum256([]byte(text))}, nil
}

// FromConnect derives the Avro schema of a Connect schema as Confluent's AvroData does and
// compiles it.
func FromConnect(s *connect.Schema, opts Options) (*Schema, error) {
	text, err := ConnectToAvroJSON(s, opts)
	if err != nil {
		return nil, err
	}
	return Parse(text, opts)
}

// String returns the schema's JSON text.
func (s *Schema) String() string { return s.text }

// Avro returns the parsed schema.
func (s *Schema) Avro() avro.Schema { return s.avro }

// ConnectSchema returns the Connect schema that decoded values have.
func (s *Schema) ConnectSchema() *connect.Schema { return s.root.connect }

// Fingerprint is the SHA-256 of the schema text: two schemas with the same fingerprint are
// the same schema to a registry.
func (s *Schema) Fingerprint() [32]byte { return s.fp }

// Name is the schema's name as Confluent's AvroSchema.name() gives it, which subject name
// strategies use: the full name of a record, enum or fixed, else the type ("string", "union").
func (s *Schema) Name() string {
	if ns, ok := s.avro.(avro.NamedSchema); ok {
		return ns.FullName()
	}
	return string(s.avro.Type())
}

// Append appends the Avro binary encoding of value to dst. value is a Connect value of any
// schema whose fields the Avro schema has (matched by name), or a schemaless value as
// encoding/json builds it.
func (s *Schema) Append(dst []byte, value any) ([]byte, error) {
	return s.root.encode(dst, value)
}

// Decode reads one value that must take all of data.
func (s *Schema) Decode(data []byte) (any, error) {
	return s.root.decodeOne(data)
}
