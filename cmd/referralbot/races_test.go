package main

import (
	"strings"
	"sync"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// TestConcurrentPresses: 50 presses of the same button at once leave what one
// clean press would: one position version, one update of the ask message.
func TestConcurrentPresses(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z111111")
	ts := h.askMessage(r, "army").TS
	before := h.askMessage(r, "army").Updates
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if ack, err := h.Fake.ClickButton(h.tr, reviewer("army", 1), r.ChannelID, ts, "answer_approve"); err != nil || ack.Status != 200 {
				t.Errorf("press: %d %v", ack.Status, err)
			}
		})
	}
	wg.Wait()
	h.drain()
	history, _ := h.App.DB.Positions(h.ctx, h.ask(r, "army").ID)
	if len(history) != 1 {
		t.Errorf("versions = %d; want 1", len(history))
	}
	if got := h.askMessage(r, "army").Updates - before; got != 1 {
		t.Errorf("ask message updated %d times; want 1", got)
	}
	if got := h.ephemeralsTo(r.ChannelID, reviewer("army", 1)); len(got) != 0 {
		t.Errorf("the presser was told %q; a double click is not an error", got)
	}
	if n := h.count(`SELECT COUNT(*) FROM events WHERE kind = 'position.recorded'`); n != 1 {
		t.Errorf("position.recorded events = %d; want 1", n)
	}
}

// TestTwoReviewersAtOnce: two people answer for one office at the same instant from
// the same message. The first to commit wins; the other is told, and nothing of
// theirs is recorded.
func TestTwoReviewersAtOnce(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z222222")
	ts := h.askMessage(r, "navy").TS
	people := []string{reviewer("navy", 1), reviewer("navy", 2)}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, who := range people {
		wg.Go(func() {
			<-start
			if _, err := h.Fake.ClickButton(h.tr, who, r.ChannelID, ts, "answer_approve"); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	h.drain()
	history, _ := h.App.DB.Positions(h.ctx, h.ask(r, "navy").ID)
	if len(history) != 1 {
		t.Fatalf("versions = %d; want 1 (the winner's)", len(history))
	}
	winner := history[0].AnsweredBy
	loser := people[0]
	if loser == winner {
		loser = people[1]
	}
	told := h.ephemeralsTo(r.ChannelID, loser)
	if len(told) != 1 || !strings.Contains(told[0], "Meanwhile <@"+winner+"> recorded") {
		t.Errorf("the loser %s was told %q; want who answered meanwhile", loser, told)
	}
	if got := h.ephemeralsTo(r.ChannelID, winner); len(got) != 0 {
		t.Errorf("the winner was told %q", got)
	}

	// Pressing on the refreshed message works: the loser sees the winner's answer and may change it.
	h.click(loser, r.ChannelID, h.askMessage(r, "navy").TS, "answer_rwa")
	v := h.lastView(loser, bot.CallbackPosition)
	h.submit(loser, v.ID, slackfake.Input{BlockID: bot.FieldQuestions, Value: "Which consignee?"})
	history, _ = h.App.DB.Positions(h.ctx, h.ask(r, "navy").ID)
	if len(history) != 2 || history[1].AnsweredBy != loser {
		t.Errorf("after answering on the fresh message: %d versions", len(history))
	}
}

// TestViewSubmittedTwice: the same modal submission delivered twice (a retry, or two
// deliveries racing) records one position.
func TestViewSubmittedTwice(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z333333")
	who := reviewer("policy", 1)
	h.click(who, r.ChannelID, h.askMessage(r, "policy").TS, "answer_deny")
	v := h.lastView(who, bot.CallbackPosition)
	h.submit(who, v.ID, slackfake.Input{BlockID: bot.FieldReasons, Value: "Diversion risk."}, slackfake.Input{BlockID: bot.FieldBasis, Value: "15 CFR 744.21; 50 U.S.C. 4813"})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if ack, err := h.tr.replay(h.ctx); err != nil || ack.Status != 200 {
				t.Errorf("replay: %d %v", ack.Status, err)
			}
		})
	}
	wg.Wait()
	h.drain()
	history, _ := h.App.DB.Positions(h.ctx, h.ask(r, "policy").ID)
	if len(history) != 1 {
		t.Errorf("versions = %d; want 1", len(history))
	}
}
