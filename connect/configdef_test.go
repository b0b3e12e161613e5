package connect

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfigValue(t *testing.T) {
	tests := []struct {
		typ  ConfigType
		in   string
		want any
		err  string
	}{
		{ConfigBoolean, "true", true, ""},
		{ConfigBoolean, " FALSE ", false, ""},
		{ConfigBoolean, "True", true, ""},
		{ConfigBoolean, "yes", nil, "Expected value to be either true or false"},
		{ConfigBoolean, "", nil, "Expected value to be either true or false"},
		{ConfigString, "x", "x", ""},
		{ConfigString, "", "", ""},
		{ConfigClass, "org.example.Foo", "org.example.Foo", ""},
		{ConfigPassword, "s3cret", Password("s3cret"), ""},
		{ConfigInt, "42", 42, ""},
		{ConfigInt, " -7 ", -7, ""},
		{ConfigInt, "2147483647", 2147483647, ""},
		{ConfigInt, "2147483648", nil, "Not a number of type INT"},
		{ConfigInt, "1.5", nil, "Not a number of type INT"},
		{ConfigInt, "", nil, "Not a number of type INT"},
		{ConfigShort, "32767", 32767, ""},
		{ConfigShort, "32768", nil, "Not a number of type SHORT"},
		{ConfigLong, "9223372036854775807", int64(9223372036854775807), ""},
		{ConfigLong, "9223372036854775808", nil, "Not a number of type LONG"},
		{ConfigLong, "ten", nil, "Not a number of type LONG"},
		{ConfigDouble, "1.5", 1.5, ""},
		{ConfigDouble, "1e3", 1000.0, ""},
		{ConfigDouble, "-2", -2.0, ""},
		{ConfigDouble, "x", nil, "Not a number of type DOUBLE"},
		{ConfigList, "a, b ,c", []string{"a", "b", "c"}, ""},
		{ConfigList, "", []string{}, ""},
		{ConfigList, "  ", []string{}, ""},
		{ConfigList, "a,,b", []string{"a", "", "b"}, ""},
		{"MAP", "x", nil, `unknown configuration type "MAP"`},
	}
	for _, tt := range tests {
		got, err := ParseConfigValue(tt.typ, tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseConfigValue(%s, %q) = %v, %v; want error %q", tt.typ, tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseConfigValue(%s, %q) = %#v, %v; want %#v", tt.typ, tt.in, got, err, tt.want)
		}
	}
}

func TestConfigStringsAreTrimmed(t *testing.T) {
	// Kafka's ConfigDef.parseType trims STRING and PASSWORD values.
	got, err := ParseConfigValue(ConfigString, "  topic-a ")
	if err != nil {
		t.Fatal(err)
	}
	if got != "topic-a" {
		t.Errorf("STRING %q is not trimmed as in Kafka", got)
	}
}

func TestDefineDefaults(t *testing.T) {
	def := NewConfigDef().
		Define(ConfigKey{Name: "int", Type: ConfigInt, Default: "10"}).
		Define(ConfigKey{Name: "int32", Type: ConfigInt, Default: int32(11)}).
		Define(ConfigKey{Name: "short", Type: ConfigShort, Default: 3}).
		Define(ConfigKey{Name: "long", Type: ConfigLong, Default: 12}).
		Define(ConfigKey{Name: "long-string", Type: ConfigLong, Default: "13"}).
		Define(ConfigKey{Name: "double", Type: ConfigDouble, Default: 2}).
		Define(ConfigKey{Name: "bool", Type: ConfigBoolean, Default: "true"}).
		Define(ConfigKey{Name: "list", Type: ConfigList, Default: "a, b"}).
		Define(ConfigKey{Name: "list-typed", Type: ConfigList, Default: []string{"c"}}).
		Define(ConfigKey{Name: "password", Type: ConfigPassword, Default: "pw"}).
		Define(ConfigKey{Name: "string", Type: ConfigString, Default: "10"}).
		Define(ConfigKey{Name: "class", Type: ConfigClass, Default: "org.example.C"}).
		Define(ConfigKey{Name: "none", Type: ConfigString})
	want := map[string]any{
		"int": 10, "int32": 11, "short": 3, "long": int64(12), "long-string": int64(13), "double": 2.0,
		"bool": true, "list": []string{"a", "b"}, "list-typed": []string{"c"}, "password": Password("pw"),
		"string": "10", "class": "org.example.C", "none": nil,
	}
	cfg, err := def.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		k, _ := def.Key(name)
		if !reflect.DeepEqual(k.Default, w) {
			t.Errorf("%s: default %#v, want %#v", name, k.Default, w)
		}
		if got := cfg.Get(name); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: parsed default %#v, want %#v", name, got, w)
		}
	}
}

