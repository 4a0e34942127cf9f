package api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/internal/check"
)

// The defaulting decisions, without the engine.
func TestResolveDefaults(t *testing.T) {
	fn := &function.Function{}
	route := Route{Method: "GET", Path: "/x", Function: fn, Public: true}
	tests := []struct {
		name  string
		args  Args
		check func(t *testing.T, s settings)
	}{
		{"zero Args but a route", Args{Routes: []Route{route}}, func(t *testing.T, s settings) {
			assert.Equal(t, Throttle{BurstLimit: 100, RateLimit: 50}, s.Throttle, "Throttle")
			assert.Equal(t, 30*24*time.Hour, s.LogRetention, "LogRetention")
			assert.Equal(t, 1, s.ServerErrorThreshold, "ServerErrorThreshold")
			assert.Equal(t, time.Second, s.LatencyThreshold, "LatencyThreshold")
			assert.Equal(t, "The http HTTP API", s.Description, "Description")
			assert.Empty(t, s.Name, "Name: auto-named")
			assert.Nil(t, s.cors, "no CORS")
			assert.Equal(t, []*function.Function{fn}, s.functions, "the route's function")
			assert.Nil(t, s.Routes[0].Throttle, "a route without throttling of its own")
		}},
		{"stage throttle with one field", Args{Routes: []Route{route}, Throttle: Throttle{RateLimit: 5}}, func(t *testing.T, s settings) {
			assert.Equal(t, Throttle{BurstLimit: 100, RateLimit: 5}, s.Throttle, "the zero field takes its default")
		}},
		{"route throttle with one field", Args{Routes: []Route{{Method: "GET", Path: "/x", Function: fn, Public: true, Throttle: &Throttle{BurstLimit: 7}}},
			Throttle: Throttle{BurstLimit: 20, RateLimit: 9}}, func(t *testing.T, s settings) {
			assert.Equal(t, &Throttle{BurstLimit: 7, RateLimit: 9}, s.Routes[0].Throttle, "the zero field takes the stage's")
		}},
		{"Lambda authorizer", Args{Routes: []Route{route}, LambdaAuthorizers: map[string]LambdaAuthorizer{"p": {Function: fn}}}, func(t *testing.T, s settings) {
			assert.Equal(t, []string{"$request.header.Authorization"}, s.LambdaAuthorizers["p"].IdentitySources, "IdentitySources")
			assert.Zero(t, s.LambdaAuthorizers["p"].ResultTTL, "no caching")
			assert.Equal(t, "CUSTOM", s.authorizationType("p"), "a Lambda authorizer's routes are CUSTOM")
		}},
		{"JWT authorizer", Args{Routes: []Route{route}, JWTAuthorizers: map[string]JWTAuthorizer{"u": {Issuer: "https://id.example.com", Audiences: []string{"a"}}}},
			func(t *testing.T, s settings) {
				assert.Equal(t, "JWT", s.authorizationType("u"), "a JWT authorizer's routes are JWT")
				assert.Equal(t, "NONE", s.authorizationType(""), "a public route")
			}},
		{"CORS", Args{Routes: []Route{route, {Method: "POST", Path: "/x", Function: fn, Public: true}}, CORS: &CORS{AllowOrigins: []string{"https://a.example.com"}}},
			func(t *testing.T, s settings) {
				require.NotNil(t, s.cors)
				assert.Equal(t, []string{"GET", "POST"}, s.cors.AllowMethods, "the routes' methods")
				assert.Equal(t, []string{"authorization", "content-type"}, s.cors.AllowHeaders, "JSON and bearer headers")
			}},
		{"explicit values stay", Args{Routes: []Route{route}, Name: "Orders API", Description: "Orders", LogRetention: 7 * 24 * time.Hour,
			ServerErrorThreshold: 5, LatencyThreshold: 300 * time.Millisecond}, func(t *testing.T, s settings) {
			assert.Equal(t, "Orders API", s.Name, "Name")
			assert.Equal(t, "Orders", s.Description, "Description")
			assert.Equal(t, 7*24*time.Hour, s.LogRetention, "LogRetention")
			assert.Equal(t, 5, s.ServerErrorThreshold, "ServerErrorThreshold")
			assert.Equal(t, 300*time.Millisecond, s.LatencyThreshold, "LatencyThreshold")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := resolve("http", tc.args)
			require.NoError(t, err)
			tc.check(t, s)
		})
	}
}

func TestResolveLeavesArgsAlone(t *testing.T) {
	// Given Args whose maps and slices resolve fills defaults into
	fn := &function.Function{}
	throttle := &Throttle{BurstLimit: 3}
	a := Args{
		Routes:            []Route{{Method: "GET", Path: "/x", Function: fn, Authorizer: "p", Throttle: throttle}},
		LambdaAuthorizers: map[string]LambdaAuthorizer{"p": {Function: fn}},
	}
	// When it is resolved
	_, err := resolve("http", a)
	require.NoError(t, err)
	// Then the caller's values are unchanged
	assert.Nil(t, a.LambdaAuthorizers["p"].IdentitySources, "the caller's authorizer keeps its nil IdentitySources")
	assert.Equal(t, &Throttle{BurstLimit: 3}, throttle, "the caller's route throttle keeps its zero RateLimit")
	assert.Same(t, throttle, a.Routes[0].Throttle, "the caller's route keeps its throttle")
}

// Every invalid field is reported at once, each under its field, in the order of Args.
func TestResolveReportsEveryInvalidField(t *testing.T) {
	fn := &function.Function{}
	a := Args{
		Name: strings.Repeat("n", 129),
		Routes: []Route{
			{Method: "GET", Path: "/x", Function: fn},
			{Method: "FETCH", Path: "/y/", Function: fn, Public: true},
			{Method: "GET", Path: "/x", Public: true, Throttle: &Throttle{BurstLimit: -1}},
		},
		JWTAuthorizers:    map[string]JWTAuthorizer{"u": {Issuer: "http://id.example.com"}},
		LambdaAuthorizers: map[string]LambdaAuthorizer{"p": {ResultTTL: -time.Second}},
		Throttle:          Throttle{RateLimit: -1},
		LogRetention:      2 * 24 * time.Hour,
		CORS:              &CORS{AllowOrigins: []string{"*"}},
		Domain:            &Domain{Name: "localhost"},
	}
	_, err := resolve("my api", a)
	var report *check.Error
	require.True(t, errors.As(err, &report), "a *check.Error: %v", err)
	var fields []string
	for _, p := range report.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{
		"name",
		"Name",
		"Throttle.RateLimit",
		"LogRetention",
		"JWTAuthorizers[u].Issuer",
		"JWTAuthorizers[u].Audiences",
		"LambdaAuthorizers[p].Function",
		"LambdaAuthorizers[p].ResultTTL",
		"Routes[0] (GET /x)",
		"Routes[1].Method",
		"Routes[1].Path",
		"Routes[2] (GET /x)",
		"Routes[2] (GET /x).Function",
		"Routes[2] (GET /x).Throttle.BurstLimit",
		"CORS.AllowOrigins[0]",
		"Domain.Name",
		"Domain.CertificateARN",
	}, fields, "every invalid field, in order")
	assert.Contains(t, err.Error(), `api "my api": 17 invalid fields:`, "one error names the component and the count")
}
