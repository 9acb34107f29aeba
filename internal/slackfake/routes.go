package slackfake

import "net/http"

// routes lists every HTTP endpoint of the fake.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)                       // the Web API, see apiMethods
	mux.HandleFunc("POST /upload/v1/{id}", s.serveUpload)     // files.getUploadURLExternal's upload_url
	mux.HandleFunc("POST /response/{id}", s.serveResponseURL) // response_url of commands and actions
	mux.HandleFunc("GET /link/", s.serveSocket)               // Socket Mode websocket
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "not found", 404) })
	return mux
}

// tokenKind is the kind of token a Web API method takes.
type tokenKind int

const (
	botToken tokenKind = iota // xoxb-…
	appToken                  // xapp-…, app-level
)

type apiMethod struct {
	token  tokenKind
	handle func(*Server, *request) (map[string]any, error)
}

// apiMethods lists every Web API method the fake answers. Anything else is unknown_method.
var apiMethods = map[string]apiMethod{
	"auth.test":                    {botToken, (*Server).authTest},
	"apps.connections.open":        {appToken, (*Server).appsConnectionsOpen},
	"conversations.create":         {botToken, (*Server).conversationsCreate},
	"conversations.setTopic":       {botToken, (*Server).conversationsSetTopic},
	"conversations.invite":         {botToken, (*Server).conversationsInvite},
	"conversations.info":           {botToken, (*Server).conversationsInfo},
	"conversations.list":           {botToken, (*Server).conversationsList},
	"conversations.history":        {botToken, (*Server).conversationsHistory},
	"conversations.members":        {botToken, (*Server).conversationsMembers},
	"conversations.open":           {botToken, (*Server).conversationsOpen},
	"conversations.kick":           {botToken, (*Server).conversationsKick},
	"conversations.archive":        {botToken, (*Server).conversationsArchive},
	"chat.postMessage":             {botToken, (*Server).chatPostMessage},
	"chat.update":                  {botToken, (*Server).chatUpdate},
	"chat.postEphemeral":           {botToken, (*Server).chatPostEphemeral},
	"chat.getPermalink":            {botToken, (*Server).chatGetPermalink},
	"views.open":                   {botToken, (*Server).viewsOpen},
	"views.push":                   {botToken, (*Server).viewsPush},
	"views.update":                 {botToken, (*Server).viewsUpdate},
	"views.publish":                {botToken, (*Server).viewsPublish},
	"usergroups.list":              {botToken, (*Server).usergroupsList},
	"usergroups.users.list":        {botToken, (*Server).usergroupsUsersList},
	"users.info":                   {botToken, (*Server).usersInfo},
	"files.getUploadURLExternal":   {botToken, (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {botToken, (*Server).filesCompleteUploadExternal},
}
