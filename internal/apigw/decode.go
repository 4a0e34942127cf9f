package apigw

import (
	"encoding/json"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The hot path of Invoke decodes only the event fields a request is made from (wireJSON's),
// with a small decoder written for the shape API Gateway sends. Whatever it is not sure
// about (invalid JSON, null or mistyped values, a field given twice, keys that differ from a
// field's name in case only, header names that are not tokens, repeated header names,
// nesting deeper than maxDepth) makes it give up, and encoding/json decodes the payload
// into wireJSON instead: encoding/json stays the reference, and FuzzNewRequest checks that
// both give the same request or both fail.

// wireJSON is the reference decoding of the fields NewRequest uses; json tags as in
// events.APIGatewayV2HTTPRequest.
type wireJSON struct {
	RouteKey       string            `json:"routeKey"`
	RawPath        string            `json:"rawPath"`
	RawQueryString string            `json:"rawQueryString"`
	Cookies        []string          `json:"cookies"`
	Headers        map[string]string `json:"headers"`
	PathParameters map[string]string `json:"pathParameters"`
	RequestContext struct {
		RouteKey   string `json:"routeKey"`
		DomainName string `json:"domainName"`
		HTTP       struct {
			Method   string `json:"method"`
			Protocol string `json:"protocol"`
			SourceIP string `json:"sourceIp"`
		} `json:"http"`
	} `json:"requestContext"`
	Body            string `json:"body"`
	IsBase64Encoded bool   `json:"isBase64Encoded"`
}

// maxDepth bounds the nesting the fast decoder skips; deeper payloads take the slow path.
const maxDepth = 64

// maxFastHeaders bounds the headers the fast decoder takes (it checks repeats pairwise).
const maxFastHeaders = 64

type span struct{ start, end int }

type headerSpan struct{ name, value span }

// fastDecoder decodes the wire fields of an event into one arena: every string it keeps is
// a slice of one string made at the end, so a whole event costs one allocation.
type fastDecoder struct {
	data []byte
	i    int

	arena []byte // decoded strings, then a copy of the payload
	key   []byte // the current object key, unescaped
	fold  []byte // scratch for case folding

	seen                                                            uint16
	method, rawPath, rawQuery, protocol, sourceIP, domainName, body span
	routeKey, rcRouteKey                                            span
	isBase64                                                        bool
	headers                                                         []headerSpan
	cookies                                                         []span
	params                                                          []headerSpan // pathParameters
}

const (
	seenRawPath = 1 << iota
	seenRawQuery
	seenCookies
	seenHeaders
	seenRequestContext
	seenBody
	seenIsBase64
	seenDomainName
	seenHTTP
	seenMethod
	seenProtocol
	seenSourceIP
	seenRouteKey
	seenPathParams
	seenRCRouteKey
)

// decode fills w from data and reports whether it could. On success, w's strings share one
// allocation, which also holds a copy of data, returned as payload.
func (d *fastDecoder) decode(data []byte, w *wire) (payload string, ok bool) {
	*d = fastDecoder{data: data, arena: d.arena[:0], key: d.key[:0], fold: d.fold[:0],
		headers: d.headers[:0], cookies: d.cookies[:0], params: d.params[:0]}
	d.ws()
	if !d.object(levelTop, 0) {
		return "", false
	}
	d.ws()
	if d.i != len(d.data) {
		return "", false
	}
	start := len(d.arena)
	d.arena = append(d.arena, data...)
	s := string(d.arena)
	str := func(sp span) string { return s[sp.start:sp.end] }
	*w = wire{
		method: str(d.method), rawPath: str(d.rawPath), rawQuery: str(d.rawQuery),
		protocol: str(d.protocol), sourceIP: str(d.sourceIP), domainName: str(d.domainName),
		body: str(d.body), isBase64: d.isBase64,
		routeKey: str(d.routeKey), rcRouteKey: str(d.rcRouteKey),
		headers: w.headers[:0], cookies: w.cookies[:0], params: w.params[:0],
	}
	for _, h := range d.headers {
		w.headers = append(w.headers, header{name: str(h.name), value: str(h.value)})
	}
	for _, c := range d.cookies {
		w.cookies = append(w.cookies, str(c))
	}
	for _, p := range d.params {
		w.params = append(w.params, header{name: str(p.name), value: str(p.value)})
	}
	return s[start:], true
}

type level uint8

const (
	levelTop level = iota
	levelRequestContext
	levelHTTP
)

// foldedNames are encoding/json's folded forms of each level's field names: a key that
// folds to one of them but is not the exact name is left to encoding/json.
var foldedNames = [...][]string{
	levelTop:            {"ROUTEKEY", "RAWPATH", "RAWQUERYSTRING", "COOKIES", "HEADERS", "PATHPARAMETERS", "REQUESTCONTEXT", "BODY", "ISBASE64ENCODED"},
	levelRequestContext: {"ROUTEKEY", "DOMAINNAME", "HTTP"},
	levelHTTP:           {"METHOD", "PROTOCOL", "SOURCEIP"},
}

// sequence reads the frame of an object or an array: open, members separated by commas
// (member reads one whole, its key included), close. member is never kept, so a closure
// passed here stays on the stack.
func (d *fastDecoder) sequence(open, close byte, member func() bool) bool {
	if !d.consume(open) {
		return false
	}
	d.ws()
	if d.consume(close) {
		return true
	}
	for {
		if !member() {
			return false
		}
		d.ws()
		if d.consume(',') {
			d.ws()
			continue
		}
		return d.consume(close)
	}
}

func (d *fastDecoder) object(lv level, depth int) bool {
	return d.sequence('{', '}', func() bool {
		if !d.readKey() {
			return false
		}
		switch lv {
		case levelTop:
			return d.topField()
		case levelRequestContext:
			return d.requestContextField(depth)
		case levelHTTP:
			return d.httpField(depth)
		}
		return false
	})
}

func (d *fastDecoder) topField() bool {
	switch string(d.key) {
	case "routeKey":
		return d.once(seenRouteKey) && d.str(&d.routeKey)
	case "rawPath":
		return d.once(seenRawPath) && d.str(&d.rawPath)
	case "rawQueryString":
		return d.once(seenRawQuery) && d.str(&d.rawQuery)
	case "body":
		return d.once(seenBody) && d.str(&d.body)
	case "isBase64Encoded":
		if !d.once(seenIsBase64) {
			return false
		}
		switch {
		case d.literal("true"):
			d.isBase64 = true
			return true
		case d.literal("false"):
			return true
		}
		return false
	case "requestContext":
		return d.once(seenRequestContext) && d.object(levelRequestContext, 1)
	case "headers":
		return d.once(seenHeaders) && d.stringObject(&d.headers, canonicalToken)
	case "cookies":
		return d.once(seenCookies) && d.cookieArray()
	case "pathParameters":
		return d.once(seenPathParams) && d.stringObject(&d.params, nil)
	}
	return d.unknown(levelTop, 0)
}

func (d *fastDecoder) requestContextField(depth int) bool {
	switch string(d.key) {
	case "routeKey":
		return d.once(seenRCRouteKey) && d.str(&d.rcRouteKey)
	case "domainName":
		return d.once(seenDomainName) && d.str(&d.domainName)
	case "http":
		return d.once(seenHTTP) && d.object(levelHTTP, depth+1)
	}
	return d.unknown(levelRequestContext, depth)
}

func (d *fastDecoder) httpField(depth int) bool {
	switch string(d.key) {
	case "method":
		return d.once(seenMethod) && d.str(&d.method)
	case "protocol":
		return d.once(seenProtocol) && d.str(&d.protocol)
	case "sourceIp":
		return d.once(seenSourceIP) && d.str(&d.sourceIP)
	}
	return d.unknown(levelHTTP, depth)
}

// unknown skips the value of a key that is no field of this level, unless encoding/json
// would match it to a field case-insensitively.
func (d *fastDecoder) unknown(lv level, depth int) bool {
	d.fold = appendFoldedName(d.fold[:0], d.key)
	for _, n := range foldedNames[lv] {
		if string(d.fold) == n {
			return false
		}
	}
	return d.skip(depth + 1)
}

func (d *fastDecoder) once(bit uint16) bool {
	if d.seen&bit != 0 {
		return false
	}
	d.seen |= bit
	return true
}

// stringObject reads an object of strings into *dst, each name once. A repeated name (maybe
// in another case, for headers) or one that nameOK refuses sends the event to the slow path,
// which merges or keeps the last as encoding/json does. nameOK may be nil.
func (d *fastDecoder) stringObject(dst *[]headerSpan, nameOK func([]byte) bool) bool {
	return d.sequence('{', '}', func() bool {
		if d.peek() != '"' || len(*dst) == maxFastHeaders {
			return false
		}
		var h headerSpan
		if !d.str(&h.name) {
			return false
		}
		name := d.arena[h.name.start:h.name.end]
		if nameOK != nil && !nameOK(name) {
			return false
		}
		for _, o := range *dst {
			if string(d.arena[o.name.start:o.name.end]) == string(name) {
				return false
			}
		}
		d.ws()
		if !d.consume(':') {
			return false
		}
		d.ws()
		if !d.str(&h.value) {
			return false
		}
		*dst = append(*dst, h)
		return true
	})
}

func (d *fastDecoder) cookieArray() bool {
	return d.sequence('[', ']', func() bool {
		var c span
		if !d.str(&c) {
			return false
		}
		d.cookies = append(d.cookies, c)
		return true
	})
}

// canonicalToken checks that b is an HTTP token and rewrites it in place to its canonical
// MIME header form, as textproto.CanonicalMIMEHeaderKey does for tokens.
func canonicalToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	upper := true
	for i, c := range b {
		if c >= utf8.RuneSelf || !tokenChars[c] {
			return false
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
		upper = c == '-'
	}
	return true
}

func (d *fastDecoder) peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

func (d *fastDecoder) consume(c byte) bool {
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDecoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDecoder) literal(lit string) bool {
	if len(d.data)-d.i >= len(lit) && string(d.data[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// readKey reads an object key and the colon after it; the unescaped key is in d.key.
func (d *fastDecoder) readKey() bool {
	if d.peek() != '"' {
		return false
	}
	d.i++
	var ok bool
	d.key, ok = d.unquote(d.key[:0])
	if !ok {
		return false
	}
	d.ws()
	if !d.consume(':') {
		return false
	}
	d.ws()
	return true
}

// str reads a JSON string (not null) into the arena.
func (d *fastDecoder) str(sp *span) bool {
	if d.peek() != '"' {
		return false
	}
	d.i++
	start := len(d.arena)
	var ok bool
	d.arena, ok = d.unquote(d.arena)
	*sp = span{start, len(d.arena)}
	return ok
}

// unquote appends the contents of the string that starts at d.i (after its opening quote)
// to out, decoded exactly as encoding/json decodes strings: escapes resolved, invalid UTF-8
// and unpaired surrogates replaced by U+FFFD. It fails on control characters and bad escapes.
func (d *fastDecoder) unquote(out []byte) ([]byte, bool) {
	data := d.data
	i := d.i
	start := i
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			out = append(out, data[start:i]...)
			d.i = i + 1
			return out, true
		case c < 0x20:
			return out, false
		case c == '\\':
			out = append(out, data[start:i]...)
			if i+1 >= len(data) {
				return out, false
			}
			switch e := data[i+1]; {
			case unescapes[e] != 0:
				out = append(out, unescapes[e])
				i += 2
			case e == 'u':
				r := getu4(data[i:])
				if r < 0 {
					return out, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if dec := utf16.DecodeRune(r, getu4(data[i:])); dec != unicode.ReplacementChar {
						out = utf8.AppendRune(out, dec)
						i += 6
						break
					}
					r = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, r)
			default:
				return out, false
			}
			start = i
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, data[start:i]...)
				out = append(out, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
		}
	}
	return out, false
}

// unescapes maps the byte after a backslash to the byte it stands for, for every JSON escape
// but \u; zero for the others.
var unescapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// skip validates and skips one JSON value.
func (d *fastDecoder) skip(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch c := d.peek(); {
	case c == '"':
		return d.skipString()
	case c == '{':
		return d.sequence('{', '}', func() bool {
			if !d.skipString() {
				return false
			}
			d.ws()
			if !d.consume(':') {
				return false
			}
			d.ws()
			return d.skip(depth + 1)
		})
	case c == '[':
		return d.sequence('[', ']', func() bool { return d.skip(depth + 1) })
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return d.skipNumber()
	}
	return false
}

func (d *fastDecoder) skipString() bool {
	data := d.data
	if d.peek() != '"' {
		return false
	}
	for i := d.i + 1; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			d.i = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 >= len(data) {
				return false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if getu4(data[i:]) < 0 {
					return false
				}
				i += 5
			default:
				return false
			}
		}
	}
	return false
}

// skipNumber skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDecoder) skipNumber() bool {
	data, i := d.data, d.i
	digits := func() bool {
		s := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > s
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	d.i = i
	return true
}

// appendFoldedName folds a key as encoding/json does to match it to a field name
// case-insensitively (encoding/json/fold.go).
func appendFoldedName(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += n
	}
	return out
}

func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// decodeSlow is the reference: encoding/json into wireJSON.
func decodeSlow(payload []byte, w *wire) error {
	var j wireJSON
	if err := json.Unmarshal(payload, &j); err != nil {
		return err
	}
	*w = wire{
		method: j.RequestContext.HTTP.Method, rawPath: j.RawPath, rawQuery: j.RawQueryString,
		protocol: j.RequestContext.HTTP.Protocol, sourceIP: j.RequestContext.HTTP.SourceIP,
		domainName: j.RequestContext.DomainName, body: j.Body, isBase64: j.IsBase64Encoded,
		cookies: j.Cookies, routeKey: j.RouteKey, rcRouteKey: j.RequestContext.RouteKey,
	}
	w.setParams(j.PathParameters)
	return w.setHeaders(j.Headers)
}
