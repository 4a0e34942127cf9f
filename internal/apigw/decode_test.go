package apigw

import "testing"

// BenchmarkDecodeEvent compares the fast decoder with its encoding/json reference on the
// curl /healthz event: the reason the fast decoder exists.
func BenchmarkDecodeEvent(b *testing.B) {
	payload := []byte(curlHealthz)
	b.Run("fast", func(b *testing.B) {
		var d fastDecoder
		var w wire
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := d.decode(payload, &w); !ok {
				b.Fatal("fell back")
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		var w wire
		b.ReportAllocs()
		for b.Loop() {
			if err := decodeSlow(payload, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