func TestDefineFillsPresentation(t *testing.T) {
	def := NewConfigDef().
		Define(ConfigKey{Name: "plain", Type: ConfigString}).
		Define(ConfigKey{Name: "grouped", Type: ConfigString, Group: "G", Order: 2, Width: WidthLong, DisplayName: "Grouped", Importance: High})
	plain, _ := def.Key("plain")
	if plain.Importance != Medium || plain.Width != WidthNone || plain.DisplayName != "plain" || plain.Order != -1 {
		t.Errorf("plain key: %+v", plain)
	}
	grouped, _ := def.Key("grouped")
	if grouped.Importance != High || grouped.Width != WidthLong || grouped.DisplayName != "Grouped" || grouped.Order != 2 {
		t.Errorf("grouped key: %+v", grouped)
	}
}

func TestDefinePanics(t *testing.T) {
	tests := []struct {
		name string
		keys []ConfigKey
		want string
	}{
		{"twice", []ConfigKey{{Name: "a", Type: ConfigInt}, {Name: "a", Type: ConfigString}}, `configuration key "a" defined twice`},
		{"bad string default", []ConfigKey{{Name: "a", Type: ConfigInt, Default: "ten"}}, `default of "a": Not a number of type INT`},
		{"default of another type", []ConfigKey{{Name: "a", Type: ConfigString, Default: 5}}, `default of "a": value 5 (int) does not fit type STRING`},
		{"float default for INT", []ConfigKey{{Name: "a", Type: ConfigInt, Default: 1.5}}, `does not fit type INT`},
		{"bool default for LIST", []ConfigKey{{Name: "a", Type: ConfigList, Default: true}}, `does not fit type LIST`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			def := NewConfigDef()
			for _, k := range tt.keys {
				def.Define(k)
			}
		})
	}
}

func testDef() *ConfigDef {
	return NewConfigDef().
		Define(ConfigKey{Name: "topic", Type: ConfigString, Required: true, Validator: NonEmptyString(), Importance: High, Recommended: []string{"a", "b"}}).
		Define(ConfigKey{Name: "batch.size", Type: ConfigInt, Default: 100, Validator: AtLeast(1)}).
		Define(ConfigKey{Name: "mode", Type: ConfigString, Default: "fast", Validator: OneOf(false, "fast", "safe")}).
		Define(ConfigKey{Name: "ratio", Type: ConfigDouble, Default: 0.5, Validator: Range(0, 1)}).
		Define(ConfigKey{Name: "enabled", Type: ConfigBoolean, Default: false}).
		Define(ConfigKey{Name: "password", Type: ConfigPassword}).
		Define(ConfigKey{Name: "hosts", Type: ConfigList, Default: []string{"localhost"}, Validator: NonEmptyList()})
}

func TestConfigParse(t *testing.T) {
	props := map[string]string{"topic": "t", "batch.size": "5", "ratio": "0.25", "enabled": "true", "password": "pw", "hosts": "a,b", "unknown.key": "kept"}
	cfg, err := testDef().Parse(props)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.String("topic") != "t" || cfg.Int("batch.size") != 5 || cfg.String("mode") != "fast" || cfg.Double("ratio") != 0.25 ||
		!cfg.Bool("enabled") || cfg.Password("password").Value() != "pw" || !reflect.DeepEqual(cfg.List("hosts"), []string{"a", "b"}) {
		t.Errorf("parsed values: %v", cfg.values)
	}
	if cfg.Originals()["unknown.key"] != "kept" {
		t.Error("Originals lost a key the definition does not know")
	}
	// Getters of the wrong type return zero values.
	if cfg.Int("topic") != 0 || cfg.String("batch.size") != "" || cfg.Long("batch.size") != 0 || cfg.List("nope") != nil {
		t.Error("a getter of the wrong type returned a value")
	}
	long, err := NewConfigDef().Define(ConfigKey{Name: "l", Type: ConfigLong}).Parse(map[string]string{"l": "9000000000"})
	if err != nil || long.Long("l") != 9000000000 {
		t.Errorf("LONG: %v, %v", long, err)
	}
}

