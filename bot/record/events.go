package record

import (
	"bytes"
	"encoding/json"
)

// eventDetail is an event's stored detail as it goes into the JSON export: the
// stored text exactly (it is compact JSON, which the export's indentation
// re-indents and json.Compact gives back), null for none. A detail that is not
// JSON is exported as a JSON string, so that the file stays valid and the
// event's hash fails rather than the export.
func eventDetail(stored string) json.RawMessage {
	if stored == "" {
		return json.RawMessage("null")
	}
	if json.Valid([]byte(stored)) {
		return json.RawMessage(stored)
	}
	quoted, _ := json.Marshal(stored)
	return quoted
}

// StoredDetail is the stored text of an exported event's detail, as its hash
// covers it: the compact JSON, "" for null. It undoes eventDetail for a
// document read back from a file.
func StoredDetail(d json.RawMessage) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, d); err != nil {
		return "", err
	}
	if b.String() == "null" {
		return "", nil
	}
	return b.String(), nil
}
