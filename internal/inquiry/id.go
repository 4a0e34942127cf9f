package inquiry

import (
	"crypto/rand"
	"time"
)

// IDLen is the length of an inquiry id.
const IDLen = 26

// crockford is Crockford's base32 alphabet (no I, L, O, U), in ascending ASCII order so
// that ids sort as their bytes do.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a new inquiry id in the ULID layout: 26 characters of Crockford base32, the
// first 10 encoding the milliseconds since the Unix epoch of t (so ids sort by creation
// time, to the millisecond), the other 16 encoding 80 bits from crypto/rand (so two ids made
// in the same millisecond collide with probability 2^-80).
func NewID(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	rand.Read(b[6:]) // never fails (Go 1.24+); it crashes the program instead
	return encodeID(b)
}

// encodeID writes 128 bits as 26 base32 digits, the first digit holding the top 3 bits.
func encodeID(b [16]byte) string {
	var out [IDLen]byte
	// Walk the 130-bit field (2 leading zero bits + 128) five bits at a time.
	var acc uint32
	bits := 2 // the two leading zero bits
	j := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[j] = crockford[(acc>>uint(bits))&31]
			j++
		}
	}
	return string(out[:])
}

// ValidID reports whether s has the form NewID produces: 26 characters of upper-case
// Crockford base32 whose first digit is at most 7. The store is never asked about anything
// else, so a malformed id is a plain 404.
func ValidID(s string) bool {
	if len(s) != IDLen || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isCrockford(s[i]) {
			return false
		}
	}
	return true
}

func isCrockford(c byte) bool {
	switch {
	case c >= '0' && c <= '9':
		return true
	case c >= 'A' && c <= 'Z':
		return c != 'I' && c != 'L' && c != 'O' && c != 'U'
	}
	return false
}

// IDTime returns the creation time (millisecond precision, UTC) encoded in a valid id.
func IDTime(id string) (time.Time, bool) {
	if !ValidID(id) {
		return time.Time{}, false
	}
	var ms uint64
	for i := 0; i < 10; i++ {
		ms = ms<<5 | uint64(decodeDigit(id[i]))
	}
	return time.UnixMilli(int64(ms)).UTC(), true
}

func decodeDigit(c byte) byte {
	for i := 0; i < len(crockford); i++ {
		if crockford[i] == c {
			return byte(i)
		}
	}
	return 0
}
