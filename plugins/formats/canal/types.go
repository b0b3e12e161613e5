package canal

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// ckind is the column type a typed strategy (SQL_TYPE, MYSQL_TYPE) gives a column.
type ckind uint8

const (
	kString ckind = iota
	kBool
	kInt8
	kInt16
	kInt32
	kInt64
	kDecimal
	kFloat32
	kFloat64
	kBytes
	kBits // MySQL BIT(n>1): Canal writes the number, the row holds its big-endian bytes
	kDate
	kTime
	kTimestamp
	kInstant // MySQL TIMESTAMP read as an instant (TIMESTAMP_LTZ)
)

// colType is a typed column.
type colType struct {
	kind      ckind
	precision int   // kDecimal
	scale     int32 // kDecimal
	bits      int   // kBits
}

// SQL_TYPE: the JDBC type-code table of the Flink CDC Kafka connector's "Canal JSON的Schema解析"
// (seed 000), implemented as it is written except for one misprint: the table gives SMALLINT the
// code -5, which it also gives BIGINT. java.sql.Types (and Canal, which takes its codes from it)
// has SMALLINT = 5, BIGINT = -5, so 5 is SMALLINT here and -5 BIGINT.
//
//	BIT -7, BOOLEAN 16                       → BOOLEAN
//	TINYINT -6                               → TINYINT
//	SMALLINT 5                               → SMALLINT
//	INTEGER 4                                → INT
//	BIGINT -5                                → BIGINT
//	DECIMAL 3, NUMERIC 2                     → DECIMAL(38,18)
//	REAL 7                                   → FLOAT
//	FLOAT 6, DOUBLE 8                        → DOUBLE
//	BINARY -2, VARBINARY -3, LONGVARBINARY -4, BLOB 2004 → BYTES
//	DATE 91 → DATE, TIME 92 → TIME, TIMESTAMP 93 → TIMESTAMP
//	CHAR 1, VARCHAR 12, LONGVARCHAR -1 and every other code → STRING
func sqlTypeColumn(code int64) colType {
	switch code {
	case -7, 16:
		return colType{kind: kBool}
	case -6:
		return colType{kind: kInt8}
	case 5:
		return colType{kind: kInt16}
	case 4:
		return colType{kind: kInt32}
	case -5:
		return colType{kind: kInt64}
	case 3, 2:
		return colType{kind: kDecimal, precision: 38, scale: 18}
	case 7:
		return colType{kind: kFloat32}
	case 6, 8:
		return colType{kind: kFloat64}
	case -2, -3, -4, 2004:
		return colType{kind: kBytes}
	case 91:
		return colType{kind: kDate}
	case 92:
		return colType{kind: kTime}
	case 93:
		return colType{kind: kTimestamp}
	}
	return colType{kind: kString}
}

