package bot_test

import (
	"testing"

	"github.com/referralbot/referralbot/bot"
)

func TestNameKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Acme Inc.", "acme"},
		{"ACME, INC", "acme"},
		{"acme incorporated", "acme"},
		{"Acme LLC", "acme"},
		{"Acme L.L.C.", "acme"},
		{"Acme Corp.", "acme"},
		{"Acme Corporation", "acme"},
		{"Acme Ltd", "acme"},
		{"Acme Limited", "acme"},
		{"The Acme Company", "acme"},
		{"Acme Co., Ltd.", "acme"},
		{"Thales Deutschland GmbH & Co. KG", "thales deutschland"},
		{"Indra Sistemas, S.A.", "indra sistemas"},
		{"Indra Sistemas SA", "indra sistemas"},
		{"Rheinmetall AG", "rheinmetall"},
		{"Société Générale d'Équipements S.A.R.L.", "societe generale dequipements"},
		{"  Lockheed   Martin  ", "lockheed martin"},
		{"Lockheed-Martin", "lockheed martin"},
		{"Johnson & Johnson", "johnson johnson"},
		{"AG", "ag"},                          // only a legal form: kept, not blank
		{"S.A.", "sa"},                        // likewise
		{"Inc. Industries", "inc industries"}, // a legal form only counts at the end
		{"", ""},
		{" ,. ", ""},
		{"Ministry of Defence", "ministry of defence"},
	} {
		if got := bot.NameKey(tt.in); got != tt.want {
			t.Errorf("NameKey(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestClassFamily(t *testing.T) {
	for _, tt := range []struct{ in, key, family, label string }{
		{"6A003.b.4", "6A003.B.4", "6A003", "6A003.*"},
		{"6a003.b.4.a", "6A003.B.4.A", "6A003", "6A003.*"},
		{"6A003", "6A003", "6A003", "6A003.*"},
		{"5A002", "5A002", "5A002", "5A002.*"},
		{"9A610.x", "9A610.X", "9A610", "9A610.*"},
		{"0A919", "0A919", "0A919", "0A919.*"},
		{"XI(a)(3)", "XI(A)(3)", "XI", "Category XI"},
		{"xi(a)(3)(i)", "XI(A)(3)(I)", "XI", "Category XI"},
		{"Cat. XI(a)", "XI(A)", "XI", "Category XI"},
		{"Category XII(c)", "XII(C)", "XII", "Category XII"},
		{"IV(h)", "IV(H)", "IV", "Category IV"},
		{"XXI", "XXI", "XXI", "Category XXI"},
		{"VIII (h)(1)", "VIII(H)(1)", "VIII", "Category VIII"},
		{"XXII(a)", "XXII(A)", "", ""}, // no USML Category XXII
		{"EAR99", "EAR99", "", ""},     // no family
		{"6F003", "6F003", "", ""},     // no product group F
		{"thermal camera", "THERMALCAMERA", "", ""},
		{"", "", "", ""},
	} {
		if got := bot.ClassKey(tt.in); got != tt.key {
			t.Errorf("ClassKey(%q) = %q; want %q", tt.in, got, tt.key)
		}
		got := bot.ClassFamily(tt.in)
		if got != tt.family {
			t.Errorf("ClassFamily(%q) = %q; want %q", tt.in, got, tt.family)
		}
		if got != "" && bot.FamilyLabel(got) != tt.label {
			t.Errorf("FamilyLabel(%q) = %q; want %q", got, bot.FamilyLabel(got), tt.label)
		}
	}
}
