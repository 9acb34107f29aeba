package slackapi

// RequiredScopes lists the bot token scopes the methods in this package need; the
// app manifest (manifests/slack-app.yaml) must grant each of them.
var RequiredScopes = map[string]string{
	"commands":         "the /referral slash command",
	"chat:write":       "chat.postMessage, chat.update, chat.postEphemeral",
	"groups:write":     "conversations.create (private), conversations.invite, conversations.setTopic, conversations.kick, conversations.archive",
	"channels:read":    "conversations.info of a public office queue channel (is the bot a member?)",
	"channels:history": "conversations.history of a public office queue channel (FindMessage of a digest)",
	"groups:read":      "conversations.list of private channels (FindOwnChannel)",
	"groups:history":   "conversations.history (FindMessage)",
	"usergroups:read":  "usergroups.users.list (office rosters); the subteam_members_changed event",
	"im:write":         "conversations.open (escalations to the analyst by direct message)",
	"im:history":       "conversations.history of that direct message (FindMessage after a crash)",
	"files:write":      "files.getUploadURLExternal, files.completeUploadExternal (/referral export)",
}
