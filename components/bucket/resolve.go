package bucket

import (
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/internal/optout"
)

// children are the bucket's children whose physical names derive from the component's name.
// A notification queue checks its own names (queue.New).
var children = []naming.Physical{{Role: "", Kind: naming.S3Bucket}}

// Limits S3 enforces.
const (
	// MaxCORSRules is how many rules a CORS configuration may hold.
	MaxCORSRules = 100
	// MaxLifecycleRules is how many rules a lifecycle configuration may hold; the built-in
	// rules take two of them.
	MaxLifecycleRules = 1000
	// minIADays is the age before which S3 does not move objects to STANDARD_IA or
	// ONEZONE_IA, and how long an object stays there before its next move.
	minIADays = 30 * Day
)

var (
	corsMethods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}
	// waterfall lists the storage classes in the order objects may move down them.
	waterfall = []StorageClass{StandardIA, IntelligentTiering, OneZoneIA, GlacierIR, Glacier, DeepArchive}
	// notificationName is what a notification's Name may hold: it becomes part of the
	// names of a queue, its dead-letter queue and its consumer.
	notificationName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	// reservedRoles are the names of the bucket's own children, which a notification's
	// children must not take.
	reservedRoles = []string{"sse", "public-access", "ownership", "versioning", "policy", "lifecycle", "logging", "cors", "notifications"}
)

// settings are Args with every default applied, checked.
type settings struct {
	Args
}

// resolve applies the defaults to a copy of a and reports every invalid field at once. It is
// pure: the decisions New makes are tested here without the engine. A notification queue's
// own Args are checked by queue.New.
func resolve(name string, a Args) (settings, error) {
	r := check.New("bucket", name)
	s := settings{Args: a}

	if a.BucketName != "" {
		if err := CheckName(a.BucketName); err != nil {
			r.Add("BucketName", err)
		}
	} else if r.Name(children) {
		// Auto-naming appends "-" and 7 characters to the component's name; S3's other rules
		// (no "--" at the start, no IP-address look, ...) are CheckName's.
		if err := CheckName(name + "-abcdef0"); err != nil {
			r.Addf("name", "%q makes an invalid auto-named bucket (set BucketName or rename): %v", name, err)
		}
	}

	if s.NoncurrentVersionExpiration == 0 {
		s.NoncurrentVersionExpiration = DefaultNoncurrentVersionExpiration
	}
	wholeDays(r, "NoncurrentVersionExpiration", s.NoncurrentVersionExpiration, Day)

	if a.AccessLogBucket == nil && a.AccessLogPrefix != "" {
		r.Addf("AccessLogPrefix", "%q is set without AccessLogBucket", a.AccessLogPrefix)
	}
	if a.AccessLoggingOff != "" {
		if a.AccessLogBucket != nil {
			r.Addf("AccessLoggingOff", "is set with AccessLogBucket: access logging is either on or off")
		}
		if msg := optout.CheckReason(a.AccessLoggingOff); msg != "" {
			r.Addf("AccessLoggingOff", "%s", msg)
		}
	}
	if s.AccessLogPrefix == "" {
		s.AccessLogPrefix = name + "/"
	}

	checkLifecycle(r, a.LifecycleRules)
	checkCORS(r, a.CORS)
	checkNotifications(r, a.Notifications)
	return s, r.Err()
}

// wholeDays checks that d is whole days, at least lo: "Expiration 36h must be whole days,
// at least 1".
func wholeDays(r *check.Report, field string, d, lo time.Duration) bool {
	if d < lo || d%Day != 0 {
		r.Addf(field, "%s must be whole days, at least %d", dayString(d), lo/Day)
		return false
	}
	return true
}

// dayString prints a duration in days when it is whole days ("30 days"), else as Go does.
func dayString(d time.Duration) string {
	if d%Day == 0 {
		return fmt.Sprintf("%d days", d/Day)
	}
	return d.String()
}

