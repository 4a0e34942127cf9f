// Package randid makes the random ids the local stand-ins for AWS hand out: SQS message ids
// (internal/localqueue) and Lambda request ids (internal/localserver), both UUIDs in AWS.
package randid

import (
	"crypto/rand"
	"encoding/hex"
)

// UUID returns a random (version 4) UUID in its canonical lower-case form,
// xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx with y one of 8, 9, a, b.
func UUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+); it crashes the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
