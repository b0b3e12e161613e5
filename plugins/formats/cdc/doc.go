// Package cdc is the change-row model the CDC formats (debezium-json, canal-json, maxwell-json)
// share, so that any of them re-encodes what another decoded:
//
//   - Parser, an order-preserving JSON parser that keeps number literals and lets an envelope
//     decoder parse the members it needs in one pass;
//   - Inferrer, which types schemaless rows from their JSON values (one schema per message,
//     cached so that messages of a table share it), numbers with a fraction as exact Decimals
//     unless `<format>.infer-schema.exact-decimal` is false;
//   - the reading of Debezium's logical types (Temporal, DecimalOf) and the text and JSON forms
//     the formats write (AppendText for Canal, AppendJSON for Maxwell and schemaless Debezium);
//   - Events, which pairs UpdateBefore/UpdateAfter rows into updates (a lone UpdateAfter is an
//     update without its before image) and sets apart DDL rows (IsDDL, MarkDDL: an empty
//     statement is still DDL) and tombstones (rows without a value), and ProcessedAt, the
//     producer's processing time as opposed to Row.Timestamp, the event's;
//   - Converter, the Connect converter face: a change event as a Debezium-style envelope struct.
package cdc
