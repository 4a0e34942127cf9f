package apigw_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
)

// referenceWriteResponse is WriteResponse as API Gateway's rules read most directly, and as
// it was written first: probe the statusCode, then decode the whole response a second time.
// WriteResponse decodes once; it must answer exactly as this does.
func referenceWriteResponse(w http.ResponseWriter, payload []byte) error {
	var probe struct {
		StatusCode *int `json:"statusCode"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil || probe.StatusCode == nil {
		if !json.Valid(payload) {
			return fmt.Errorf("apigw: response is not JSON")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(payload)
		return err
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return fmt.Errorf("apigw: decode response: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("apigw: response status %d out of range", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("apigw: response body is not valid base64: %w", err)
		}
		body = b
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	_, err := w.Write(body)
	return err
}

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

// requireSameResponse checks that WriteResponse and the two-decode reference write the same
// HTTP response, or fail with the same error.
func requireSameResponse(t *testing.T, payload []byte) {
	t.Helper()
	ours, theirs := httptest.NewRecorder(), httptest.NewRecorder()
	errOurs := apigw.WriteResponse(ours, payload)
	errTheirs := referenceWriteResponse(theirs, payload)
	if errTheirs != nil || errOurs != nil {
		require.Equal(t, fmt.Sprint(errTheirs), fmt.Sprint(errOurs), "the same verdict for %s", payload)
		return
	}
	require.Equal(t, theirs.Code, ours.Code, "status")
	require.Equal(t, theirs.Header(), ours.Header(), "headers")
	require.Equal(t, theirs.Body.String(), ours.Body.String(), "body")
}

func TestWriteResponse_MatchesTwoDecodeReference(t *testing.T) {
	for name, payload := range responseSeeds {
		t.Run(name, func(t *testing.T) {
			// Given a function response, when WriteResponse and the reference both write it,
			// then the HTTP responses, or the errors, are the same.
			requireSameResponse(t, []byte(payload))
		})
	}
}

// FuzzWriteResponse keeps checking WriteResponse against the reference on any payload.
func FuzzWriteResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) { requireSameResponse(t, payload) })
}
