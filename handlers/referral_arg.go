package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// about describes a subcommand that acts on one referral: in the referral's
// channel it needs no case number; anywhere, a case number first names the
// referral (/referral status Z123456, /referral recommend commerce:Z123456).
type about struct {
	// verb completes "Only licensing analysts can … a referral from outside its channel."
	verb string
	// words is set when the subcommand takes free words after the case (an office,
	// a reason, a person): a first word that names no referral is then one of
	// them, and the channel's referral is meant.
	words bool
	// supervisors is set when the roster's supervisors, as analysts, may name the
	// referral from anywhere (reassign, from their view of every analyst's work).
	supervisors bool
}

// referralKey carries the referral a command named by its case number to the
// handler, which finds it with referralHere as it finds the channel's.
type referralKey struct{}

// caseWord is the alphabet and length of a case number (DOMAIN.md: State's format
// is unconfirmed, [A-Z0-9-]{4,20}; Commerce's a letter and six digits).
var caseWord = regexp.MustCompile(`^[A-Za-z0-9-]{4,20}$`)

// looksLikeCase reports whether a command argument is meant as a case number:
// agency:CASE, or a word of caseWord with a digit in it (office codes, outcomes
// and export formats have none) that is not a date.
func looksLikeCase(arg string) bool {
	if agency, _, ok := strings.Cut(arg, ":"); ok {
		a := bot.Agency(strings.ToLower(agency))
		return a == bot.AgencyState || a == bot.AgencyCommerce
	}
	if !caseWord.MatchString(arg) || !strings.ContainsAny(arg, "0123456789") {
		return false
	}
	_, err := bot.ParseDate(arg)
	return err != nil
}

// onReferral wraps a subcommand about one referral (see about). A case number
// given first is looked up and handed on through the context; otherwise the
// handler falls back on the channel (referralHere). People who are not analysts
// may name only the referral of the channel they are in, and are told the same
// whether or not another case exists, so that nobody probes for case numbers.
func (r *Router) onReferral(a about, next CommandFunc) CommandFunc {
	return func(ctx context.Context, cmd slack.SlashCommand, args []string) any {
		if len(args) > 0 && looksLikeCase(args[0]) {
			ref, refusal := r.namedReferral(ctx, cmd, args[0], a)
			if refusal != "" {
				return ephemeral(refusal)
			}
			if ref != nil {
				args = args[1:]
				if !a.words {
					for _, rest := range args {
						if looksLikeCase(rest) {
							return ephemeral(fmt.Sprintf("Give one case number: %s is named already, so %q is one too many.", ref.CaseNumber, rest))
						}
					}
				}
				ctx = context.WithValue(ctx, referralKey{}, ref)
			}
		}
		return next(ctx, cmd, args)
	}
}

// namedReferral finds the referral a case number names. It returns nil and no
// refusal when the word is better read as an argument of the subcommand, in a
// referral channel, for the channel's referral.
func (r *Router) namedReferral(ctx context.Context, cmd slack.SlashCommand, spec string, a about) (*bot.Referral, string) {
	analyst := r.svc.IsAnalyst(cmd.UserID)
	who := "licensing analysts"
	if a.supervisors && !analyst {
		who = "licensing analysts and supervisors"
		// Fails closed: a supervisors' group that cannot be read names nobody.
		analyst, _ = r.svc.IsSupervisor(ctx, cmd.UserID)
	}
	ref, err := r.svc.FindReferral(ctx, spec)
	switch code := bot.ErrorCode(err); {
	case err == nil && (analyst || ref.InChannel(cmd.ChannelID)):
		return ref, ""
	case err != nil && code != bot.ENOTFOUND && code != bot.EINVALID:
		return nil, r.failure(err, "find referral")
	}
	if a.words {
		if _, herr := r.svc.ReferralByChannel(ctx, cmd.ChannelID); herr == nil {
			return nil, "" // a word for the channel's referral, not a case number
		}
	}
	if !analyst {
		return nil, fmt.Sprintf("Only %s can %s a referral from outside its channel. In the referral's channel, `%s` needs no case number.",
			who, a.verb, r.command+" "+strings.Fields(cmd.Text)[0])
	}
	return nil, bot.ErrorMessage(err)
}