func TestConfigParseCollectsErrors(t *testing.T) {
	_, err := testDef().Parse(map[string]string{"batch.size": "0", "mode": "slow", "ratio": "x"})
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Parse error %v is not a *ConfigError", err)
	}
	want := []string{
		`Missing required configuration "topic" which has no default value.`,
		"Invalid value 0 for configuration batch.size: Value must be at least 1",
		"Invalid value slow for configuration mode: String must be one of: fast, safe",
		"Invalid value x for configuration ratio: Not a number of type DOUBLE",
	}
	if !reflect.DeepEqual(ce.Errors, want) {
		t.Errorf("errors:\n%q\nwant\n%q", ce.Errors, want)
	}
	if !strings.HasPrefix(err.Error(), "4 configuration errors: Missing required") {
		t.Errorf("Error() = %q", err)
	}
	_, err = testDef().Parse(map[string]string{})
	if err == nil || err.Error() != `Missing required configuration "topic" which has no default value.` {
		t.Errorf("single error: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	values := testDef().Validate(map[string]string{"batch.size": "zero", "mode": "safe", "ratio": "2", "hosts": "", "password": "pw"})
	type result struct {
		value  any
		errors []string
	}
	want := map[string]result{
		"topic":      {nil, []string{`Missing required configuration "topic" which has no default value.`}},
		"batch.size": {nil, []string{"Invalid value zero for configuration batch.size: Not a number of type INT"}},
		"mode":       {"safe", nil},
		"ratio":      {2.0, []string{"Invalid value 2 for configuration ratio: Value must be no more than 1"}},
		"enabled":    {false, nil},
		"password":   {Password("pw"), nil},
		"hosts":      {[]string{}, []string{"Invalid value for configuration hosts: Empty list"}},
	}
	var names []string
	for _, v := range values {
		names = append(names, v.Name)
		w := want[v.Name]
		if !reflect.DeepEqual(v.Value, w.value) || !reflect.DeepEqual(v.Errors, w.errors) {
			t.Errorf("%s: value %#v errors %q; want %#v %q", v.Name, v.Value, v.Errors, w.value, w.errors)
		}
		if !v.Visible {
			t.Errorf("%s: not visible", v.Name)
		}
	}
	if got := strings.Join(names, ","); got != "topic,batch.size,mode,ratio,enabled,password,hosts" {
		t.Errorf("results in order %s, want definition order", got)
	}
	if !reflect.DeepEqual(values[0].RecommendedValues, []string{"a", "b"}) {
		t.Errorf("recommended values %v", values[0].RecommendedValues)
	}
}

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		v     Validator
		value any
		want  string // "" = valid
	}{
		{"at least: equal", AtLeast(1), 1, ""},
		{"at least: below", AtLeast(1), 0, "Invalid value 0 for configuration k: Value must be at least 1"},
		{"at least: long", AtLeast(10), int64(9), "Value must be at least 10"},
		{"at least: fraction", AtLeast(0.5), 0.25, "Invalid value 0.25 for configuration k: Value must be at least 0.5"},
		{"at least: nil", AtLeast(1), nil, ""},
		{"at least: not a number", AtLeast(1), "x", ""},
		{"range: inside", Range(-1, 1), 0, ""},
		{"range: lower bound", Range(-1, 1), -1, ""},
		{"range: upper bound", Range(-1, 1), 1.0, ""},
		{"range: above", Range(-1, 1), int64(2), "Invalid value 2 for configuration k: Value must be no more than 1"},
		{"range: below", Range(-1, 1), -2, "Value must be at least -1"},
		{"range: big bound", Range(0, 1e10), 2e10, "Value must be no more than 10000000000"},
		{"one of", OneOf(false, "a", "b"), "b", ""},
		{"one of: case", OneOf(false, "a", "b"), "A", "Invalid value A for configuration k: String must be one of: a, b"},
		{"one of: folded", OneOf(true, "a", "b"), "A", ""},
		{"one of: folded miss", OneOf(true, "a", "b"), "c", "String must be one of"},
		{"one of: nil", OneOf(false, "a"), nil, ""},
		{"non-empty", NonEmptyString(), "x", ""},
		{"non-empty: empty", NonEmptyString(), "", "Invalid value  for configuration k: String must be non-empty"},
		{"non-empty: blank", NonEmptyString(), "  ", "String must be non-empty"},
		{"non-empty: nil", NonEmptyString(), nil, ""},
		{"non-empty list", NonEmptyList(), []string{"a"}, ""},
		{"non-empty list: empty", NonEmptyList(), []string{}, "Invalid value for configuration k: Empty list"},
		{"regex", ValidRegex(), "^topic-[0-9]+$", ""},
		{"regex: empty", ValidRegex(), "", ""},
		{"regex: invalid", ValidRegex(), "a(b", "Invalid value a(b for configuration k: error parsing regexp: missing closing )"},
		{"all of: both pass", AllOf(NonEmptyString(), OneOf(false, "x")), "x", ""},
		{"all of: first error", AllOf(NonEmptyString(), OneOf(false, "x")), "", "String must be non-empty"},
		{"all of: second error", AllOf(NonEmptyString(), OneOf(false, "x")), "y", "String must be one of: x"},
		{"func", ValidatorFunc(func(name string, v any) error { return fmt.Errorf("%s is %v", name, v) }), 3, "k is 3"},
	}
	for _, tt := range tests {
		err := tt.v.Validate("k", tt.value)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate(%#v) = %v, want error containing %q", tt.name, tt.value, err, tt.want)
		}
	}
}

