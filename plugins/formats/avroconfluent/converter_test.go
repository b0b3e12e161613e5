package avroconfluent

import (
	"encoding/binary"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
)

var orderSchema = connect.StructBuilder().Name("shop.Order").
	Field("id", connect.Int64Schema).
	Field("customer", connect.StringSchema).
	Field("amount", connect.DecimalSchema(2).MustBuild()).
	Field("placed", connect.TimestampSchema().MustBuild()).
	Field("note", connect.OptionalStringSchema).MustBuild()

func order(id int64) *connect.Struct {
	amount, _ := connect.ParseDecimal("1234.50")
	return connect.NewStruct(orderSchema).
		MustPut("id", id).
		MustPut("customer", "Zoë").
		MustPut("amount", amount).
		MustPut("placed", time.Date(2024, 5, 1, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600)))
}

func newConverter(t *testing.T, cfg map[string]string, isKey bool) *Converter {
	t.Helper()
	p, err := connect.LookupType(ConverterClass, connect.PluginConverter)
	if err != nil {
		t.Fatal(err)
	}
	c := p.New().(*Converter)
	if err := c.Configure(cfg, isKey); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConverterRoundTripOverHTTP(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	c := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)

	data, err := c.FromConnectData("orders", nil, orderSchema, order(1))
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := SplitHeader(data)
	if err != nil || id != 1 {
		t.Fatalf("header id %d, %v", id, err)
	}
	// The schema registered under <topic>-value is the one Confluent's converter would register.
	want, _ := avro.ConnectToAvroJSON(orderSchema, avro.Options{ConnectMetaData: true})
	got, ok := srv.Registry().GetSchema("orders-value", 1)
	if !ok || got.Schema.Schema != want {
		t.Fatalf("registered %q, want %q", got.Schema.Schema, want)
	}
	// A fresh converter (an empty cache) reads it back through the registry.
	reader := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)
	sv, err := reader.ToConnectData("orders", nil, data)
	if err != nil {
		t.Fatal(err)
	}
	st := sv.Value.(*connect.Struct)
	if st.GetInt64("id") != 1 || st.GetString("customer") != "Zoë" || st.Get("amount").(connect.Decimal).String() != "1234.50" ||
		!st.Get("placed").(time.Time).Equal(order(1).Get("placed").(time.Time)) || st.Get("note") != nil {
		t.Fatalf("read back %v", st)
	}
	if !sv.Schema.Equal(orderSchema) {
		t.Fatalf("schema read back %v, want %v", sv.Schema, orderSchema)
	}
	// Tombstones both ways.
	if b, err := c.FromConnectData("orders", nil, orderSchema, nil); b != nil || err != nil {
		t.Fatalf("null value gave %v, %v", b, err)
	}
	if sv, err := c.ToConnectData("orders", nil, nil); sv.Value != nil || sv.Schema != nil || err != nil {
		t.Fatalf("null message gave %v, %v", sv, err)
	}
}