// mysqlTypeColumn maps a MySQL column type as Canal's mysqlType writes it ("int(11)",
// "decimal(10,2)", "tinyint(1)", "datetime(3)", "varchar(255)", "bigint(20) unsigned", ...), as
// the Flink CDC MySQL connector maps MySQL types: unsigned integers widen to the next type (BIGINT
// UNSIGNED to DECIMAL(20,0)), TINYINT(1) is BOOLEAN when tinyint1Bool, BIT(1) is BOOLEAN and
// BIT(n) bytes, TIMESTAMP is a TIMESTAMP when tsAsDatetime and otherwise an instant (TIMESTAMP_LTZ),
// character, ENUM, SET and JSON types are STRING, binary and spatial types BYTES.
func mysqlTypeColumn(t string, tinyint1Bool, tsAsDatetime bool) colType {
	t = strings.ToLower(strings.TrimSpace(t))
	base, params, rest := t, "", ""
	if i := strings.IndexByte(t, '('); i >= 0 {
		base = strings.TrimSpace(t[:i])
		if j := strings.IndexByte(t[i:], ')'); j >= 0 {
			params, rest = t[i+1:i+j], t[i+j+1:]
		}
	} else if i := strings.IndexByte(t, ' '); i >= 0 {
		base, rest = t[:i], t[i:]
	}
	unsigned := strings.Contains(rest, "unsigned")
	p1, p2, n := parseParams(params)
	switch base {
	case "bool", "boolean":
		return colType{kind: kBool}
	case "bit":
		if n == 0 || p1 == 1 {
			return colType{kind: kBool}
		}
		return colType{kind: kBits, bits: p1}
	case "tinyint":
		if p1 == 1 && n == 1 && tinyint1Bool {
			return colType{kind: kBool}
		}
		if unsigned {
			return colType{kind: kInt16}
		}
		return colType{kind: kInt8}
	case "smallint":
		if unsigned {
			return colType{kind: kInt32}
		}
		return colType{kind: kInt16}
	case "mediumint", "int24":
		return colType{kind: kInt32}
	case "int", "integer":
		if unsigned {
			return colType{kind: kInt64}
		}
		return colType{kind: kInt32}
	case "bigint":
		if unsigned {
			return colType{kind: kDecimal, precision: 20}
		}
		return colType{kind: kInt64}
	case "serial":
		return colType{kind: kDecimal, precision: 20}
	case "float":
		if n == 1 && p1 > 24 {
			return colType{kind: kFloat64}
		}
		return colType{kind: kFloat32}
	case "double", "real", "double precision":
		return colType{kind: kFloat64}
	case "decimal", "numeric", "dec", "fixed":
		prec, scale := 10, 0
		if n >= 1 {
			prec = p1
		}
		if n >= 2 {
			scale = p2
		}
		return colType{kind: kDecimal, precision: prec, scale: int32(scale)}
	case "date":
		return colType{kind: kDate}
	case "time":
		return colType{kind: kTime}
	case "datetime":
		return colType{kind: kTimestamp}
	case "timestamp":
		if tsAsDatetime {
			return colType{kind: kTimestamp}
		}
		return colType{kind: kInstant}
	case "year":
		return colType{kind: kInt32}
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
		"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
		"multipolygon", "geometrycollection", "geomcollection":
		return colType{kind: kBytes}
	}
	return colType{kind: kString}
}

// parseParams reads "p" or "p,s" (non-numeric parameters, such as an ENUM's values, give n=0).
func parseParams(s string) (p1, p2, n int) {
	if s == "" {
		return 0, 0, 0
	}
	a, b, two := strings.Cut(s, ",")
	v1, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil || v1 < 0 || v1 > 1000 {
		return 0, 0, 0
	}
	if !two {
		return v1, 0, 1
	}
	v2, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil || v2 < 0 || v2 > 1000 {
		return v1, 0, 1
	}
	return v1, v2, 2
}

var (
	optTimestamp = connect.TimestampSchema().Optional().MustBuild()
	optDate      = connect.DateSchema().Optional().MustBuild()
	optTime      = connect.TimeSchema().Optional().MustBuild()
	optInstant   = connect.NewSchemaBuilder(connect.TypeString).Name(cdc.DebeziumZonedTimestamp).Version(1).Optional().MustBuild()
)

// schema returns the optional Connect schema of a typed column.
func (c colType) schema() (*connect.Schema, error) {
	switch c.kind {
	case kBool:
		return connect.OptionalBooleanSchema, nil
	case kInt8:
		return connect.OptionalInt8Schema, nil
	case kInt16:
		return connect.OptionalInt16Schema, nil
	case kInt32:
		return connect.OptionalInt32Schema, nil
	case kInt64:
		return connect.OptionalInt64Schema, nil
	case kFloat32:
		return connect.OptionalFloat32Schema, nil
	case kFloat64:
		return connect.OptionalFloat64Schema, nil
	case kDecimal:
		return connect.DecimalSchema(c.scale).Optional().
			Parameter(formats.DecimalPrecisionParameter, strconv.Itoa(c.precision)).Build()
	case kBytes, kBits:
		return connect.OptionalBytesSchema, nil
	case kDate:
		return optDate, nil
	case kTime:
		return optTime, nil
	case kTimestamp:
		return optTimestamp, nil
	case kInstant:
		return optInstant, nil
	}
	return connect.OptionalStringSchema, nil
}

