package localserver

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
)

func TestWriteResponseMatchesAPIGW(t *testing.T) {
	payloads := map[string]string{
		"plain":               `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"status\":\"ok\"}\n","isBase64Encoded":false}`,
		"multi-value headers": `{"statusCode":201,"headers":{"x-a":"1"},"multiValueHeaders":{"x-b":["2","3"],"X-A":["4"]},"body":"","isBase64Encoded":false}`,
		"cookies":             `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"body":"x"}`,
		"base64 body":         `{"statusCode":200,"headers":{"content-type":"image/png"},"body":"AAEC/w==","isBase64Encoded":true}`,
		"bad base64":          `{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
		"status out of range": `{"statusCode":42,"body":"x"}`,
		"no status: inferred": `{"hello":"world"}`,
		"a JSON array":        `[1,2,3]`,
		"a JSON string":       `"hi"`,
		"not JSON":            `nope`,
		"wrong field type":    `{"statusCode":"200"}`,
		"empty status body":   `{"statusCode":204}`,
	}
	for name, payload := range payloads {
		t.Run(name, func(t *testing.T) {
			// Given the same function response
			ours, theirs := httptest.NewRecorder(), httptest.NewRecorder()
			// When both write it
			errOurs := writeResponse(ours, []byte(payload))
			errTheirs := apigw.WriteResponse(theirs, []byte(payload))
			// Then the HTTP responses, and the verdicts, are the same
			require.Equal(t, errTheirs == nil, errOurs == nil, "both accept or both refuse: %v / %v", errOurs, errTheirs)
			if errTheirs != nil {
				return
			}
			require.Equal(t, theirs.Code, ours.Code, "status")
			require.Equal(t, theirs.Header(), ours.Header(), "headers")
			require.Equal(t, theirs.Body.String(), ours.Body.String(), "body")
		})
	}
}
