package avroconfluent

import (
	"errors"
	"fmt"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
)

// ConverterClass is Confluent's class name, so worker configurations written for Confluent's
// converter work unchanged; the converter is also found by the short name "avro-confluent".
const ConverterClass = "io.confluent.connect.avro.AvroConverter"

// Confluent's converter settings (the key.converter. / value.converter. prefix removed).
const (
	ConfigURL                   = "schema.registry.url"
	ConfigCredentialsSource     = "basic.auth.credentials.source"
	ConfigUserInfo              = "basic.auth.user.info"
	ConfigRegistryUserInfo      = "schema.registry.basic.auth.user.info"
	ConfigAutoRegister          = "auto.register.schemas"
	ConfigUseLatestVersion      = "use.latest.version"
	ConfigLatestCacheTTL        = "latest.cache.ttl.sec"
	ConfigKeySubjectStrategy    = "key.subject.name.strategy"
	ConfigValueSubjectStrategy  = "value.subject.name.strategy"
	ConfigConnectMetaData       = "connect.meta.data"
	ConfigEnhancedSchemaSupport = "enhanced.avro.schema.support"

	defaultStrategy = "io.confluent.kafka.serializers.subject.TopicNameStrategy"
)

// Converter is Confluent's AvroConverter: Connect data ⇄ Confluent wire format, with schemas
// in a Schema Registry. Values written by one task converter go to one subject per topic (or
// record name), registered once; values read are decoded with their writer schema, fetched
// once per schema id.
type Converter struct {
	isKey    bool
	sd       *serde
	strategy SubjectNameStrategy
}

var _ connect.Converter = (*Converter)(nil)

// ConfigDef describes Confluent's converter settings that this converter honours.
func (c *Converter) ConfigDef() *connect.ConfigDef { return converterConfigDef() }

func converterConfigDef() *connect.ConfigDef {
	strategyDoc := "Subject name strategy: TopicNameStrategy (<topic>-key / <topic>-value), RecordNameStrategy " +
		"(<record full name>) or TopicRecordNameStrategy (<topic>-<record full name>), by Confluent's class name " +
		"(io.confluent.kafka.serializers.subject.TopicNameStrategy) or simple name."
	validStrategy := connect.ValidatorFunc(func(name string, v any) error {
		if s, ok := v.(string); ok {
			if _, err := LookupSubjectNameStrategy(s); err != nil {
				return fmt.Errorf("Invalid value %s for configuration %s: %v", s, name, err)
			}
		}
		return nil
	})
	return connect.NewConfigDef().
		Define(connect.ConfigKey{
			Name: ConfigURL, Type: connect.ConfigList, Required: true, Importance: connect.High,
			Validator: connect.NonEmptyList(),
			Doc:       "Comma-separated URLs of the Schema Registry; the next is tried when one cannot be reached.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigCredentialsSource, Type: connect.ConfigString, Default: SourceURL, Importance: connect.Medium,
			Validator: connect.OneOf(true, SourceURL, SourceUserInfo),
			Doc:       "Where basic authentication credentials come from: URL (user:password@ in the URL) or USER_INFO (" + ConfigUserInfo + ").",
		}).
		Define(connect.ConfigKey{
			Name: ConfigUserInfo, Type: connect.ConfigPassword, Default: "", Importance: connect.Medium,
			Doc: "Basic authentication credentials as user:password for the USER_INFO source.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigRegistryUserInfo, Type: connect.ConfigPassword, Default: "", Importance: connect.Low,
			Doc: "Older name of " + ConfigUserInfo + ".",
		}).
		Define(connect.ConfigKey{
			Name: ConfigAutoRegister, Type: connect.ConfigBoolean, Default: true, Importance: connect.Medium,
			Doc: "Register the schema of written values under their subject; when false the schema must already be registered and is looked up.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigUseLatestVersion, Type: connect.ConfigBoolean, Default: false, Importance: connect.Low,
			Doc: "Write values with the latest schema registered under their subject instead of registering theirs; fields are matched by name.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigLatestCacheTTL, Type: connect.ConfigLong, Default: int64(-1), Importance: connect.Low,
			Doc: "Seconds the latest version of a subject is cached with " + ConfigUseLatestVersion + "; -1 caches it for ever.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigKeySubjectStrategy, Type: connect.ConfigClass, Default: defaultStrategy, Importance: connect.Medium,
			Validator: validStrategy, Doc: strategyDoc + " Used for keys.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigValueSubjectStrategy, Type: connect.ConfigClass, Default: defaultStrategy, Importance: connect.Medium,
			Validator: validStrategy, Doc: strategyDoc + " Used for values.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigConnectMetaData, Type: connect.ConfigBoolean, Default: true, Importance: connect.Low,
			Doc: "Keep Connect schema names, versions, docs, parameters and defaults in connect.* properties of Avro schemas.",
		}).
		Define(connect.ConfigKey{
			Name: ConfigEnhancedSchemaSupport, Type: connect.ConfigBoolean, Default: false, Importance: connect.Low,
			Doc: "Write Connect strings that came from Avro enums back as enums, and name union branches by full name.",
		})
}

