package handlers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/importfile"
)

// MaxImportBody caps the body of an import request (about two thousand referrals).
const MaxImportBody = 1 << 20

// importResponse is the JSON every answer of the import API carries: results when
// the import ran, problems when it was refused, error saying what went wrong.
type importResponse struct {
	Error    string              `json:"error,omitempty"`
	Results  []bot.ImportResult  `json:"results,omitempty"`
	Problems []bot.ImportProblem `json:"problems,omitempty"`
}

// ImportAPI serves POST /api/referrals: the referrals of an import file in the JSON
// format (docs/IMPORT.md), authorized by "Authorization: Bearer <token>". Every row
// is checked before any is opened; a bad row refuses the whole import with 422 and
// every problem. "?dry_run=true" checks without writing. With an empty token the API
// is disabled and answers 404.
func ImportAPI(svc *bot.Service, token string, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Comparing digests keeps the comparison constant-time in the token's length too.
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			writeImport(w, http.StatusNotFound, importResponse{Error: "import API disabled"})
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeImport(w, http.StatusMethodNotAllowed, importResponse{Error: "use POST"})
			return
		}
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="referralbot"`)
			writeImport(w, http.StatusUnauthorized, importResponse{Error: "missing or wrong bearer token"})
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != jsonType {
			writeImport(w, http.StatusUnsupportedMediaType, importResponse{Error: "Content-Type must be " + jsonType})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeImport(w, http.StatusRequestEntityTooLarge, importResponse{Error: "request body over 1 MiB; split the import"})
			return
		}
		if err != nil {
			writeImport(w, http.StatusBadRequest, importResponse{Error: "could not read the request body"})
			return
		}

		var results []bot.ImportResult
		rows, err := importfile.Parse(body, importfile.JSON)
		if err == nil {
			if r.URL.Query().Get("dry_run") == "true" {
				results, err = svc.CheckImport(r.Context(), rows)
			} else {
				// Once checked, the import runs to the end even if the client goes away,
				// so that it is not cut short between two rows.
				results, err = svc.Import(context.WithoutCancel(r.Context()), rows)
			}
		}
		var refused *bot.ImportError
		switch {
		case errors.As(err, &refused):
			status := http.StatusUnprocessableEntity // good JSON, bad rows
			for _, p := range refused.Problems {
				if p.Row == 0 {
					status = http.StatusBadRequest // the body as a whole is unreadable
				}
			}
			log.Info("import refused", "problems", len(refused.Problems))
			writeImport(w, status, importResponse{Error: fmt.Sprintf("nothing imported: %d problem(s)", len(refused.Problems)), Problems: refused.Problems})
		case err != nil:
			log.Error("import", "err", err)
			writeImport(w, http.StatusInternalServerError, importResponse{
				Error: "some referrals were not written; see each row's status and send the same import again", Results: results})
		default:
			counts := map[bot.ImportStatus]int{}
			for _, res := range results {
				counts[res.Status]++
			}
			log.Info("import", "rows", len(results), "opened", counts[bot.ImportOpened], "unchanged", counts[bot.ImportUnchanged],
				"dry_run", counts[bot.ImportWouldOpen] > 0)
			writeImport(w, http.StatusOK, importResponse{Results: results})
		}
	})
}

func writeImport(w http.ResponseWriter, status int, body importResponse) {
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
