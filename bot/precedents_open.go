package bot

import "context"

// tellPrecedents shows the analyst, in the new referral's channel and to them
// alone, DoD's earlier recommendations that match it: the moment they matter is
// when the referral opens. Ephemeral, because the channel's other members (the
// offices' reviewers) may see only their own offices' earlier asks; and only when
// something matched, to keep the noise down. Best effort: /referral precedents
// shows the same panel at any time.
func (s *Service) tellPrecedents(ctx context.Context, r *Referral) {
	if r.AnalystID == "" || r.ChannelID == "" {
		return
	}
	p, err := LoadPrecedents(ctx, s.store, r, nil)
	if err != nil {
		s.log.Warn("precedents for the analyst", "referral", r.ID, "err", err)
		return
	}
	if !p.Any() {
		return
	}
	if err := s.slack.PostEphemeral(ctx, r.ChannelID, r.AnalystID, Message{Text: "Precedents for " + r.CaseNumber, Blocks: PrecedentBlocks(p)}); err != nil {
		s.log.Warn("precedents for the analyst", "referral", r.ID, "err", err)
	}
}