// sigByte is the column type's code in a schema-cache signature.
func (c colType) appendSig(b []byte) []byte {
	b = append(b, 'a'+byte(c.kind))
	switch c.kind {
	case kDecimal:
		b = strconv.AppendInt(b, int64(c.precision), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.scale), 10)
	case kBits:
		b = strconv.AppendInt(b, int64(c.bits), 10)
	}
	return b
}

// fits reports whether an integer literal fits the column; SQL_TYPE columns widen when it does
// not, as Canal itself widens the type code of unsigned values beyond the signed range (a
// message's sqlType holds the code of its last row only).
func (c colType) fits(text string) bool {
	bits := 0
	switch c.kind {
	case kInt8:
		bits = 8
	case kInt16:
		bits = 16
	case kInt32:
		bits = 32
	case kInt64:
		bits = 64
	default:
		return true
	}
	_, err := strconv.ParseInt(strings.TrimSpace(text), 10, bits)
	// Only an integer out of range widens; other malformed text fails when it is parsed.
	return !errors.Is(err, strconv.ErrRange)
}

func (c colType) widen() colType {
	switch c.kind {
	case kInt8:
		return colType{kind: kInt16}
	case kInt16:
		return colType{kind: kInt32}
	case kInt32:
		return colType{kind: kInt64}
	case kInt64:
		// Still an integer column: Canal itself gives BIGINT UNSIGNED values DECIMAL, with no
		// fraction. (DECIMAL(38,18), the table's reading of code 3, would make the value's text
		// grow a fraction its type code does not allow when it is written back.)
		return colType{kind: kDecimal, precision: 38}
	}
	return c
}

// zeroDate reports MySQL's zero dates ("0000-00-00", "0000-00-00 00:00:00"), which no calendar
// holds; they read as null, as Debezium reads them.
func zeroDate(s string) bool {
	return strings.HasPrefix(s, "0000-00-00")
}

// parse converts a Canal value (a string, or a JSON number or boolean as other producers write
// canal-json) to a value of the column's type. zone is where kInstant wall clocks are read.
func (c colType) parse(n *cdc.Node, zone *time.Location) (any, error) {
	var text string
	switch n.Kind {
	case cdc.Null:
		return nil, nil
	case cdc.String, cdc.Number:
		text = n.Text
	case cdc.True:
		text = "true"
	case cdc.False:
		text = "false"
	default:
		if c.kind != kString {
			return nil, fmt.Errorf("JSON %s does not fit a %s column", n.Kind, c.name())
		}
		return string(cdc.AppendCompact(nil, n.Text)), nil
	}
	switch c.kind {
	case kString:
		return text, nil
	case kBool:
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean", text)
		}
		return v != 0, nil
	case kInt8:
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 8)
		return int8(v), intErr(err, text, c)
	case kInt16:
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 16)
		return int16(v), intErr(err, text, c)
	case kInt32:
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
		return int32(v), intErr(err, text, c)
	case kInt64:
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		return v, intErr(err, text, c)
	case kDecimal:
		d, err := connect.ParseDecimal(strings.TrimSpace(text))
		if err != nil {
			return nil, err
		}
		r, ok := formats.RoundDecimal(d, c.scale, c.precision)
		if !ok {
			return nil, fmt.Errorf("%s does not fit DECIMAL(%d,%d)", text, c.precision, c.scale)
		}
		return r, nil
	case kFloat32:
		v, err := strconv.ParseFloat(strings.TrimSpace(text), 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not a FLOAT", text)
		}
		return float32(v), nil
	case kFloat64:
		v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a DOUBLE", text)
		}
		return v, nil
	case kBytes:
		return cdc.Latin1Bytes(text)
	case kBits:
		u, ok := new(big.Int).SetString(strings.TrimSpace(text), 10)
		if !ok || u.Sign() < 0 {
			return nil, fmt.Errorf("%q is not a BIT value", text)
		}
		size := (c.bits + 7) / 8
		if (u.BitLen()+7)/8 > size {
			return nil, fmt.Errorf("%s does not fit BIT(%d)", text, c.bits)
		}
		return u.FillBytes(make([]byte, size)), nil
	case kDate:
		if zeroDate(text) {
			return nil, nil
		}
		return formats.ParseDate(text)
	case kTime:
		t, err := formats.ParseTime(text)
		if err != nil {
			return nil, fmt.Errorf("%w (MySQL TIME outside 00:00:00..23:59:59 has no Connect Time value)", err)
		}
		return t, nil
	case kTimestamp, kInstant:
		if zeroDate(text) {
			return nil, nil
		}
		t, err := formats.ParseTimestampAny(text)
		if err != nil {
			return nil, err
		}
		if c.kind == kTimestamp {
			return t, nil
		}
		return string(formats.AppendTimestampLTZ(nil, cdc.InstantFromWallClock(t, zone), formats.TimestampISO8601)), nil
	}
	return text, nil
}

