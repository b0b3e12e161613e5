package connect

import (
	"strings"
	"testing"
)

func TestIsSecretKey(t *testing.T) {
	cases := map[string]bool{
		"sasl.jaas.config":                           true,
		"consumer.override.sasl.jaas.config":         true,
		"ssl.key.password":                           true,
		"ssl.truststore.password":                    true,
		"value.converter.basic.auth.user.info":       true,
		"aws.secret.access.key":                      true,
		"client.secret":                              true,
		"sasl.oauthbearer.token.endpoint.url":        true, // conservative: better hidden than leaked
		"connection.password":                        true,
		"producer.override.sasl.client.callback.key": false,
		"basic.auth.credentials.source":              false,
		"topic":                                      false,
		"tasks.max":                                  false,
		"file":                                       false,
		"sasl.mechanism":                             false,
		"ssl.truststore.location":                    false,
	}
	for k, want := range cases {
		if got := IsSecretKey(k); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestParseNeverEchoesSecrets(t *testing.T) {
	d := NewConfigDef().
		Define(ConfigKey{Name: "db.password", Type: ConfigString, Validator: OneOf(false, "a", "b")}).
		Define(ConfigKey{Name: "key", Type: ConfigPassword, Validator: NonEmptyString()}).
		Define(ConfigKey{Name: "retries", Type: ConfigInt})
	props := map[string]string{"db.password": "hunter2", "key": " ", "retries": "many"}
	_, err := d.Parse(props)
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	if strings.Contains(msg, "hunter2") {
		t.Errorf("Parse error shows a secret: %s", msg)
	}
	if !strings.Contains(msg, "db.password") || !strings.Contains(msg, "[hidden]") || !strings.Contains(msg, "many") {
		t.Errorf("Parse error %q should name db.password, show [hidden] for its value and keep the non-secret value", msg)
	}
	for _, v := range d.Validate(props) {
		for _, e := range v.Errors {
			if strings.Contains(e, "hunter2") {
				t.Errorf("Validate error for %s shows a secret: %s", v.Name, e)
			}
		}
	}
}

func TestRedactValue(t *testing.T) {
	if got := RedactValue("a s3cret and s3cret", "s3cret"); got != "a [hidden] and [hidden]" {
		t.Errorf("got %q", got)
	}
	if got := RedactValue("nothing", ""); got != "nothing" {
		t.Errorf("empty secret changed the message: %q", got)
	}
}
