package apigw_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/groundwork-dev/groundwork/internal/apigw"
)

// A Lambda function serves an http.Handler with lambda.Start(apigw.Handler(h)); this is what
// one invocation does with the event API Gateway sends.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"hello":%q,"lang":%q}`, r.PathValue("name"), r.URL.Query().Get("lang"))
	})

	event := `{"version":"2.0","routeKey":"GET /hello/{name}","rawPath":"/hello/ada","rawQueryString":"lang=en",
		"headers":{"accept":"application/json"},"requestContext":{"http":{"method":"GET","path":"/hello/ada"}}}`
	out, err := apigw.Handler(mux).Invoke(context.Background(), []byte(event))
	fmt.Println(string(out), err)
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"hello\":\"ada\",\"lang\":\"en\"}","cookies":["seen=1"]} <nil>
}
