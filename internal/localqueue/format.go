package localqueue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// The queue file (queue.db, a bbolt file) holds three buckets:
//
//	messages  seq (8 bytes, big-endian: send order) -> the message and its state
//	ids       message id -> seq, to name the messages that a damaged page took with it
//	info      "format" -> formatVersion; "count" -> number of messages after the last
//	          commit; "journal" -> the old journal this file was imported from, if any
//
// bbolt checksums its two meta pages only: branch and leaf pages carry no checksum, so a
// flipped bit in a message would be read back as a different message. Every value therefore
// ends with a CRC-32C of its key and the rest of the value (sealed), and a value whose
// checksum does not match is damage.
var (
	bucketMessages = []byte("messages")
	bucketIDs      = []byte("ids")
	bucketInfo     = []byte("info")

	keyFormat  = []byte("format")
	keyCount   = []byte("count")
	keyJournal = []byte("journal")
)

// formatVersion is the layout of the queue file described above. Open refuses a file of
// another version rather than guess at it.
const formatVersion = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// seal appends payload and the CRC-32C of key and payload to dst.
func seal(dst, key, payload []byte) []byte {
	sum := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, payload)
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, sum)
}

// errChecksum: a value's checksum does not match its key and content.
var errChecksum = errors.New("checksum mismatch")

// unseal returns the payload of a sealed value, or errChecksum.
func unseal(key, value []byte) ([]byte, error) {
	if len(value) < 4 {
		return nil, fmt.Errorf("value of %d bytes is too short for its checksum", len(value))
	}
	payload := value[:len(value)-4]
	sum := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, payload)
	if sum != binary.BigEndian.Uint32(value[len(value)-4:]) {
		return nil, errChecksum
	}
	return payload, nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// storedMessage is a message as the queue file keeps it.
type storedMessage struct {
	seq          uint64
	id           string
	body         string
	sentAt       time.Time
	receiveCount int
	firstRecv    time.Time // zero until received
	visibleAt    time.Time // zero: visible
}

// messageRecordVersion tags the encoding of a message record, the first byte of its payload.
const messageRecordVersion = 1

// encodeMessage returns the sealed value of m under its seq key:
//
//	version (1) | sentAt, firstRecv, visibleAt (Unix ns, 8 each; 0 for the zero time) |
//	receiveCount (4) | len(id) (2) | id | body | CRC-32C (4)
func encodeMessage(m storedMessage) []byte {
	p := make([]byte, 0, 1+8*3+4+2+len(m.id)+len(m.body))
	p = append(p, messageRecordVersion)
	p = binary.BigEndian.AppendUint64(p, uint64(unixNano(m.sentAt)))
	p = binary.BigEndian.AppendUint64(p, uint64(unixNano(m.firstRecv)))
	p = binary.BigEndian.AppendUint64(p, uint64(unixNano(m.visibleAt)))
	p = binary.BigEndian.AppendUint32(p, uint32(m.receiveCount))
	p = binary.BigEndian.AppendUint16(p, uint16(len(m.id)))
	p = append(p, m.id...)
	p = append(p, m.body...)
	return seal(make([]byte, 0, len(p)+4), seqKey(m.seq), p)
}

const messageHeaderSize = 1 + 8*3 + 4 + 2

// decodeMessage decodes and checks a message record read under key.
func decodeMessage(key, value []byte) (storedMessage, error) {
	if len(key) != 8 {
		return storedMessage{}, fmt.Errorf("message key of %d bytes, not 8", len(key))
	}
	p, err := unseal(key, value)
	if err != nil {
		return storedMessage{}, err
	}
	if len(p) < messageHeaderSize || p[0] != messageRecordVersion {
		return storedMessage{}, fmt.Errorf("not a message record (%d bytes)", len(p))
	}
	m := storedMessage{
		seq:          binary.BigEndian.Uint64(key),
		sentAt:       fromUnixNano(int64(binary.BigEndian.Uint64(p[1:]))),
		firstRecv:    fromUnixNano(int64(binary.BigEndian.Uint64(p[9:]))),
		visibleAt:    fromUnixNano(int64(binary.BigEndian.Uint64(p[17:]))),
		receiveCount: int(binary.BigEndian.Uint32(p[25:])),
	}
	n := int(binary.BigEndian.Uint16(p[29:]))
	if messageHeaderSize+n > len(p) {
		return storedMessage{}, fmt.Errorf("message id of %d bytes overruns the record", n)
	}
	m.id = string(p[messageHeaderSize : messageHeaderSize+n])
	m.body = string(p[messageHeaderSize+n:])
	return m, nil
}

// encodeSeq returns the sealed value of an ids entry.
func encodeSeq(id string, seq uint64) []byte {
	return seal(nil, []byte(id), seqKey(seq))
}

func decodeSeq(key, value []byte) (uint64, error) {
	p, err := unseal(key, value)
	if err != nil {
		return 0, err
	}
	if len(p) != 8 {
		return 0, fmt.Errorf("seq of %d bytes, not 8", len(p))
	}
	return binary.BigEndian.Uint64(p), nil
}

func encodeUint(key []byte, n uint64) []byte {
	return seal(nil, key, binary.BigEndian.AppendUint64(nil, n))
}

func decodeUint(key, value []byte) (uint64, error) {
	p, err := unseal(key, value)
	if err != nil {
		return 0, err
	}
	if len(p) != 8 {
		return 0, fmt.Errorf("number of %d bytes, not 8", len(p))
	}
	return binary.BigEndian.Uint64(p), nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
