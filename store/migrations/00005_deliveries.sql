-- +goose Up
-- Events API deliveries already handled, by Slack's event_id: Slack retries an event
-- it thinks was not acknowledged, and Socket Mode may redeliver; each is handled once.
CREATE TABLE deliveries (
	event_id    TEXT PRIMARY KEY,
	received_at TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE deliveries;