func checkLifecycle(r *check.Report, rules []LifecycleRule) {
	if n := len(rules); n > MaxLifecycleRules-2 {
		r.Addf("LifecycleRules", "has %d rules: with the 2 built-in ones, over S3's %d", n, MaxLifecycleRules)
	}
	ids := map[string]int{}
	for i, rule := range rules {
		field := fmt.Sprintf("LifecycleRules[%d]", i)
		switch j, dup := ids[rule.ID]; {
		case rule.ID == "":
			r.Addf(field+".ID", "is required")
		case len(rule.ID) > 255:
			r.Addf(field+".ID", "is %d characters, over S3's 255", len(rule.ID))
		case rule.ID == abortUploadsRuleID || rule.ID == noncurrentRuleID:
			r.Addf(field+".ID", "%q is a built-in rule's: a rule may not replace the bucket's own", rule.ID)
		case dup:
			r.Addf(field+".ID", "%q is also LifecycleRules[%d]'s", rule.ID, j)
		default:
			ids[rule.ID] = i
		}
		for _, k := range slices.Sorted(maps.Keys(rule.Tags)) {
			if len(k) < 1 || len(k) > 128 || len(rule.Tags[k]) > 256 {
				r.Addf(fmt.Sprintf("%s.Tags[%q]", field, k), "must have a key of 1-128 characters and a value of at most 256")
			}
		}
		if rule.Expiration == 0 && len(rule.Transitions) == 0 {
			r.Addf(field, "has no action: set Expiration or Transitions")
		}
		// last is the latest transition so far; lastClass its position in the waterfall.
		var last time.Duration
		lastClass := -1
		for j, t := range rule.Transitions {
			tf := fmt.Sprintf("%s.Transitions[%d]", field, j)
			class := slices.Index(waterfall, t.StorageClass)
			if class < 0 {
				r.Addf(tf+".StorageClass", "%q is not one of %s", t.StorageClass, joinClasses(waterfall))
				continue
			}
			if !wholeDays(r, tf+".After", t.After, 0) {
				continue
			}
			isIA := t.StorageClass == StandardIA || t.StorageClass == OneZoneIA
			switch {
			case isIA && t.After < minIADays:
				r.Addf(tf+".After", "%d days is too soon: S3 moves objects to %s after 30 days at the earliest", t.After/Day, t.StorageClass)
			case j > 0 && class <= lastClass:
				r.Addf(tf+".StorageClass", "%s does not come after %s in S3's waterfall (%s)", t.StorageClass, waterfall[lastClass], joinClasses(waterfall))
			case j > 0 && t.After <= last:
				r.Addf(tf+".After", "%d days is not after the previous transition's %d", t.After/Day, last/Day)
			case j > 0 && (waterfall[lastClass] == StandardIA || waterfall[lastClass] == OneZoneIA) && t.After < last+minIADays:
				r.Addf(tf+".After", "%d days leaves objects under 30 days in %s, which S3 refuses", t.After/Day, waterfall[lastClass])
			}
			last, lastClass = t.After, class
		}
		if rule.Expiration != 0 && wholeDays(r, field+".Expiration", rule.Expiration, Day) && rule.Expiration <= last {
			r.Addf(field+".Expiration", "%d days is not after the last transition's %d", rule.Expiration/Day, last/Day)
		}
	}
}

func joinClasses(cs []StorageClass) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func checkCORS(r *check.Report, rules []CORSRule) {
	if n := len(rules); n > MaxCORSRules {
		r.Addf("CORS", "has %d rules, over S3's %d", n, MaxCORSRules)
	}
	for i, c := range rules {
		field := fmt.Sprintf("CORS[%d]", i)
		if len(c.ID) > 255 {
			r.Addf(field+".ID", "is %d characters, over S3's 255", len(c.ID))
		}
		if len(c.AllowedOrigins) == 0 {
			r.Addf(field+".AllowedOrigins", "is empty: name the origins allowed, or \"*\"")
		}
		for j, o := range c.AllowedOrigins {
			switch {
			case strings.Count(o, "*") > 1:
				r.Addf(fmt.Sprintf("%s.AllowedOrigins[%d]", field, j), "%q has more than one '*'", o)
			case o != "*" && !strings.Contains(o, "://"):
				r.Addf(fmt.Sprintf("%s.AllowedOrigins[%d]", field, j), "%q is not an origin (scheme://host[:port]) or \"*\"", o)
			}
		}
		if len(c.AllowedMethods) == 0 {
			r.Addf(field+".AllowedMethods", "is empty: name at least one of %s", strings.Join(corsMethods, ", "))
		}
		for j, m := range c.AllowedMethods {
			r.OneOf(fmt.Sprintf("%s.AllowedMethods[%d]", field, j), m, corsMethods)
		}
		for j, h := range c.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				r.Addf(fmt.Sprintf("%s.AllowedHeaders[%d]", field, j), "%q has more than one '*'", h)
			}
		}
		if c.MaxAge != 0 {
			r.Seconds(field+".MaxAge", c.MaxAge, time.Second, time.Duration(1<<31-1)*time.Second)
		}
	}
}

