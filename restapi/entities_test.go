package restapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// TestZeroValueShapes pins the JSON of zero-valued entities: arrays are []
// and objects {} where Kafka emits them, optional fields are omitted, and
// nullable fields are null.
func TestZeroValueShapes(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{ServerInfo{}, `{"version":"","commit":"","kafka_cluster_id":""}`},
		{WorkerStatus{}, `{"status":"","message":""}`},
		{ConnectorInfo{}, `{"name":"","config":{},"tasks":[],"type":""}`},
		{&ConnectorInfo{}, `{"name":"","config":{},"tasks":[],"type":""}`},
		{TaskInfo{}, `{"id":{"connector":"","task":0},"config":{}}`},
		{ConnectorStateInfo{}, `{"name":"","connector":{"state":"","worker_id":""},"tasks":[],"type":""}`},
		{TaskState{}, `{"id":0,"state":"","worker_id":""}`},
		{ConnectorOffsets{}, `{"offsets":[]}`},
		{ConnectorOffset{}, `{"partition":null,"offset":null}`},
		{Message{}, `{"message":""}`},
		{ErrorMessage{}, `{"error_code":0,"message":""}`},
		{ActiveTopicsInfo{}, `{"topics":[]}`},
		{PluginInfo{}, `{"class":"","type":""}`},
		{ConfigInfos{}, `{"name":"","error_count":0,"groups":[],"configs":[]}`},
		{ConfigInfo{}, `{"definition":null,"value":null}`},
		{ConfigInfo{Definition: &ConfigKeyInfo{}, Value: &ConfigValueInfo{}},
			`{"definition":{"name":"","type":"","required":false,"default_value":null,"importance":"","documentation":"","group":null,"order":0,"width":"","display_name":"","dependents":[]},` +
				`"value":{"name":"","value":null,"recommended_values":[],"errors":[],"visible":false}}`},
		{CreateConnectorRequest{Name: "n"}, `{"name":"n","config":null}`},
		{[]ConnectorInfo{{Config: map[string]string{"a": "<b>&"}}}, `[{"name":"","config":{"a":"<b>&"},"tasks":[],"type":""}]`},
	} {
		got, err := marshalNoEscape(tc.v)
		if err != nil {
			t.Fatalf("%T: %v", tc.v, err)
		}
		if string(got) != tc.want {
			t.Errorf("%T:\n got %s\nwant %s", tc.v, got, tc.want)
		}
	}
}

// TestEntitiesRoundTrip checks that clients can decode what the server writes.
func TestEntitiesRoundTrip(t *testing.T) {
	in := ConnectorStateInfo{Name: "c", Connector: ConnectorState{State: "FAILED", WorkerID: "w:1", Trace: "t"},
		Tasks: []TaskState{{ID: 0, State: "RUNNING", WorkerID: "w:1"}}, Type: "sink"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out ConnectorStateInfo
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(in) != fmt.Sprint(out) {
		t.Errorf("round trip: %+v != %+v", out, in)
	}
}

func TestErrorConstructors(t *testing.T) {
	for _, tc := range []struct {
		err    *Error
		status int
		msg    string
	}{
		{NotFound("Connector %s not found", "x"), http.StatusNotFound, "Connector x not found"},
		{Conflict("Connector %s already exists", "x"), http.StatusConflict, "Connector x already exists"},
		{BadRequest("bad %d", 1), http.StatusBadRequest, "bad 1"},
		{Forbidden("Topic tracking is disabled."), http.StatusForbidden, "Topic tracking is disabled."},
		{Errorf(http.StatusServiceUnavailable, "later"), http.StatusServiceUnavailable, "later"},
	} {
		if tc.err.Status != tc.status || tc.err.Code != tc.status || tc.err.Error() != tc.msg {
			t.Errorf("%+v, want status %d message %q", tc.err, tc.status, tc.msg)
		}
		var e *Error
		if !errors.As(fmt.Errorf("wrapped: %w", tc.err), &e) || e != tc.err {
			t.Errorf("errors.As failed for %v", tc.err)
		}
	}
}

func TestConfigValidationError(t *testing.T) {
	if e := ConfigValidationError(ConfigInfos{}); e != nil {
		t.Errorf("no errors should give nil, got %v", e)
	}
	infos := ConfigInfos{ErrorCount: 3, Configs: []ConfigInfo{
		{Definition: &ConfigKeyInfo{Name: "a"}},
		{Value: &ConfigValueInfo{Name: "b", Errors: []string{"e1", "e2"}}},
		{Value: &ConfigValueInfo{Name: "c"}},
		{Value: &ConfigValueInfo{Name: "d", Errors: []string{"e3"}}},
	}}
	e := ConfigValidationError(infos)
	want := "Connector configuration is invalid and contains the following 3 error(s):\ne1\ne2\ne3\n" +
		"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
	if e == nil || e.Status != 400 || e.Message != want {
		t.Errorf("got %+v", e)
	}
}

func TestAddNullValueErrorsDoesNotMutate(t *testing.T) {
	orig := ConfigInfos{ErrorCount: 1, Configs: []ConfigInfo{
		{Definition: &ConfigKeyInfo{Name: "declared"}, Value: &ConfigValueInfo{Name: "declared", Value: ptr("dflt"), Errors: []string{"other"}}},
		{Definition: &ConfigKeyInfo{Name: "novalue"}},
	}}
	got := addNullValueErrors(orig, []string{"declared", "novalue", "undeclared"})
	if got.ErrorCount != 4 || len(got.Configs) != 3 {
		t.Fatalf("got %+v", got)
	}
	if v := got.Configs[0].Value; v.Value != nil || fmt.Sprint(v.Errors) != "[other "+NullValueMessage+"]" {
		t.Errorf("declared: %+v", v)
	}
	if v := got.Configs[1].Value; v == nil || v.Name != "novalue" || !v.Visible || fmt.Sprint(v.Errors) != "["+NullValueMessage+"]" {
		t.Errorf("novalue: %+v", v)
	}
	if c := got.Configs[2]; c.Definition != nil || c.Value.Name != "undeclared" || c.Value.Value != nil {
		t.Errorf("undeclared: %+v", c)
	}
	if orig.ErrorCount != 1 || len(orig.Configs[0].Value.Errors) != 1 || *orig.Configs[0].Value.Value != "dflt" || orig.Configs[1].Value != nil {
		t.Errorf("input was modified: %+v", orig)
	}
}
