package slackfake

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// conversationsHistory lists a channel's messages newest first, without thread
// replies, with metadata only when include_all_metadata is set, as Slack does.
func (s *Server) conversationsHistory(req *request) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.memberChannel(req.str("channel"))
	if err != nil {
		return nil, err
	}
	oldest, latest := tsMicros(req.str("oldest")), tsMicros(req.str("latest"))
	inclusive := req.flag("inclusive")
	withMetadata := req.flag("include_all_metadata")
	msgs := s.st.messages[c.ID]
	var listed []map[string]any
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			continue
		}
		t := tsMicros(m.TS)
		if latest > 0 && (t > latest || t == latest && !inclusive) {
			continue
		}
		if oldest > 0 && (t < oldest || t == oldest && !inclusive) {
			continue
		}
		listed = append(listed, s.messageJSON(m, withMetadata))
	}
	page, next, err := paginate(listed, req, 100, 999)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"messages": page, "has_more": next != "", "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}

// paginate cuts one page out of items by the cursor and limit parameters. Cursors are
// opaque to clients, like Slack's; an unreadable one is invalid_cursor.
func paginate[T any](items []T, req *request, def, maxLimit int) ([]T, string, error) {
	start := 0
	if cur := req.str("cursor"); cur != "" {
		n, ok := decodeCursor(cur)
		if !ok || n > len(items) {
			return nil, "", apiErr("invalid_cursor")
		}
		start = n
	}
	end := min(start+limitParam(req, def, maxLimit), len(items))
	next := ""
	if end < len(items) {
		next = base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "next:%d", end))
	}
	page := items[start:end]
	if page == nil {
		page = []T{}
	}
	return page, next, nil
}

func decodeCursor(cur string) (int, bool) {
	raw, err := base64.StdEncoding.DecodeString(cur)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "next:"))
	return n, err == nil && n >= 0 && strings.HasPrefix(string(raw), "next:")
}

// tsMicros reads a message timestamp such as "1700000000.000100" as microseconds;
// an empty or unreadable one is 0.
func tsMicros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0
	}
	frac = (frac + "000000")[:6]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0
	}
	return s*1e6 + f
}