func checkNotifications(r *check.Report, ns []Notification) {
	names := map[string]int{}
	for i, n := range ns {
		field := fmt.Sprintf("Notifications[%d]", i)
		switch j, dup := names[n.Name]; {
		case !notificationName.MatchString(n.Name):
			r.Addf(field+".Name", "%q must be 1-32 lower-case letters, digits and '-', starting and ending with a letter or digit", n.Name)
		case slices.Contains(reservedRoles, n.Name):
			r.Addf(field+".Name", "%q is the role of one of the bucket's own children", n.Name)
		case dup:
			r.Addf(field+".Name", "%q is also Notifications[%d]'s", n.Name, j)
		default:
			names[n.Name] = i
		}
		switch {
		case (n.Function == nil) == (n.Queue == nil):
			r.Addf(field, "needs exactly one target: Function or Queue")
		case n.Queue != nil && n.Queue.FIFO:
			r.Addf(field+".Queue.FIFO", "is set: S3 cannot send event notifications to a FIFO queue")
		}
		if strings.Contains(n.Prefix, "*") {
			r.Addf(field+".Prefix", "%q has a '*': S3 filters are literal", n.Prefix)
		}
		if strings.Contains(n.Suffix, "*") {
			r.Addf(field+".Suffix", "%q has a '*': S3 filters are literal", n.Suffix)
		}
		for j := range i {
			o := ns[j]
			if overlaps(n.Prefix, o.Prefix, strings.HasPrefix) && overlaps(n.Suffix, o.Suffix, strings.HasSuffix) {
				r.Addf(field, "may match the same keys as Notifications[%d] (prefixes %q and %q, suffixes %q and %q): S3 refuses overlapping filters for one event type",
					j, o.Prefix, n.Prefix, o.Suffix, n.Suffix)
			}
		}
	}
	// A queue's dead-letter queue is "<queue>-dlq": a second notification queue named so
	// would clash with it, and with its policy and alarm.
	for _, n := range slices.Sorted(maps.Keys(names)) {
		for _, o := range slices.Sorted(maps.Keys(names)) {
			if strings.HasPrefix(n, o+"-dlq") {
				r.Addf(fmt.Sprintf("Notifications[%d].Name", names[n]), "%q starts with %q, the dead-letter queue's name of Notifications[%d]: their children would clash", n, o+"-dlq", names[o])
			}
		}
	}
}

// overlaps reports whether two key filters of one kind (prefixes, or suffixes) can match
// one key: one extends the other, or either is empty.
func overlaps(a, b string, extends func(s, affix string) bool) bool {
	return extends(a, b) || extends(b, a)
}

var bucketChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// CheckName returns why S3 would reject name as a bucket name, or nil.
func CheckName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("%q must be 3-63 characters long", name)
	case !bucketChars.MatchString(name):
		return fmt.Errorf("%q may hold only lowercase letters, digits, '.' and '-', and must begin and end with a letter or digit", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%q must not contain two adjacent periods", name)
	case net.ParseIP(name) != nil:
		return fmt.Errorf("%q must not be formatted as an IP address", name)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%q must not start with the reserved prefix %q", name, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("%q must not end with the reserved suffix %q", name, s)
		}
	}
	return nil
}
