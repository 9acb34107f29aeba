package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// files.getUploadURLExternal: step one of an upload, which slack-go's UploadFileContext
// follows with a POST of the content to upload_url and files.completeUploadExternal.
func (s *Server) filesGetUploadURLExternal(req *request) (map[string]any, error) {
	name := req.str("filename")
	length, err := strconv.Atoi(req.str("length"))
	if name == "" || err != nil || length <= 0 {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] filename and length are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &File{ID: s.newID("F"), Name: name, Title: name, Length: length, Created: s.now()}
	s.st.files[f.ID] = f
	s.st.fileIDs = append(s.st.fileIDs, f.ID)
	return map[string]any{"upload_url": s.URL() + "/upload/v1/" + f.ID, "file_id": f.ID}, nil
}

// serveUpload receives the content at upload_url, as multipart (slack-go's field
// "file") or as a raw body.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	var content []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		file, _, ferr := r.FormFile("file")
		if ferr != nil {
			http.Error(w, "no file", http.StatusBadRequest)
			return
		}
		defer file.Close()
		content, err = io.ReadAll(file)
	} else {
		content, err = io.ReadAll(r.Body)
	}
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files[r.PathValue("id")]
	if f == nil || f.Completed {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	f.Content, f.Uploaded = content, true
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", len(content))
}

// files.completeUploadExternal: shares uploaded files to a channel (channel_id or
// channels), with an optional initial_comment and thread_ts.
func (s *Server) filesCompleteUploadExternal(req *request) (map[string]any, error) {
	raw, _ := req.raw("files")
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(raw, &summaries); err != nil || len(summaries) == 0 {
		return nil, apiErrMessages("invalid_arguments", "[ERROR] files must be a JSON array of {id, title}")
	}
	var targets []string
	for _, c := range append([]string{req.str("channel_id")}, strings.Split(req.str("channels"), ",")...) {
		if c = strings.TrimSpace(c); c != "" {
			targets = append(targets, c)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var channels []string
	for _, id := range targets {
		c, err := s.postTarget(id)
		if err != nil {
			return nil, err
		}
		channels = append(channels, c.ID)
	}
	files := make([]*File, len(summaries))
	for i, sum := range summaries {
		f := s.st.files[sum.ID]
		if f == nil || !f.Uploaded || f.Completed {
			return nil, apiErr("file_not_found")
		}
		files[i] = f
	}
	out := make([]map[string]any, len(files))
	for i, f := range files {
		if summaries[i].Title != "" {
			f.Title = summaries[i].Title
		}
		f.Completed, f.Channels = true, slices.Clone(channels)
		f.InitialComment, f.ThreadTS = req.str("initial_comment"), req.str("thread_ts")
		out[i] = map[string]any{"id": f.ID, "title": f.Title}
	}
	return map[string]any{"files": out}, nil
}
