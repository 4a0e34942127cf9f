package httpapi_test

import (
	"fmt"

	"github.com/groundwork-dev/groundwork/internal/httpapi"
)

// The route table is the one list of routes: the handler, the stack program's API
// Gateway routes and the local server are built from it.
func ExampleRoutes() {
	for _, r := range httpapi.Routes {
		auth := "JWT"
		if r.Public {
			auth = "public"
		}
		fmt.Printf("%-24s %s\n", r.Key(), auth)
	}
	// Output:
	// GET /healthz             public
	// POST /v1/inquiries       public
	// GET /v1/inquiries/{id}   JWT
}

func ExampleMatch() {
	route, params, ok := httpapi.Match("GET", "/v1/inquiries/01ARZ3NDEKTSV4RRFFQ69G5FAV")
	fmt.Println(route.Key(), params, ok)
	_, _, ok = httpapi.Match("DELETE", "/healthz")
	fmt.Println(ok)
	// Output:
	// GET /v1/inquiries/{id} map[id:01ARZ3NDEKTSV4RRFFQ69G5FAV] true
	// false
}
