package connect

// Converter translates between Connect data and the bytes of a Kafka key or value. The runtime
// creates one per task and key/value, configures it once and then calls it from the task's
// goroutine only.
type Converter interface {
	// Configure is called once, with the converter's settings (the `key.converter.` or
	// `value.converter.` prefix removed) and whether it converts keys.
	Configure(config map[string]string, isKey bool) error
	// FromConnectData serialises a value. A nil schema and nil value give nil bytes (a
	// tombstone). headers may be nil; a converter may add headers (for example a schema id).
	FromConnectData(topic string, headers *Headers, schema *Schema, value any) ([]byte, error)
	// ToConnectData deserialises bytes. Nil bytes (a tombstone) give a nil value, with a nil
	// schema or an optional one (Kafka's StringConverter returns OPTIONAL_STRING_SCHEMA).
	ToConnectData(topic string, headers Headers, data []byte) (SchemaAndValue, error)
	// ConfigDef describes the converter's settings.
	ConfigDef() *ConfigDef
}

// HeaderConverter translates between Connect header values and header bytes.
type HeaderConverter interface {
	Configure(config map[string]string) error
	ToConnectHeader(topic, key string, data []byte) (SchemaAndValue, error)
	FromConnectHeader(topic, key string, schema *Schema, value any) ([]byte, error)
	ConfigDef() *ConfigDef
	Close() error
}

// Transformation changes or drops one record at a time (Kafka's single message transforms).
// Apply receives a record the runtime owns: it may change the record's fields in place and
// return it, or return another record, or nil to drop the record. It must not modify values
// reachable from the record (structs, maps, slices, header values): build new ones, because the
// source task may still hold the originals.
type Transformation interface {
	Configure(config map[string]string) error
	Apply(rec *Record) (*Record, error)
	ConfigDef() *ConfigDef
	Close() error
}

// Predicate decides whether a transformation applies to a record (`transforms.<t>.predicate`).
type Predicate interface {
	Configure(config map[string]string) error
	Test(rec *Record) (bool, error)
	ConfigDef() *ConfigDef
	Close() error
}