// Configure reads Confluent's converter settings; it makes no registry request.
func (c *Converter) Configure(config map[string]string, isKey bool) error {
	cfg, err := converterConfigDef().Parse(config)
	if err != nil {
		return fmt.Errorf("%s: %w", ConverterClass, err)
	}
	userInfo := cfg.Password(ConfigUserInfo).Value()
	if userInfo == "" {
		userInfo = cfg.Password(ConfigRegistryUserInfo).Value()
	}
	opts := avro.Options{
		ConnectMetaData:       cfg.Bool(ConfigConnectMetaData),
		EnhancedSchemaSupport: cfg.Bool(ConfigEnhancedSchemaSupport),
	}
	ttl := time.Duration(-1)
	if sec := cfg.Long(ConfigLatestCacheTTL); sec >= 0 {
		ttl = time.Duration(sec) * time.Second
	}
	reg, err := NewRegistry(RegistryConfig{
		URLs:              cfg.List(ConfigURL),
		CredentialsSource: cfg.String(ConfigCredentialsSource),
		UserInfo:          userInfo,
		Options:           opts,
		LatestTTL:         ttl,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", ConverterClass, err)
	}
	strategyKey := ConfigValueSubjectStrategy
	if isKey {
		strategyKey = ConfigKeySubjectStrategy
	}
	if c.strategy, err = LookupSubjectNameStrategy(cfg.String(strategyKey)); err != nil {
		return fmt.Errorf("%s: %s: %w", ConverterClass, strategyKey, err)
	}
	c.isKey = isKey
	c.sd = newSerde(reg, opts, cfg.Bool(ConfigAutoRegister), cfg.Bool(ConfigUseLatestVersion))
	return nil
}

// FromConnectData writes a value in Confluent's wire format. A null value is a null message
// (a tombstone), whatever its schema, as in Confluent's converter.
func (c *Converter) FromConnectData(topic string, _ *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if c.sd == nil {
		return nil, errors.New(ConverterClass + " is not configured")
	}
	as, err := c.sd.schemaOf(nil, schema, "a Connect schema (the AvroConverter writes schemaless values only with one)")
	if err != nil {
		return nil, connect.NewDataError("topic "+topic+": "+ConverterClass, err)
	}
	t, err := c.sd.target(targetKey{topic, as}, func() (string, error) { return c.strategy(topic, c.isKey, as) })
	if err != nil {
		return nil, c.wrap(topic, err)
	}
	b, err := c.sd.encode(t, value)
	if err != nil {
		return nil, connect.NewDataError(fmt.Sprintf("topic %s: %s: subject %q", topic, ConverterClass, t.subject), err)
	}
	return b, nil
}

// ToConnectData reads a wire-format message with its writer schema.
func (c *Converter) ToConnectData(topic string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{}, nil
	}
	if c.sd == nil {
		return connect.SchemaAndValue{}, errors.New(ConverterClass + " is not configured")
	}
	s, v, err := c.sd.decode(data)
	if err != nil {
		return connect.SchemaAndValue{}, c.wrap(topic, err)
	}
	return connect.SchemaAndValue{Schema: s.ConnectSchema(), Value: v}, nil
}

// wrap marks bad data as a DataError, which the runtime's error tolerance may skip; a
// registry failure is not bad data and keeps its own type (and retriability).
func (c *Converter) wrap(topic string, err error) error {
	var re *RegistryError
	if errors.As(err, &re) {
		return fmt.Errorf("topic %s: %s: %w", topic, ConverterClass, err)
	}
	return connect.NewDataError("topic "+topic+": "+ConverterClass, err)
}
