package jsonformat

import (
	"slices"
	"strconv"

	"github.com/raftconnect/raftconnect/connect"
)

// JSON schema field names, as Kafka's JsonSchema defines them.
const (
	envelopeSchema  = "schema"
	envelopePayload = "payload"
)

// jsonTypeName is the "type" Kafka writes for a Connect type: the type's own name except
// FLOAT32 and FLOAT64, which are "float" and "double".
func jsonTypeName(t connect.Type) string {
	switch t {
	case connect.TypeFloat32:
		return "float"
	case connect.TypeFloat64:
		return "double"
	}
	if t.Valid() {
		return string(t)
	}
	return ""
}

// AppendSchema appends the JSON form of schema (null for nil) that Kafka's JsonConverter puts in
// the envelope: "type", then "items" / "keys" and "values" / "fields", then "optional" (always),
// and "name", "version", "doc", "parameters" and "default" when set, in that order. Parameters
// are written sorted by key (Kafka keeps insertion order, which a Go map does not have).
func (e *Encoder) AppendSchema(dst []byte, schema *connect.Schema) ([]byte, error) {
	if schema == nil {
		return append(dst, "null"...), nil
	}
	dst, err := e.schemaMembers(dst, schema)
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// schemaMembers writes a schema object without its closing brace, so that a struct field can
// add its "field" member last, as Kafka does.
func (e *Encoder) schemaMembers(dst []byte, s *connect.Schema) ([]byte, error) {
	name := jsonTypeName(s.Type)
	if name == "" {
		return dst, convErrorf("Couldn't translate unsupported schema type %s.", s)
	}
	dst = append(dst, `{"type":"`...)
	dst = append(dst, name...)
	dst = append(dst, '"')
	var err error
	switch s.Type {
	case connect.TypeArray:
		dst = append(dst, `,"items":`...)
		if dst, err = e.AppendSchema(dst, s.ValueSchema); err != nil {
			return dst, err
		}
	case connect.TypeMap:
		dst = append(dst, `,"keys":`...)
		if dst, err = e.AppendSchema(dst, s.KeySchema); err != nil {
			return dst, err
		}
		dst = append(dst, `,"values":`...)
		if dst, err = e.AppendSchema(dst, s.ValueSchema); err != nil {
			return dst, err
		}
	case connect.TypeStruct:
		dst = append(dst, `,"fields":[`...)
		for i := range s.Fields {
			f := &s.Fields[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			if f.Schema == nil {
				return dst, inField(convErrorf("Field has no schema"), f.Name)
			}
			if dst, err = e.schemaMembers(dst, f.Schema); err != nil {
				return dst, inField(err, f.Name)
			}
			dst = append(dst, `,"field":`...)
			dst = appendString(dst, f.Name)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"optional":`...)
	dst = strconv.AppendBool(dst, s.Optional)
	if s.Name != "" {
		dst = append(dst, `,"name":`...)
		dst = appendString(dst, s.Name)
	}
	if s.Version != 0 {
		dst = append(dst, `,"version":`...)
		dst = strconv.AppendInt(dst, int64(s.Version), 10)
	}
	if s.Doc != "" {
		dst = append(dst, `,"doc":`...)
		dst = appendString(dst, s.Doc)
	}
	if s.Parameters != nil {
		dst = append(dst, `,"parameters":{`...)
		keys := make([]string, 0, len(s.Parameters))
		for k := range s.Parameters {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			dst = appendString(dst, s.Parameters[k])
		}
		dst = append(dst, '}')
	}
	if s.Default != nil {
		dst = append(dst, `,"default":`...)
		if dst, err = e.value(dst, s, s.Default); err != nil {
			return dst, inField(err, "default")
		}
	}
	return dst, nil
}

// schemaMember is the raw JSON of one member of a schema object.
type schemaMember struct {
	raw []byte
	set bool
}

// schemaObject holds the members of a schema object that Kafka reads; a repeated member keeps
// its last value.
type schemaObject struct {
	typ, optional, name, version, doc, params, def schemaMember
	items, keys, values, fields, field             schemaMember
}

// ParseSchema reads the JSON form of a schema (see AppendSchema) as Kafka's JsonConverter
// reads it: "type" is required; "optional" is true only if it is literally true; "name", "doc"
// and "version" are used when they have the right JSON type and ignored otherwise; parameter
// values must be strings; "default" is read with the schema itself. JSON null reads as a nil
// schema. data must be well-formed JSON.
func (d *Decoder) ParseSchema(data []byte) (*connect.Schema, error) {
	s := scanner{data: data}
	if err := validate(data); err != nil {
		return nil, err
	}
	s.skipWS()
	if s.eof() || s.data[s.pos] == 'n' {
		return nil, nil
	}
	sch, _, err := d.parseSchema(data)
	return sch, err
}

// members splits a schema object into its members. Anything but an object has no members,
// which then reads as a schema without a type.
func members(raw []byte) (schemaObject, error) {
	var o schemaObject
	s := scanner{data: raw}
	s.skipWS()
	if s.eof() || s.data[s.pos] != '{' {
		return o, nil
	}
	s.pos++
	c, err := s.next("a field name or '}'")
	if err != nil || c == '}' {
		return o, err
	}
	for {
		start, end, escaped, err := s.scanString()
		if err != nil {
			return o, err
		}
		key := s.data[start:end]
		if escaped {
			key = unquote(key, nil)
		}
		if err := s.colon(); err != nil {
			return o, err
		}
		s.skipWS()
		vstart := s.pos
		if err := s.skipValue(); err != nil {
			return o, err
		}
		m := schemaMember{raw: s.data[vstart:s.pos], set: true}
		switch string(key) {
		case "type":
			o.typ = m
		case "optional":
			o.optional = m
		case "name":
			o.name = m
		case "version":
			o.version = m
		case "doc":
			o.doc = m
		case "parameters":
			o.params = m
		case "default":
			o.def = m
		case "items":
			o.items = m
		case "keys":
			o.keys = m
		case "values":
			o.values = m
		case "fields":
			o.fields = m
		case "field":
			o.field = m
		}
		more, err := s.more('}')
		if err != nil || !more {
			return o, err
		}
		if _, err := s.next("a field name"); err != nil {
			return o, err
		}
	}
}

// stringMember returns the member's value if it is a JSON string.
func stringMember(m schemaMember) (string, bool) {
	if !m.set || len(m.raw) == 0 || m.raw[0] != '"' {
		return "", false
	}
	s := scanner{data: m.raw}
	v, err := s.readString()
	return v, err == nil
}

func isNull(m schemaMember) bool { return m.set && string(m.raw) == "null" }

// parseSchema builds the schema of one (well-formed) schema object and returns it with the
// object's "field" member, which names it when it is a struct field.
func (d *Decoder) parseSchema(raw []byte) (*connect.Schema, schemaMember, error) {
	o, err := members(raw)
	if err != nil {
		return nil, o.field, err
	}
	typ, ok := stringMember(o.typ)
	if !ok {
		return nil, o.field, convErrorf("Schema must contain 'type' field")
	}
	var b *connect.SchemaBuilder
	switch typ {
	case "boolean":
		b = connect.NewSchemaBuilder(connect.TypeBoolean)
	case "int8":
		b = connect.NewSchemaBuilder(connect.TypeInt8)
	case "int16":
		b = connect.NewSchemaBuilder(connect.TypeInt16)
	case "int32":
		b = connect.NewSchemaBuilder(connect.TypeInt32)
	case "int64":
		b = connect.NewSchemaBuilder(connect.TypeInt64)
	case "float":
		b = connect.NewSchemaBuilder(connect.TypeFloat32)
	case "double":
		b = connect.NewSchemaBuilder(connect.TypeFloat64)
	case "bytes":
		b = connect.NewSchemaBuilder(connect.TypeBytes)
	case "string":
		b = connect.NewSchemaBuilder(connect.TypeString)
	case "array":
		if !o.items.set || isNull(o.items) {
			return nil, o.field, convErrorf("Array schema did not specify the element type")
		}
		elem, _, err := d.parseSchema(o.items.raw)
		if err != nil {
			return nil, o.field, inField(err, "items")
		}
		b = connect.ArrayOf(elem)
	case "map":
		if !o.keys.set || isNull(o.keys) {
			return nil, o.field, convErrorf("Map schema did not specify the key type")
		}
		if !o.values.set || isNull(o.values) {
			return nil, o.field, convErrorf("Map schema did not specify the value type")
		}
		ks, _, err := d.parseSchema(o.keys.raw)
		if err != nil {
			return nil, o.field, inField(err, "keys")
		}
		vs, _, err := d.parseSchema(o.values.raw)
		if err != nil {
			return nil, o.field, inField(err, "values")
		}
		b = connect.MapOf(ks, vs)
	case "struct":
		if !o.fields.set || len(o.fields.raw) == 0 || o.fields.raw[0] != '[' {
			return nil, o.field, convErrorf("Struct schema's \"fields\" argument is not an array.")
		}
		b = connect.StructBuilder()
		if err := d.parseFields(b, o.fields.raw); err != nil {
			return nil, o.field, err
		}
	default:
		return nil, o.field, convErrorf("Unknown schema type: %s", typ)
	}
	if string(o.optional.raw) == "true" {
		b.Optional()
	}
	if name, ok := stringMember(o.name); ok {
		b.Name(name)
	}
	if o.version.set {
		s := scanner{data: o.version.raw}
		if c := o.version.raw[0]; isNumberStart(c) {
			if tok, integral, err := s.scanNumber(); err == nil && integral {
				if n, ok := parseInt64(tok); ok {
					b.Version(int(int32(n))) // Jackson's intValue() keeps the low 32 bits
				}
			}
		}
	}
	if doc, ok := stringMember(o.doc); ok {
		b.Doc(doc)
	}
	if o.params.set && o.params.raw[0] == '{' {
		if err := parseParameters(b, o.params.raw); err != nil {
			return nil, o.field, err
		}
	}
	sch, err := b.Build()
	if err != nil {
		return nil, o.field, &convError{msg: "Invalid schema", err: err}
	}
	if o.def.set && !isNull(o.def) && sch.Type == connect.TypeStruct {
		// A struct's default would be a struct of the very schema being built, a cycle that
		// schema comparison cannot handle. Kafka cannot build one either: its SchemaBuilder
		// rejects the default as not matching the (unfinished) schema.
		return nil, o.field, convErrorf("Invalid default value: a struct schema cannot have a struct default")
	}
	if o.def.set {
		s := scanner{data: o.def.raw}
		v, err := d.value(&s, sch)
		if err != nil {
			return nil, o.field, inField(err, "default")
		}
		if v != nil {
			if err := connect.ValidateValue(sch, v); err != nil {
				return nil, o.field, &convError{msg: "Invalid default value", err: err}
			}
			sch.Default = v
		}
	}
	return sch, o.field, nil
}

// parseFields adds the fields of a struct schema's "fields" array to b.
func (d *Decoder) parseFields(b *connect.SchemaBuilder, raw []byte) error {
	s := scanner{data: raw}
	s.pos++ // '['
	c, err := s.next("a field or ']'")
	if err != nil || c == ']' {
		return err
	}
	for i := 0; ; i++ {
		s.skipWS()
		start := s.pos
		if err := s.skipValue(); err != nil {
			return err
		}
		elem := s.data[start:s.pos]
		o, err := members(elem)
		if err != nil {
			return err
		}
		name, ok := stringMember(o.field)
		if !ok {
			return inIndex(convErrorf("Struct schema's field name not specified properly"), i)
		}
		fs, _, err := d.parseSchema(elem)
		if err != nil {
			return inField(err, name)
		}
		b.Field(name, fs)
		more, err := s.more(']')
		if err != nil || !more {
			return err
		}
	}
}

// parseParameters adds a "parameters" object's entries to b; every value must be a string.
func parseParameters(b *connect.SchemaBuilder, raw []byte) error {
	s := scanner{data: raw}
	s.pos++ // '{'
	c, err := s.next("a field name or '}'")
	if err != nil || c == '}' {
		return err
	}
	for {
		k, err := s.readString()
		if err != nil {
			return err
		}
		if err := s.colon(); err != nil {
			return err
		}
		c, err := s.next("a value")
		if err != nil {
			return err
		}
		if c != '"' {
			return convErrorf("Schema parameters must have string values.")
		}
		v, err := s.readString()
		if err != nil {
			return err
		}
		b.Parameter(k, v)
		more, err := s.more('}')
		if err != nil || !more {
			return err
		}
		if _, err := s.next("a field name"); err != nil {
			return err
		}
	}
}
