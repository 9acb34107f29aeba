package slackfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// request is one Web API call: form fields (query string and urlencoded body) or a
// JSON body, whichever the client sent.
type request struct {
	form  url.Values
	body  map[string]json.RawMessage
	token string
}

// readRequest parses a Web API request the way Slack accepts them.
func readRequest(r *http.Request) (*request, map[string]any, error) {
	req := &request{form: url.Values{}}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var decoded map[string]any
	if ctype == "application/json" {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return req, nil, err
		}
		req.form = r.URL.Query()
		if len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, &req.body); err != nil {
				return req, nil, apiErr("invalid_json")
			}
			_ = json.Unmarshal(raw, &decoded)
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return req, nil, apiErr("invalid_form_data")
		}
		req.form = r.Form
	}
	req.token = req.str("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		req.token = bearer
	}
	return req, decoded, nil
}

// str is a parameter as a string: a form field, or a JSON body field (strings unquoted,
// numbers and booleans as written).
func (r *request) str(name string) string {
	if v, ok := r.body[name]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		if string(v) == "null" {
			return ""
		}
		return string(v)
	}
	return r.form.Get(name)
}

// has reports whether the parameter was sent at all.
func (r *request) has(name string) bool {
	_, ok := r.body[name]
	return ok || r.form.Has(name)
}

// raw is a JSON-valued parameter: a JSON object in the body, or a JSON-encoded string
// in a form field or body field (Slack accepts both).
func (r *request) raw(name string) ([]byte, bool) {
	if v, ok := r.body[name]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return []byte(s), true
		}
		return v, true
	}
	if r.form.Has(name) {
		return []byte(r.form.Get(name)), true
	}
	return nil, false
}

// flag is a boolean parameter: "true" or "1".
func (r *request) flag(name string) bool {
	v := r.str(name)
	return v == "true" || v == "1"
}

// apiError is a Web API error answer: {"ok":false,"error":Code, …Extra}.
type apiError struct {
	Code  string
	Extra map[string]any
}

func (e *apiError) Error() string { return e.Code }

func apiErr(code string) error { return &apiError{Code: code} }

// apiErrMessages is an error carrying Slack's explanation in response_metadata.messages.
func apiErrMessages(code string, messages ...string) error {
	return &apiError{Code: code, Extra: map[string]any{
		"response_metadata": map[string]any{"messages": messages},
	}}
}

// reply is what the fake answers to one call.
type reply struct {
	status     int
	retryAfter string
	body       map[string]any
	code       string // the error code, "" when ok
}

func success(body map[string]any) reply {
	body["ok"] = true
	return reply{status: http.StatusOK, body: body}
}

func failure(err error) reply {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Code: "fatal_error"}
	}
	body := map[string]any{"ok": false, "error": ae.Code}
	for k, v := range ae.Extra {
		body[k] = v
	}
	return reply{status: http.StatusOK, body: body, code: ae.Code}
}

func (rep reply) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(rep.body)
}

// serveAPI answers /api/{method}: parse, delay, answer, record.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	req, decoded, err := readRequest(r)
	call := Call{Method: name, Params: req.form, JSON: decoded, At: s.now()}
	if !s.delay(r.Context(), name) {
		return // the client gave up waiting
	}
	var rep reply
	if err != nil {
		rep = failure(err)
	} else {
		rep = s.answer(name, req)
	}
	call.Error = rep.code
	s.record(call)
	rep.write(w)
}

// answer runs one call through the checks Slack makes, in Slack's order.
func (s *Server) answer(name string, req *request) reply {
	m, ok := apiMethods[name]
	if !ok {
		return failure(apiErr("unknown_method"))
	}
	if err := s.authenticate(req.token, m.token); err != nil {
		return failure(err)
	}
	if code := s.refusedBotToken(); code != "" && m.token == botToken {
		return failure(apiErr(code))
	}
	if rep, ok := s.injected(name); ok {
		return rep
	}
	body, err := m.handle(s, req)
	if err != nil {
		return failure(err)
	}
	return success(body)
}

// limitParam reads a page size: def when absent, capped at maxLimit.
func limitParam(req *request, def, maxLimit int) int {
	n, err := strconv.Atoi(req.str("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, maxLimit)
}