func TestOneOfFoldMessage(t *testing.T) {
	// Kafka's CaseInsensitiveValidString: "String must be one of (case insensitive): A, B".
	err := OneOf(true, "a", "b").Validate("k", "c")
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "String must be one of (case insensitive): a, b") {
		t.Errorf("case-insensitive OneOf says %q", err)
	}
}

func TestPasswordIsHidden(t *testing.T) {
	p := Password("s3cret")
	if p.Value() != "s3cret" {
		t.Errorf("Value() = %q", p.Value())
	}
	for _, s := range []string{p.String(), fmt.Sprint(p), fmt.Sprintf("%v %s", p, p), ConfigValueString(p), fmt.Sprint([]any{p})} {
		if strings.Contains(s, "s3cret") || !strings.Contains(s, "[hidden]") {
			t.Errorf("password shows as %q", s)
		}
	}
	cfg, err := NewConfigDef().Define(ConfigKey{Name: "pw", Type: ConfigPassword}).Parse(map[string]string{"pw": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password("pw").Value() != "s3cret" || fmt.Sprint(cfg.Get("pw")) != "[hidden]" {
		t.Errorf("parsed password: %v", cfg.Get("pw"))
	}
	// A ConfigValue marshalled by a REST handler, or a JSON log line, leaks the secret.
	b, _ := json.Marshal(p)
	if strings.Contains(string(b), "s3cret") {
		t.Errorf("json.Marshal(Password) = %s", b)
	}
}

func TestConfigValueString(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, ""},
		{"x", "x"},
		{Password("pw"), "[hidden]"},
		{[]string{"a", "b"}, "a,b"},
		{[]string{}, ""},
		{true, "true"},
		{1.5, "1.5"},
		{1e21, "1e+21"},
		{42, "42"},
		{int64(-3), "-3"},
	}
	for _, tt := range tests {
		if got := ConfigValueString(tt.v); got != tt.want {
			t.Errorf("ConfigValueString(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestConfigDefAccessors(t *testing.T) {
	def := NewConfigDef().
		Define(ConfigKey{Name: "a", Type: ConfigString, Group: "G1"}).
		Define(ConfigKey{Name: "b", Type: ConfigString, Group: "G2"}).
		Define(ConfigKey{Name: "c", Type: ConfigString, Group: "G1"}).
		Define(ConfigKey{Name: "d", Type: ConfigString})
	if got := def.Groups(); !reflect.DeepEqual(got, []string{"G1", "G2"}) {
		t.Errorf("Groups() = %v", got)
	}
	keys := def.Keys()
	keys[0].Name = "changed"
	if k, ok := def.Key("a"); !ok || k.Name != "a" {
		t.Error("changing the slice Keys returned changed the definition")
	}
	if _, ok := def.Key("nope"); ok {
		t.Error("Key of an unknown name reported found")
	}
	var nilDef *ConfigDef
	if nilDef.Keys() != nil {
		t.Error("nil definition has keys")
	}
	if _, ok := nilDef.Key("a"); ok {
		t.Error("nil definition has a key")
	}
	// The zero ConfigDef is usable too.
	var zero ConfigDef
	zero.Define(ConfigKey{Name: "z", Type: ConfigInt})
	if _, ok := zero.Key("z"); !ok {
		t.Error("zero ConfigDef lost its key")
	}
}

func TestConfigDefWith(t *testing.T) {
	connector := NewConfigDef().
		Define(ConfigKey{Name: "name", Type: ConfigString, Doc: "connector's"}).
		Define(ConfigKey{Name: "file", Type: ConfigString})
	common := NewConfigDef().
		Define(ConfigKey{Name: "name", Type: ConfigString, Required: true, Doc: "common"}).
		Define(ConfigKey{Name: "tasks.max", Type: ConfigInt, Default: 1})
	merged := connector.With(common)
	var names []string
	for _, k := range merged.Keys() {
		names = append(names, k.Name)
	}
	if got := strings.Join(names, ","); got != "name,file,tasks.max" {
		t.Errorf("merged keys %s, want name,file,tasks.max", got)
	}
	if k, _ := merged.Key("name"); k.Doc != "connector's" || k.Required {
		t.Errorf("the receiver's definition of a shared key should win: %+v", k)
	}
	if len(connector.Keys()) != 2 || len(common.Keys()) != 2 {
		t.Error("With changed its inputs")
	}
	merged.Define(ConfigKey{Name: "extra", Type: ConfigString})
	if _, ok := connector.Key("extra"); ok {
		t.Error("the merged definition shares state with its input")
	}
	if n := len(connector.With(nil).Keys()); n != 2 {
		t.Errorf("With(nil) has %d keys", n)
	}
}
