package apigw

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

var responseSeeds = map[string]string{
	"plain":                      `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"status\":\"ok\"}\n","isBase64Encoded":false}`,
	"multi-value headers":        `{"statusCode":201,"headers":{"x-a":"1"},"multiValueHeaders":{"x-b":["2","3"],"X-A":["4"]},"body":"","isBase64Encoded":false}`,
	"cookies":                    `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"body":"x"}`,
	"base64 body":                `{"statusCode":200,"headers":{"content-type":"image/png"},"body":"AAEC/w==","isBase64Encoded":true}`,
	"bad base64":                 `{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
	"status out of range":        `{"statusCode":42,"body":"x"}`,
	"status zero":                `{"statusCode":0,"body":"x"}`,
	"no status: inferred":        `{"hello":"world"}`,
	"null status: inferred":      `{"statusCode":null,"body":"x"}`,
	"last status null: inferred": `{"statusCode":200,"statusCode":null,"body":"x"}`,
	"status in other case":       `{"StatusCode":203,"body":"x"}`,
	"a JSON array":               `[1,2,3]`,
	"a JSON string":              `"hi"`,
	"JSON null":                  `null`,
	"not JSON":                   `nope`,
	"wrong status type":          `{"statusCode":"200"}`,
	"fractional status":          `{"statusCode":200.5}`,
	"wrong headers type":         `{"statusCode":200,"headers":{"a":1}}`,
	"wrong types, status last":   `{"headers":5,"statusCode":"200"}`,
	"empty status body":          `{"statusCode":204}`,
}

// requireSameResponse checks that WriteResponse, which decodes a well-formed response once,
// writes the same HTTP response as writeTwoStep, the direct reading of API Gateway's rules
// (probe the statusCode, then decode the whole response), or fails with the same error.
func requireSameResponse(t *testing.T, payload []byte) {
	t.Helper()
	ours, theirs := httptest.NewRecorder(), httptest.NewRecorder()
	errOurs := WriteResponse(ours, payload)
	errTheirs := writeTwoStep(theirs, payload)
	if errTheirs != nil || errOurs != nil {
		require.Equal(t, fmt.Sprint(errTheirs), fmt.Sprint(errOurs), "the same verdict for %s", payload)
		return
	}
	require.Equal(t, theirs.Code, ours.Code, "status")
	require.Equal(t, theirs.Header(), ours.Header(), "headers")
	require.Equal(t, theirs.Body.String(), ours.Body.String(), "body")
}

func TestWriteResponse_MatchesTwoStepDecoding(t *testing.T) {
	for name, payload := range responseSeeds {
		t.Run(name, func(t *testing.T) {
			// Given a function response, when WriteResponse and writeTwoStep both write it,
			// then the HTTP responses, or the errors, are the same.
			requireSameResponse(t, []byte(payload))
		})
	}
}

// FuzzWriteResponse keeps checking WriteResponse against writeTwoStep on any payload.
func FuzzWriteResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) { requireSameResponse(t, payload) })
}
