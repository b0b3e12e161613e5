package connect

import (
	"errors"
	"strings"
)

// Hidden is what a secret value is shown as in REST answers, errors and logs, as in Kafka.
const Hidden = "[hidden]"

// secretNameParts are the name fragments that mark a configuration key as secret even when
// it is not declared as a PASSWORD: client overrides (consumer.override.sasl.jaas.config),
// converter settings (value.converter.basic.auth.user.info) and undeclared keys reach the
// worker as plain strings.
var secretNameParts = []string{"password", "secret", "jaas.config", "basic.auth.user.info", "credentials", "api.key", "apikey", "private.key", "access.key", "keystore.key", "token"}

// IsSecretKey reports whether a configuration key's name says that its value is a secret:
// any key containing password, secret, jaas.config, basic.auth.user.info, credentials,
// api.key, private.key, access.key, keystore.key or token (case-insensitive), except a
// name ending in .source. Such values are shown as
// Hidden wherever the worker would otherwise echo them.
func IsSecretKey(name string) bool {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".source") {
		// Names a kind of credential, not one: Confluent's basic.auth.credentials.source is
		// USER_INFO, URL or SASL_INHERIT.
		return false
	}
	for _, p := range secretNameParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// IsSecret reports whether k's values are secret: a PASSWORD key, or one whose name
// IsSecretKey.
func (k ConfigKey) IsSecret() bool { return k.Type == ConfigPassword || IsSecretKey(k.Name) }

// RedactValue replaces every occurrence of secret in msg with Hidden. An empty secret
// leaves msg as it is.
func RedactValue(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, Hidden)
}

// redactErr is RedactValue for an error; it keeps nothing of the original error so the
// secret cannot be reached through errors.Unwrap either.
func redactErr(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(RedactValue(err.Error(), secret))
}
