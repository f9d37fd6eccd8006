// Package english words the messages of scorekit's packages.
package english

import (
	"strconv"
	"strings"
)

// Count returns the count n with the noun, singular for n = 1 ("1 row",
// "2 rows"; a noun in consonant + y takes -ies: "1 entry", "4 entries"),
// so that messages read right for a count of 1.
func Count(n int, noun string) string {
	if n != 1 {
		if len(noun) > 1 && strings.HasSuffix(noun, "y") && !strings.ContainsAny(noun[len(noun)-2:len(noun)-1], "aeiou") {
			noun = noun[:len(noun)-1] + "ie"
		}
		noun += "s"
	}
	return strconv.Itoa(n) + " " + noun
}