// TestOneRegistryRoundTripPerSchema counts HTTP requests: the first record of a schema asks
// the registry, every later one does not — even when the Connect schema is a new, equal value.
func TestOneRegistryRoundTripPerSchema(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	c := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)
	if _, err := c.FromConnectData("orders", nil, orderSchema, order(1)); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0] != (srtest.Request{Method: "POST", Path: "/subjects/orders-value/versions"}) ||
		reqs[1] != (srtest.Request{Method: "GET", Path: "/schemas/ids/1"}) {
		t.Fatalf("first record: requests %v, want the registration (and srclient's read-back)", reqs)
	}
	srv.ResetRequests()
	var last []byte
	for i := range 100 {
		var err error
		if last, err = c.FromConnectData("orders", nil, orderSchema, order(int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	equal := connect.StructBuilder().Name("shop.Order").
		Field("id", connect.Int64Schema).
		Field("customer", connect.StringSchema).
		Field("amount", connect.DecimalSchema(2).MustBuild()).
		Field("placed", connect.TimestampSchema().MustBuild()).
		Field("note", connect.OptionalStringSchema).MustBuild()
	v := connect.NewStruct(equal).MustPut("id", int64(7)).MustPut("customer", "x").
		MustPut("amount", connect.NewDecimal(1, 2)).MustPut("placed", time.UnixMilli(0))
	if _, err := c.FromConnectData("orders", nil, equal, v); err != nil {
		t.Fatal(err)
	}
	// Decoding what this converter wrote needs no fetch either: the id's schema is known.
	for range 10 {
		if _, err := c.ToConnectData("orders", nil, last); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("later records made %d requests: %v", n, srv.Requests())
	}
	// A new reader fetches the schema once, then never again.
	reader := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)
	for range 10 {
		if _, err := reader.ToConnectData("orders", nil, last); err != nil {
			t.Fatal(err)
		}
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Path != "/schemas/ids/1" {
		t.Fatalf("reader requests %v, want one GET /schemas/ids/1", reqs)
	}
	// Another topic is another subject: one more registration.
	srv.ResetRequests()
	if _, err := c.FromConnectData("returns", nil, orderSchema, order(1)); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Requests(); len(reqs) == 0 || reqs[0].Path != "/subjects/returns-value/versions" {
		t.Fatalf("new topic: %v", reqs)
	}
}

func TestSubjectNameStrategies(t *testing.T) {
	cases := []struct {
		strategy string
		isKey    bool
		subject  string
	}{
		{"", false, "orders-value"},
		{"", true, "orders-key"},
		{"io.confluent.kafka.serializers.subject.TopicNameStrategy", true, "orders-key"},
		{"io.confluent.kafka.serializers.subject.RecordNameStrategy", false, "shop.Order"},
		{"RecordNameStrategy", true, "shop.Order"},
		{"io.confluent.kafka.serializers.subject.TopicRecordNameStrategy", false, "orders-shop.Order"},
		{"TopicRecordNameStrategy", true, "orders-shop.Order"},
	}
	for _, tc := range cases {
		t.Run(tc.strategy+map[bool]string{true: "/key", false: "/value"}[tc.isKey], func(t *testing.T) {
			srv := srtest.New()
			defer srv.Close()
			cfg := map[string]string{ConfigURL: srv.URL()}
			if tc.strategy != "" {
				cfg[ConfigKeySubjectStrategy] = tc.strategy
				cfg[ConfigValueSubjectStrategy] = tc.strategy
			}
			c := newConverter(t, cfg, tc.isKey)
			if _, err := c.FromConnectData("orders", nil, orderSchema, order(1)); err != nil {
				t.Fatal(err)
			}
			if !srv.Registry().SubjectExists(tc.subject) {
				t.Fatalf("subject %q not registered; requests %v", tc.subject, srv.Requests())
			}
		})
	}
	// A key uses key.subject.name.strategy, not the value's.
	srv := srtest.New()
	defer srv.Close()
	c := newConverter(t, map[string]string{ConfigURL: srv.URL(), ConfigValueSubjectStrategy: "RecordNameStrategy"}, true)
	if _, err := c.FromConnectData("orders", nil, connect.StringSchema, "k"); err != nil {
		t.Fatal(err)
	}
	if !srv.Registry().SubjectExists("orders-key") {
		t.Fatal("the key went to the value strategy's subject")
	}
	p, _ := connect.Lookup(ConverterClass)
	err := p.New().(connect.Converter).Configure(map[string]string{ConfigURL: srv.URL(), ConfigValueSubjectStrategy: "com.example.Mine"}, false)
	if err == nil || !strings.Contains(err.Error(), "com.example.Mine") {
		t.Fatalf("unknown strategy: %v", err)
	}
}

func TestUseLatestVersion(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	v1 := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}`
	v2 := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},` +
		`{"name":"channel","type":"string","default":"web"}]}`
	if _, err := srv.Register("orders-value", v1); err != nil {
		t.Fatal(err)
	}
	id2, err := srv.Register("orders-value", v2)
	if err != nil {
		t.Fatal(err)
	}
	small := connect.StructBuilder().Name("shop.Order").Field("id", connect.Int64Schema).MustBuild()
	c := newConverter(t, map[string]string{ConfigURL: srv.URL(), ConfigUseLatestVersion: "true", ConfigAutoRegister: "false"}, false)
	data, err := c.FromConnectData("orders", nil, small, connect.NewStruct(small).MustPut("id", int64(9)))
	if err != nil {
		t.Fatal(err)
	}
	if id, _, _ := SplitHeader(data); id != id2 {
		t.Fatalf("written with id %d, want the latest %d", id, id2)
	}
	sv, err := c.ToConnectData("orders", nil, data)
	if err != nil {
		t.Fatal(err)
	}
	if st := sv.Value.(*connect.Struct); st.GetInt64("id") != 9 || st.GetString("channel") != "web" {
		t.Fatalf("read %v: the missing field must take the latest schema's default", st)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Path != "/subjects/orders-value/versions/latest" {
		t.Fatalf("requests %v: one latest lookup, no registration", reqs)
	}
	// latest.cache.ttl.sec=-1 (the default) keeps the latest version; 0 asks every time.
	v3 := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},` +
		`{"name":"channel","type":"string","default":"web"},{"name":"v","type":"int","default":3}]}`
	id3, err := srv.Register("orders-value", v3)
	if err != nil {
		t.Fatal(err)
	}
	data, _ = c.FromConnectData("orders", nil, small, connect.NewStruct(small).MustPut("id", int64(9)))
	if id, _, _ := SplitHeader(data); id != id2 {
		t.Fatalf("cached latest: id %d, want %d", id, id2)
	}
	fresh := newConverter(t, map[string]string{ConfigURL: srv.URL(), ConfigUseLatestVersion: "true", ConfigLatestCacheTTL: "0"}, false)
	data, _ = fresh.FromConnectData("orders", nil, small, connect.NewStruct(small).MustPut("id", int64(9)))
	if id, _, _ := SplitHeader(data); id != id3 {
		t.Fatalf("ttl 0: id %d, want %d", id, id3)
	}
}

func TestAutoRegisterOff(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	c := newConverter(t, map[string]string{ConfigURL: srv.URL(), ConfigAutoRegister: "false"}, false)
	_, err := c.FromConnectData("orders", nil, orderSchema, order(1))
	var re *RegistryError
	if !errors.As(err, &re) || re.Subject != "orders-value" || re.Op != "look up schema" || re.Code != 40401 {
		t.Fatalf("unregistered schema: %v", err)
	}
	if !strings.Contains(err.Error(), `subject "orders-value"`) {
		t.Fatalf("message does not name the subject: %v", err)
	}
	// Once registered (by someone else), the lookup finds it: one POST /subjects/{s}.
	text, _ := avro.ConnectToAvroJSON(orderSchema, avro.Options{ConnectMetaData: true})
	id, err := srv.Register("orders-value", text)
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	data, err := c.FromConnectData("orders", nil, orderSchema, order(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := SplitHeader(data); got != id {
		t.Fatalf("id %d, want %d", got, id)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0] != (srtest.Request{Method: "POST", Path: "/subjects/orders-value"}) {
		t.Fatalf("requests %v", reqs)
	}
}

func TestBasicAuth(t *testing.T) {
	srv := srtest.New(srtest.WithBasicAuth("alice", "s3cret"))
	defer srv.Close()
	hostURL := srv.URL()
	withCreds := strings.Replace(hostURL, "http://", "http://alice:s3cret@", 1)
	for name, cfg := range map[string]map[string]string{
		"USER_INFO": {ConfigURL: hostURL, ConfigCredentialsSource: "USER_INFO", ConfigUserInfo: "alice:s3cret"},
		"old name":  {ConfigURL: hostURL, ConfigCredentialsSource: "USER_INFO", ConfigRegistryUserInfo: "alice:s3cret"},
		"URL":       {ConfigURL: withCreds},
	} {
		t.Run(name, func(t *testing.T) {
			c := newConverter(t, cfg, false)
			data, err := c.FromConnectData("orders", nil, orderSchema, order(1))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := newConverter(t, cfg, false).ToConnectData("orders", nil, data); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		c := newConverter(t, map[string]string{ConfigURL: hostURL, ConfigCredentialsSource: "USER_INFO", ConfigUserInfo: "alice:nope"}, false)
		_, err := c.FromConnectData("orders", nil, orderSchema, order(1))
		var re *RegistryError
		if !errors.As(err, &re) || re.Code != 401 || re.Subject != "orders-value" || connect.IsRetriable(err) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "nope") {
			t.Fatalf("the password leaked into %v", err)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		c := newConverter(t, map[string]string{ConfigURL: hostURL}, false)
		_, err := c.ToConnectData("orders", nil, []byte{0, 0, 0, 0, 1, 2})
		var re *RegistryError
		if !errors.As(err, &re) || re.Code != 401 || re.ID != 1 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("URL credentials are not quoted in errors", func(t *testing.T) {
		down := srtest.New()
		u := strings.Replace(down.URL(), "http://", "http://bob:hunter2@", 1)
		down.Close()
		c := newConverter(t, map[string]string{ConfigURL: u}, false)
		_, err := c.FromConnectData("orders", nil, orderSchema, order(1))
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRegistryErrors(t *testing.T) {
	srv := srtest.New()
	c := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)

	// Unknown schema id: the error names the id.
	_, err := c.ToConnectData("orders", nil, []byte{0, 0, 0, 0, 42, 0})
	var re *RegistryError
	if !errors.As(err, &re) || re.ID != 42 || re.Code != 40403 || !strings.Contains(err.Error(), "id 42") {
		t.Fatalf("unknown id: %v", err)
	}
	var de *connect.DataError
	if errors.As(err, &de) {
		t.Fatalf("a registry failure is not bad data: %v", err)
	}

	// A registry error answer is retriable when the registry itself failed.
	srv.Fail(http.MethodPost, "/subjects/", 1, 500, 50001, "Error in the backend data store")
	_, err = c.FromConnectData("orders", nil, orderSchema, order(1))
	if !errors.As(err, &re) || re.Code != 50001 || !connect.IsRetriable(err) || !strings.Contains(err.Error(), `subject "orders-value"`) {
		t.Fatalf("backend failure: %v", err)
	}
	// The failure was not cached: the next record registers.
	if _, err := c.FromConnectData("orders", nil, orderSchema, order(1)); err != nil {
		t.Fatal(err)
	}

	// Registry down: the error names the subject and is retriable.
	srv.Close()
	_, err = c.FromConnectData("other", nil, orderSchema, order(1))
	if !errors.As(err, &re) || re.Subject != "other-value" || !connect.IsRetriable(err) ||
		!strings.Contains(err.Error(), srv.URL()) || !strings.Contains(err.Error(), `subject "other-value"`) {
		t.Fatalf("registry down: %v", err)
	}
	// What is cached keeps working while it is down.
	if _, err := c.FromConnectData("orders", nil, orderSchema, order(2)); err != nil {
		t.Fatalf("cached schema with the registry down: %v", err)
	}
}

func TestFailoverToNextURL(t *testing.T) {
	down := srtest.New()
	down.Close()
	up := srtest.New()
	defer up.Close()
	c := newConverter(t, map[string]string{ConfigURL: down.URL() + "," + up.URL()}, false)
	if _, err := c.FromConnectData("orders", nil, orderSchema, order(1)); err != nil {
		t.Fatal(err)
	}
	if !up.Registry().SubjectExists("orders-value") {
		t.Fatal("the second registry was not used")
	}
}

// TestDecodeHandBuiltBytes decodes bytes assembled by hand from the wire format: magic byte,
// big-endian id 42 (00 00 00 2a), and the Avro body of {"id": 3, "name": "é"} per the Avro
// specification (zig-zag varint 3 = 06; union branch 1 = 02; length 2 = 04; UTF-8 c3 a9).
func TestDecodeHandBuiltBytes(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	srv.Registry().SeedSchema("people-value", 1, 42, srfakeSchema(`{"type":"record","name":"P","fields":[`+
		`{"name":"id","type":"long"},{"name":"name","type":["null","string"]}]}`))
	c := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)
	msg := []byte{0x00, 0x00, 0x00, 0x00, 0x2a, 0x06, 0x02, 0x04, 0xc3, 0xa9}
	sv, err := c.ToConnectData("people", nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	st := sv.Value.(*connect.Struct)
	if st.GetInt64("id") != 3 || st.GetString("name") != "é" || sv.Schema.Name != "P" {
		t.Fatalf("decoded %v (%v)", st, sv.Schema)
	}
	// And our encoding of it is the same bytes, id included.
	c2 := newConverter(t, map[string]string{ConfigURL: srv.URL(), ConfigUseLatestVersion: "true"}, false)
	out, err := c2.FromConnectData("people", nil, sv.Schema, st)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(msg) {
		t.Fatalf("encoded % x, want % x", out, msg)
	}
	if binary.BigEndian.Uint32(out[1:5]) != 42 {
		t.Fatal("id")
	}

	for _, tc := range []struct {
		msg  []byte
		want string
	}{
		{[]byte{0x01, 0, 0, 0, 42, 6}, "unknown magic byte 0x01"},
		{[]byte{0, 0, 0}, "shorter than the 5-byte Confluent header"},
		{[]byte{0, 0, 0, 0, 42, 0x06, 0x04}, "schema id 42"},
	} {
		_, err := c.ToConnectData("people", nil, tc.msg)
		var de *connect.DataError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "topic people") {
			t.Errorf("% x: err = %v, want a DataError saying %q", tc.msg, err, tc.want)
		}
	}
}

func TestConverterConfigErrors(t *testing.T) {
	p, _ := connect.Lookup("avro-confluent")
	if p.Class != ConverterClass {
		t.Fatalf("avro-confluent resolves to %s", p.Class)
	}
	for _, tc := range []struct {
		cfg  map[string]string
		want string
	}{
		{map[string]string{}, ConfigURL},
		{map[string]string{ConfigURL: "not a url"}, "invalid schema registry URL"},
		{map[string]string{ConfigURL: "http://x", ConfigCredentialsSource: "USER_INFO"}, "user:password"},
		{map[string]string{ConfigURL: "http://x", ConfigCredentialsSource: "SASL_INHERIT"}, "SASL_INHERIT"},
	} {
		err := p.New().(connect.Converter).Configure(tc.cfg, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	var c Converter
	if _, err := c.FromConnectData("t", nil, orderSchema, order(1)); err == nil {
		t.Error("an unconfigured converter encoded")
	}
	srv := srtest.New()
	defer srv.Close()
	conf := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)
	_, err := conf.FromConnectData("t", nil, nil, map[string]any{"a": 1.0})
	var de *connect.DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "schemaless") {
		t.Errorf("schemaless value: %v", err)
	}
}
