package apigw_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
)

func invoke(t *testing.T, method string, h http.HandlerFunc) (events.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	payload := `{"rawPath":"/x","requestContext":{"http":{"method":"` + method + `"}}}`
	out, err := apigw.Handler(h).Invoke(context.Background(), []byte(payload))
	require.NoError(t, err)
	var resp events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &resp), "the response is valid JSON: %s", out)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(out, &raw))
	return resp, raw
}

func TestResponse_Encoding(t *testing.T) {
	t.Run("status, joined headers, cookies apart", func(t *testing.T) {
		resp, raw := invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("Vary", "Accept")
			w.Header().Add("Vary", "Origin")
			w.Header().Add("Set-Cookie", "a=1; Path=/")
			w.Header().Add("Set-Cookie", "b=2; HttpOnly")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"quote":"\"<x>\"","nl":"a` + "\n" + `b","ctl":"` + "\x01" + `"}`))
		})
		assert.Equal(t, 201, resp.StatusCode)
		assert.Equal(t, map[string]string{"Content-Type": "application/json", "Vary": "Accept,Origin"}, resp.Headers)
		assert.Equal(t, []string{"a=1; Path=/", "b=2; HttpOnly"}, resp.Cookies, "Set-Cookie goes to cookies")
		assert.Equal(t, `{"quote":"\"<x>\"","nl":"a`+"\n"+`b","ctl":"`+"\x01"+`"}`, resp.Body, "text body kept as is, escaped in JSON")
		assert.False(t, resp.IsBase64Encoded)
		assert.NotContains(t, raw, "isBase64Encoded", "omitted when false")
	})

	t.Run("binary body is base64", func(t *testing.T) {
		png := []byte{0x89, 'P', 'N', 'G', 0, 0xff}
		resp, _ := invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		})
		assert.Equal(t, 200, resp.StatusCode, "status defaults to 200")
		assert.True(t, resp.IsBase64Encoded)
		assert.Equal(t, base64.StdEncoding.EncodeToString(png), resp.Body)
	})

	t.Run("missing content type is sniffed", func(t *testing.T) {
		resp, _ := invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html><body>hi")) })
		assert.Equal(t, "text/html; charset=utf-8", resp.Headers["Content-Type"])
		assert.Equal(t, "<html><body>hi", resp.Body)
	})

	t.Run("header changes after WriteHeader are ignored", func(t *testing.T) {
		resp, _ := invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Before", "1")
			w.WriteHeader(http.StatusAccepted)
			w.Header().Set("X-After", "1")
			w.WriteHeader(http.StatusTeapot) // superfluous, ignored
		})
		assert.Equal(t, 202, resp.StatusCode)
		assert.Equal(t, map[string]string{"X-Before": "1"}, resp.Headers)
	})

	t.Run("1xx is skipped", func(t *testing.T) {
		resp, _ := invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusOK)
		})
		assert.Equal(t, 200, resp.StatusCode)
	})

	t.Run("no body for HEAD and 204", func(t *testing.T) {
		resp, _ := invoke(t, "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			n, err := w.Write([]byte("ignored"))
			assert.Equal(t, 7, n)
			assert.NoError(t, err)
		})
		assert.Empty(t, resp.Body)
		resp, _ = invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
			_, err := w.Write([]byte("x"))
			assert.ErrorIs(t, err, http.ErrBodyNotAllowed)
		})
		assert.Equal(t, 204, resp.StatusCode)
		assert.Empty(t, resp.Body)
	})

	t.Run("invalid UTF-8 in a header becomes U+FFFD, never invalid JSON", func(t *testing.T) {
		resp, _ := invoke(t, "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Odd", "a\xffb\"\\")
		})
		assert.Equal(t, "a\uFFFDb\"\\", resp.Headers["X-Odd"])
	})

	t.Run("pooled state does not leak into the next response", func(t *testing.T) {
		h := apigw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				w.Header().Set("X-Secret", "1")
				w.Header().Add("Set-Cookie", "s=1")
				w.Write([]byte("first"))
			}
		}))
		for i := 0; i < 50; i++ {
			_, err := h.Invoke(context.Background(), []byte(`{"rawPath":"/","requestContext":{"http":{"method":"POST"}}}`))
			require.NoError(t, err)
		}
		out, err := h.Invoke(context.Background(), []byte(`{"rawPath":"/","requestContext":{"http":{"method":"GET"}}}`))
		require.NoError(t, err)
		assert.JSONEq(t, `{"statusCode":200,"headers":{},"body":""}`, string(out))
	})
}

func TestWriteResponse(t *testing.T) {
	t.Run("structured response", func(t *testing.T) {
		w := httptest.NewRecorder()
		err := apigw.WriteResponse(w, []byte(`{"statusCode":201,"headers":{"Content-Type":"image/png","X-A":"1"},"cookies":["a=1","b=2"],"body":"AAH/","isBase64Encoded":true}`))
		require.NoError(t, err)
		assert.Equal(t, 201, w.Code)
		assert.Equal(t, "image/png", w.Header().Get("Content-Type"))
		assert.Equal(t, "1", w.Header().Get("X-A"))
		assert.Equal(t, []string{"a=1", "b=2"}, w.Header().Values("Set-Cookie"), "one Set-Cookie per cookie")
		assert.Equal(t, []byte{0, 1, 0xff}, w.Body.Bytes(), "base64 body decoded")
	})
	t.Run("payload without statusCode is a 200 JSON body", func(t *testing.T) {
		w := httptest.NewRecorder()
		require.NoError(t, apigw.WriteResponse(w, []byte(`{"hello":"world"}`)))
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.JSONEq(t, `{"hello":"world"}`, w.Body.String())
	})
	t.Run("errors", func(t *testing.T) {
		for _, p := range []string{`nope`, `{"statusCode":42}`, `{"statusCode":200,"body":"***","isBase64Encoded":true}`} {
			assert.Error(t, apigw.WriteResponse(httptest.NewRecorder(), []byte(p)), p)
		}
	})
}

func TestInvoke_ConcurrentInvocationsDoNotShareState(t *testing.T) {
	// The local server invokes one handler from many goroutines; pooled scratch space must
	// never carry one response into another.
	h := apigw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Path", r.URL.Path)
		w.Write([]byte(r.URL.Path))
	}))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				path := fmt.Sprintf("/g%d/i%d", g, i)
				out, err := h.Invoke(context.Background(), []byte(`{"rawPath":"`+path+`","requestContext":{"http":{"method":"GET"}}}`))
				if !assert.NoError(t, err) {
					return
				}
				var resp events.APIGatewayV2HTTPResponse
				if !assert.NoError(t, json.Unmarshal(out, &resp)) {
					return
				}
				assert.Equal(t, path, resp.Body)
				assert.Equal(t, path, resp.Headers["X-Path"])
			}
		})
	}
	wg.Wait()
}
