package bot

// AskStanding is what can change about an ask between a press's read of it and the
// press's transaction, and what the transaction decides with: a recommendation
// recorded, the ask withdrawn, closed or answered meanwhile, and whether the
// offices' clock must stop or restart (syncQuestionsHold's rule).
type AskStanding struct {
	ReferralState ReferralState
	AskState      AskState
	// Version is the version of the ask's current position, 0 for none.
	Version int
	// Held is set while the offices' clock is stopped (the referral's HeldSince).
	Held bool
	// ManualHold is set when the analyst stopped it (/referral hold).
	ManualHold bool
	// QuestionsElsewhere is set when another ask of the referral has its office's
	// questions out (QuestionsOut).
	QuestionsElsewhere bool
}
