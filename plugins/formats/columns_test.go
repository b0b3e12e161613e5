package formats

import (
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestParseColumns(t *testing.T) {
	s, err := ParseColumns("id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), `order date` DATE, " +
		"tags ARRAY<VARCHAR(20)>, attrs MAP<STRING, INT>, addr ROW<city STRING, zip INT NOT NULL>, " +
		"ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(6), t TIME(0), b BYTES, ok BOOLEAN, f FLOAT, d DOUBLE PRECISION, " +
		"i8 TINYINT, i16 SMALLINT, i32 INTEGER, n NUMERIC, z TIMESTAMP(3) WITH LOCAL TIME ZONE, " +
		"w TIMESTAMP WITHOUT TIME ZONE, r ROW(a INT, b STRING)")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"id": "INT64", "name": "STRING?", "price": decimalPrefix + "BYTES?", "order date": connect.DateName + ":INT32?",
		"tags": "ARRAY<STRING?>?", "attrs": "MAP<STRING?,INT32?>?", "addr": "STRUCT{city:STRING?,zip:INT32}?",
		"ts": connect.TimestampName + ":INT64?", "ltz": connect.TimestampName + ":INT64?", "t": connect.TimeName + ":INT32?",
		"b": "BYTES?", "ok": "BOOLEAN?", "f": "FLOAT32?", "d": "FLOAT64?", "i8": "INT8?", "i16": "INT16?", "i32": "INT32?",
		"n": decimalPrefix + "BYTES?", "z": connect.TimestampName + ":INT64?", "w": connect.TimestampName + ":INT64?",
		"r": "STRUCT{a:INT32?,b:STRING?}?",
	}
	if len(s.Fields) != len(want) {
		t.Fatalf("%d fields, want %d", len(s.Fields), len(want))
	}
	for _, f := range s.Fields {
		if got := f.Schema.String(); got != want[f.Name] {
			t.Errorf("column %q: %s, want %s", f.Name, got, want[f.Name])
		}
	}
	if s.Fields[0].Name != "id" || s.Fields[3].Name != "order date" {
		t.Errorf("column order lost: %v", s)
	}
	if p, _ := DecimalPrecision(s.Field("price").Schema); p != 10 {
		t.Errorf("price precision %d, want 10", p)
	}
	if sc, _ := connect.DecimalScale(s.Field("price").Schema); sc != 2 {
		t.Errorf("price scale %d, want 2", sc)
	}
	if p, _ := DecimalPrecision(s.Field("n").Schema); p != 10 {
		t.Errorf("NUMERIC defaults to precision %d, want Flink's 10", p)
	}
	// Field lookups use the index the builder makes.
	if s.Field("addr") == nil || s.Field("nope") != nil {
		t.Error("Field lookup broken")
	}
}

// decimalPrefix is how a Decimal schema's String() starts.
const decimalPrefix = connect.DecimalName + ":"

func TestParseColumnsErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "want a column name"},
		{"id", "want a type"},
		{"id BIGINT,", "want a column name"},
		{"id BIGINTEGER", `unknown type "BIGINTEGER"`},
		{"id BIGINT name STRING", "want ',' or the end"},
		{"a DECIMAL(40,2)", "precision must be 1..38"},
		{"a DECIMAL(5,6)", "scale 0..precision"},
		{"a DECIMAL(x)", "want a number"},
		{"a ARRAY<INT", `want ">"`},
		{"a MAP<INT>", `want ","`},
		{"a ROW", "want '<' or '('"},
		{"`a b STRING", "unterminated"},
		{"a INT, a STRING", "duplicate field"},
		{"a VARCHAR(10", `want ")"`},
	}
	for _, tc := range tests {
		_, err := ParseColumns(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseColumns(%q) error = %v; want it to contain %q", tc.in, err, tc.want)
		}
	}
}

func TestFormatColumnsRoundTrip(t *testing.T) {
	in := "id BIGINT NOT NULL, `odd ``name``` STRING, price DECIMAL(10,2), tags ARRAY<INT>, m MAP<STRING, DOUBLE>, " +
		"r ROW<a DATE, b TIME(3), c TIMESTAMP(3)>, `not` BOOLEAN"
	s, err := ParseColumns(in)
	if err != nil {
		t.Fatal(err)
	}
	text := FormatColumns(s)
	want := "id BIGINT NOT NULL, `odd ``name``` STRING, price DECIMAL(10,2), tags ARRAY<INT>, m MAP<STRING, DOUBLE>, " +
		"r ROW<a DATE, b TIME(3), c TIMESTAMP(3)>, `not` BOOLEAN"
	if text != want {
		t.Errorf("FormatColumns =\n%s\nwant\n%s", text, want)
	}
	back, err := ParseColumns(text)
	if err != nil || !back.Equal(s) {
		t.Errorf("re-parse of %q: %v, %v", text, back, err)
	}
	if got := FormatType(connect.DecimalSchema(3).MustBuild()); got != "DECIMAL(38,3) NOT NULL" {
		t.Errorf("FormatType(decimal without precision) = %q", got)
	}
	if _, err := ParseType("INT NOT NULL extra"); err == nil {
		t.Error("ParseType accepted trailing text")
	}
	if s, err := ParseType("varchar(5) not null"); err != nil || s.Type != connect.TypeString || s.Optional {
		t.Errorf("ParseType(lower case) = %v, %v", s, err)
	}
}

func FuzzParseColumns(f *testing.F) {
	for _, s := range []string{"id BIGINT NOT NULL, name STRING", "a ROW<b ARRAY<MAP<INT, ROW(c DECIMAL(3,1))>>>", "`x``y` TIME(3)", "a DECIMAL(38,38)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseColumns(in)
		if err != nil {
			return
		}
		// Whatever parses renders to text that parses to the same schema.
		back, err := ParseColumns(FormatColumns(s))
		if err != nil || !back.Equal(s) {
			t.Fatalf("%q → %q → %v, %v", in, FormatColumns(s), back, err)
		}
	})
}

func TestParseColumnsLocalTimeZone(t *testing.T) {
	s, err := ParseColumns("a TIMESTAMP(3), b TIMESTAMP_LTZ(3), c TIMESTAMP(6) WITH LOCAL TIME ZONE, " +
		"d TIMESTAMP WITH TIME ZONE, e TIMESTAMP(3) WITHOUT TIME ZONE, f ARRAY<TIMESTAMP_LTZ(3)>, g ROW<h TIMESTAMP_LTZ>")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		s   *connect.Schema
		ltz bool
	}{
		{s.Field("a").Schema, false}, {s.Field("b").Schema, true}, {s.Field("c").Schema, true},
		{s.Field("d").Schema, true}, {s.Field("e").Schema, false}, {s.Field("f").Schema.ValueSchema, true},
		{s.Field("g").Schema.Field("h").Schema, true},
	} {
		if IsLocalTimeZone(tc.s) != tc.ltz {
			t.Errorf("%s: IsLocalTimeZone = %v, want %v", FormatType(tc.s), !tc.ltz, tc.ltz)
		}
	}
	want := "a TIMESTAMP(3), b TIMESTAMP_LTZ(3), c TIMESTAMP_LTZ(3), d TIMESTAMP_LTZ(3), e TIMESTAMP(3), " +
		"f ARRAY<TIMESTAMP_LTZ(3)>, g ROW<h TIMESTAMP_LTZ(3)>"
	if got := FormatColumns(s); got != want {
		t.Errorf("FormatColumns = %s\nwant          %s", got, want)
	}
}
