package inquiry

import (
	"fmt"
	"testing"
	"unicode"
)

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// publishedDefaultIgnorable is Default_Ignorable_Code_Point as DerivedCoreProperties.txt
// lists it (Unicode 14.0 and 15.0 list the same ranges; checked against Perl's Unicode::UCD
// prop_invlist("Default_Ignorable_Code_Point")).
var publishedDefaultIgnorable = []runeRange{
	{0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160}, {0x17B4, 0x17B5},
	{0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x206F}, {0x3164, 0x3164},
	{0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3},
	{0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
}

func inRanges(rs []runeRange, r rune) bool {
	for _, g := range rs {
		if r >= g.lo && r <= g.hi {
			return true
		}
	}
	return false
}

func TestDefaultIgnorableIsThePublishedProperty(t *testing.T) {
	if unicode.Version != "15.0.0" {
		// A newer Unicode may add code points; the derivation stays right, this list may not.
		t.Logf("unicode.Version is %s; the published list is of 15.0.0", unicode.Version)
	}
	// Given every code point; when defaultIgnorable classifies it
	// Then it agrees with the published list
	var wrong []string
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := defaultIgnorable(r), inRanges(publishedDefaultIgnorable, r); got != want {
			wrong = append(wrong, fmt.Sprintf("%U: %v, published %v", r, got, want))
			if len(wrong) == 10 {
				break
			}
		}
	}
	if len(wrong) > 0 {
		t.Fatalf("defaultIgnorable differs from Default_Ignorable_Code_Point: %v", wrong)
	}
}

func TestBidiControlsAreTheOnesListed(t *testing.T) {
	// The bidirectional controls named in the issue and in Validate's doc are exactly the
	// standard library's Bidi_Control property, which scanText tests only within U+061C..U+2069.
	listed := []runeRange{{0x061C, 0x061C}, {0x200E, 0x200F}, {0x202A, 0x202E}, {0x2066, 0x2069}}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := unicode.Is(unicode.Bidi_Control, r), inRanges(listed, r); got != want {
			t.Fatalf("%U: Bidi_Control %v, listed %v", r, got, want)
		}
		if want := inRanges(listed, r); want && scanText(string(r), false).bidi != r {
			t.Fatalf("%U: scanText does not report it", r)
		}
	}
}
