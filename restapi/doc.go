// Package restapi serves the Kafka Connect REST API over a narrow Herder
// interface.
//
// The package owns its contract: it declares the JSON entities (with Kafka's
// field names) and the Herder interface it consumes; the runtime implements
// Herder. It knows nothing of Raft or of the plugin API. Build the handler
// with NewHandler and mount it on an http.Server; this package never listens.
//
// Paths, JSON field names, status codes and error bodies
// ({"error_code":N,"message":"..."}) follow Apache Kafka Connect (see
// connect-rest-spec.md §0–§3), so existing clients, CLIs and UIs work
// unchanged. Served: spec §1.1 rows 1–26. The logger endpoints (27–29) and
// the internal endpoints (30–31) are not served yet: their paths answer 404
// like any unknown path (or 405 for POST /connectors/{c}/tasks, whose path is
// shared with GET).
//
// # Behaviour worth knowing
//
//   - Errors: a Herder returns *Error (also wrapped; errors.As is used) to set
//     the status; any other error is a 500 with err.Error() as the message.
//     The REST layer's own errors use Jersey's texts: "HTTP 404 Not Found",
//     "HTTP 405 Method Not Allowed", "HTTP 415 Unsupported Media Type".
//   - Timeouts: each herder call gets a context that expires after
//     Options.RequestTimeout (90 s). If the herder has not answered shortly
//     after that, the client gets 500 "Request timed out" even if the herder
//     ignores its context. GET /connectors?expand=... shares one deadline
//     across all its lookups. GET /health uses Options.HealthCheckTimeout
//     (10 s) and answers 500 "unhealthy" itself if Health does not return.
//   - Request bodies are decoded strictly and in document order, like
//     Jackson: configuration values may be strings, numbers or booleans
//     (numbers and booleans become their JSON text, "tasks.max": 1 → "1") or
//     null; nested objects/arrays, unknown fields of CreateConnectorRequest
//     and ConnectorOffsets, malformed JSON, an empty body, trailing data after
//     the JSON value and invalid UTF-8 are answered with 500 (Kafka's status
//     for deserialization failures) and a message naming the problem and its
//     byte offset. Field names are case-sensitive.
//   - Null configuration values on POST /connectors and PUT
//     /connectors/{c}/config: Kafka's validation reports "Null value can not
//     be supplied as the configuration value." for each such key, among all
//     other validation errors. Because PutConnectorConfig takes a
//     map[string]string, restapi asks ValidateConfig to validate the rest of
//     the config, adds the null-value errors itself and answers 400 with
//     Kafka's "Connector configuration is invalid and contains the following
//     N error(s): ..." message (see ConfigValidationError). The validate
//     endpoint likewise merges those errors into the ConfigInfos it returns.
//     In PATCH bodies null means "delete this key" and is passed through.
//   - Before calling the herder, config writes check, in Kafka's order: the
//     "name" property must equal the connector name (400), and is set to it
//     when absent or null; connector.class must be present (400 "Connector
//     config {...} contains no connector type", the map rendered like Java's
//     Map.toString in document order).
//   - Connector names may contain any character. Paths are matched escaped,
//     so /connectors/a%2Fb addresses "a/b"; Location headers escape the name
//     as one path segment (Jersey would leave "/" unescaped, producing a URL
//     that does not route back) and are absolute, built from the request's
//     Host.
//   - A single trailing slash is ignored on every path (Jersey does the same;
//     the system tests use GET /connector-plugins/). Non-canonical paths such
//     as /connectors//config are 404, never redirected.
//   - Endpoints that take a JSON body answer 415 "HTTP 415 Unsupported Media
//     Type" unless the request says Content-Type: application/json (any
//     parameters, e.g. charset=utf-8; application/* and */* also match, as in
//     Jersey). A request without Content-Type is refused too, as Jersey does:
//     a web page can send text/plain, form encodings or nothing without the
//     browser asking the worker first, so none of them may change anything
//     (curl needs -H 'Content-Type: application/json').
//   - Browser requests from other sites are refused: a request whose Origin
//     (scheme://host:port) is not the worker's own (the request's Host) is
//     answered 403 unless Options.AllowOrigin (access.control.allow.origin:
//     "*" or comma-separated origins, '*' as a wildcard) allows it; so is a
//     request without Origin whose Sec-Fetch-Site says another site's page
//     sent it (following a link with GET still works). Allowed cross-origin
//     requests get Jetty CrossOriginFilter's answers, as in Kafka:
//     Access-Control-Allow-Origin (the request's Origin),
//     Access-Control-Allow-Credentials, Vary: Origin, and for preflight
//     OPTIONS Access-Control-Allow-Methods (Options.AllowMethods, default
//     GET,POST,HEAD), -Allow-Headers and -Max-Age (1800); methods outside
//     AllowMethods are refused with 403. Requests without Origin (curl, Go
//     and Java clients, other workers) are unaffected. Behind a TLS proxy,
//     https://host differs from the http://host the worker sees: list it in
//     access.control.allow.origin.
//   - A request body not received within the server's read timeout is
//     answered 408.
//   - Every response has Content-Type: application/json except the bodiless
//     202/204 answers and OPTIONS, which, like Jersey, answers 200 text/plain
//     listing the allowed methods (also in the Allow header). HEAD is served
//     wherever GET is. Output is not HTML-escaped (Jackson does not escape
//     <, > or & either).
//   - Query booleans (restart's includeTasks/onlyFailed, connectorsOnly)
//     follow JAX-RS: absent or empty means the default, "true" in any case
//     is true, anything else is false.
//   - A task id that is not a 32-bit integer is answered 404 "HTTP 404 Not
//     Found", as Jersey does for an unconvertible path parameter.
package restapi