func intErr(err error, text string, c colType) error {
	if err != nil {
		return fmt.Errorf("%q does not fit %s", text, c.name())
	}
	return nil
}

func (c colType) name() string {
	switch c.kind {
	case kBool:
		return "BOOLEAN"
	case kInt8:
		return "TINYINT"
	case kInt16:
		return "SMALLINT"
	case kInt32:
		return "INT"
	case kInt64:
		return "BIGINT"
	case kDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", c.precision, c.scale)
	case kFloat32:
		return "FLOAT"
	case kFloat64:
		return "DOUBLE"
	case kBytes:
		return "BYTES"
	case kBits:
		return fmt.Sprintf("BIT(%d)", c.bits)
	case kDate:
		return "DATE"
	case kTime:
		return "TIME"
	case kTimestamp:
		return "TIMESTAMP"
	case kInstant:
		return "TIMESTAMP_LTZ"
	}
	return "STRING"
}

// columnTypes returns the MySQL type and JDBC type code Canal would write for a column of schema
// s: what a Canal consumer reading mysqlType or sqlType turns back into the same Connect type.
func columnTypes(s *connect.Schema) (mysqlType string, sqlType int) {
	switch s.Name {
	case connect.DecimalName:
		scale, _ := connect.DecimalScale(s)
		p, ok := formats.DecimalPrecision(s)
		if !ok {
			p = 65
		}
		return fmt.Sprintf("decimal(%d,%d)", p, scale), 3
	case cdc.DebeziumVariableScaleDecimal:
		return "decimal(65,30)", 3
	case connect.DateName, cdc.DebeziumDate:
		return "date", 91
	case connect.TimeName, cdc.DebeziumTime:
		return "time(3)", 92
	case cdc.DebeziumMicroTime, cdc.DebeziumNanoTime, cdc.DebeziumZonedTime:
		return "time(6)", 92
	case connect.TimestampName, cdc.DebeziumTimestamp:
		return "datetime(3)", 93
	case cdc.DebeziumMicroTimestamp, cdc.DebeziumNanoTimestamp:
		return "datetime(6)", 93
	case cdc.DebeziumZonedTimestamp:
		return "timestamp(6)", 93
	case cdc.DebeziumYear:
		return "year", 4
	case cdc.DebeziumJSON:
		return "json", 12
	case cdc.DebeziumUUID:
		return "char(36)", 1
	case cdc.DebeziumEnum, cdc.DebeziumEnumSet:
		kw := "enum"
		if s.Name == cdc.DebeziumEnumSet {
			kw = "set"
		}
		var b strings.Builder
		b.WriteString(kw)
		b.WriteByte('(')
		for i, v := range strings.Split(s.Parameters["allowed"], ",") {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\'')
			b.WriteString(strings.ReplaceAll(v, "'", "''"))
			b.WriteByte('\'')
		}
		b.WriteByte(')')
		return b.String(), 1
	}
	switch s.Type {
	case connect.TypeBoolean:
		return "bit(1)", -7
	case connect.TypeInt8:
		return "tinyint(4)", -6
	case connect.TypeInt16:
		return "smallint(6)", 5
	case connect.TypeInt32:
		return "int(11)", 4
	case connect.TypeInt64:
		return "bigint(20)", -5
	case connect.TypeFloat32:
		return "float", 7
	case connect.TypeFloat64:
		return "double", 8
	case connect.TypeBytes:
		return "longblob", 2004
	case connect.TypeStruct, connect.TypeArray, connect.TypeMap:
		return "json", 12
	}
	return "longtext", 2005
}
