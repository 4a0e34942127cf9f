// Package optout names the tags by which a component records an explicit opt-out from a
// baseline default, with its reason, on the resource itself: the recording, the plan and the
// deployed resource all show it, and components/policy reads it.
package optout

import (
	"fmt"
	"regexp"
)

// AccessLoggingOff is the tag a bucket carries when its server access logging is off on
// purpose; its value is the reason.
const AccessLoggingOff = "groundwork:access-logging-off"

// MaxReasonLen is the longest tag value S3 accepts.
const MaxReasonLen = 256

// reasonChars are the characters S3 (and most AWS services) accept in a tag value.
var reasonChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// CheckReason reports why a reason cannot be a tag value, or "" when it can.
func CheckReason(reason string) string {
	switch {
	case len(reason) > MaxReasonLen:
		return fmt.Sprintf("is %d characters; a tag value holds at most %d", len(reason), MaxReasonLen)
	case !reasonChars.MatchString(reason):
		return fmt.Sprintf("%q has characters a tag value cannot hold (only letters, digits, spaces and _ . : / = + - @)", reason)
	}
	return ""
}
