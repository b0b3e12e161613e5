package avro

import "github.com/raftconnect/raftconnect/plugins/formats"

// Names of the schema properties and Connect schema parameters that carry what one type
// system cannot express in the other. The Confluent names are those of Confluent's AvroData
// (io.confluent.connect.avro), so schemas written by its AvroConverter read back the same way
// and ours read back the same way in Java.
const (
	// ConfluentNamespace is the Avro namespace of records Confluent's converter names itself.
	ConfluentNamespace = "io.confluent.connect.avro"
	// DefaultRecordName is the name given to an unnamed Connect struct (then ConnectDefault2, ...).
	DefaultRecordName = "ConnectDefault"
	// UnionName names the Connect struct that stands for an Avro union other than [null, T]:
	// one optional field per branch, exactly one of them set.
	UnionName = ConfluentNamespace + ".Union"
	// EnumParameter marks a Connect STRING that came from an Avro enum; its value is the enum's
	// full name, and one parameter EnumParameter+"."+symbol per symbol lists the symbols.
	EnumParameter = ConfluentNamespace + ".Enum"
	// FixedSizeParameter marks a Connect BYTES that is an Avro fixed of that many bytes.
	FixedSizeParameter = "connect.fixed.size"
	// DecimalPrecisionParameter holds an Avro decimal's precision when it is not 64.
	DecimalPrecisionParameter = formats.DecimalPrecisionParameter
	// LogicalTypeParameter holds an Avro logical type that Connect has no logical type for
	// (time-micros and timestamp-micros, which decode to Time and Timestamp with microsecond
	// values; uuid; local-timestamp-millis/-micros; duration; unknown ones), so that writing the
	// schema back as Avro restores it. It never appears in written Avro schemas.
	LogicalTypeParameter = "io.raftconnect.avro.logicalType"

	mapEntryName       = "MapEntry"
	mapEntryFullName   = ConfluentNamespace + "." + mapEntryName
	defaultRecordFull  = ConfluentNamespace + "." + DefaultRecordName
	keyField           = "key"
	valueField         = "value"
	defaultPrecision   = 64
	propLogicalType    = "logicalType"
	propScale          = "scale"
	propPrecision      = "precision"
	propConnectName    = "connect.name"
	propConnectDoc     = "connect.doc"
	propConnectVersion = "connect.version"
	propConnectDefault = "connect.default"
	propConnectParams  = "connect.parameters"
	propConnectType    = "connect.type"
	propInternalType   = "connect.internal.type"
	paramRecordDoc     = ConfluentNamespace + ".record.doc"
	paramFieldDoc      = ConfluentNamespace + ".field.doc."
	paramEnumDoc       = ConfluentNamespace + ".enum.doc."
	paramEnumDefault   = ConfluentNamespace + ".enum.default."
	paramFieldDefault  = ConfluentNamespace + ".field.default"

	// Our own parameters start with privatePrefix; they restore Avro details exactly and are
	// left out of the connect.parameters property because the Avro schema itself says them.
	privatePrefix    = "io.raftconnect.avro."
	paramEnumSymbols = privatePrefix + "enum.symbols"
	paramFixedName   = privatePrefix + "fixed.name"
)

// Options choose between Confluent's AvroData behaviours where they differ.
type Options struct {
	// ConnectMetaData is Confluent's connect.meta.data (true there by default): write and read
	// the connect.name, connect.version, connect.doc, connect.parameters and connect.default
	// properties and the doc parameters. Without it int8/int16 read back as int32.
	ConnectMetaData bool
	// EnhancedSchemaSupport is Confluent's enhanced.avro.schema.support (false there by
	// default): write enum-marked Connect strings as Avro enums (otherwise as plain strings)
	// and name union branches by full name (otherwise by simple name).
	EnhancedSchemaSupport bool
}

// ExactOptions keeps every Avro detail through a round trip: connect metadata on and enhanced
// schema support on. The avro and avro-confluent formats use it.
func ExactOptions() Options { return Options{ConnectMetaData: true, EnhancedSchemaSupport: true} }
