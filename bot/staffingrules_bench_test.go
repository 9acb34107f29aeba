package bot_test

import (
	"testing"

	"github.com/referralbot/referralbot/bot"
)

// BenchmarkStaffingRules times the rule evaluation behind the New referral form's
// suggestion and an import row without offices: the shipped example rules against
// a mix of ECCNs and USML items, agencies, destinations and values (issue 12).
func BenchmarkStaffingRules(b *testing.B) {
	roster := &bot.Roster{Offices: bot.DefaultOffices()}
	rules, err := bot.LoadStaffingRules("../testdata/staffing-rules.example.yaml", roster)
	if err != nil {
		b.Fatal(err)
	}
	facts := []bot.StaffingFacts{
		{Agency: bot.AgencyCommerce, Classification: "6A003.b.4", Destination: "DE", ValueUSD: 120_000},
		{Agency: bot.AgencyState, Classification: "XI(a)(3)", Destination: "JP", ValueUSD: 48_000_000},
		{Agency: bot.AgencyCommerce, Classification: "5A002.a", Destination: "IN", ValueUSD: 900_000},
		{Agency: bot.AgencyState, Classification: "VIII(h)(1)", Destination: "AU", ValueUSD: 3_500_000},
		{Agency: bot.AgencyCommerce, Classification: "EAR99", Destination: "MX", ValueUSD: 10_000},
	}
	suggested := 0
	for i := 0; b.Loop(); i++ {
		suggested += len(rules.Suggest(roster, facts[i%len(facts)]))
	}
	if suggested == 0 {
		b.Fatal("the example rules suggested no office for any referral")
	}
}
