package apigw

import (
	"encoding/json"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// AppendEventJSON appends the JSON of an API Gateway HTTP API event to b: what API Gateway
// sends the function, and what the local server passes to Invoke. It decodes to the same
// event as encoding/json's output (eventjson_test.go checks that, and a fuzz target keeps
// checking it), in a fraction of the time. Like API Gateway, and unlike encoding/json, it
// leaves out requestContext.authentication when there is no client certificate (mutual
// TLS), and it does not sort map keys. It fails only when the authorizer or the
// authentication block does not marshal.
func AppendEventJSON(b []byte, e *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	b = append(b, `{"version":`...)
	b = appendString(b, e.Version)
	b = append(b, `,"routeKey":`...)
	b = appendString(b, e.RouteKey)
	b = append(b, `,"rawPath":`...)
	b = appendString(b, e.RawPath)
	b = append(b, `,"rawQueryString":`...)
	b = appendString(b, e.RawQueryString)
	if len(e.Cookies) > 0 {
		b = append(b, `,"cookies":`...)
		b = appendStrings(b, e.Cookies)
	}
	b = append(b, `,"headers":`...)
	b = appendMap(b, e.Headers)
	if len(e.QueryStringParameters) > 0 {
		b = append(b, `,"queryStringParameters":`...)
		b = appendMap(b, e.QueryStringParameters)
	}
	if len(e.PathParameters) > 0 {
		b = append(b, `,"pathParameters":`...)
		b = appendMap(b, e.PathParameters)
	}
	if len(e.StageVariables) > 0 {
		b = append(b, `,"stageVariables":`...)
		b = appendMap(b, e.StageVariables)
	}

	rc := &e.RequestContext
	b = append(b, `,"requestContext":{"routeKey":`...)
	b = appendString(b, rc.RouteKey)
	b = append(b, `,"accountId":`...)
	b = appendString(b, rc.AccountID)
	b = append(b, `,"stage":`...)
	b = appendString(b, rc.Stage)
	b = append(b, `,"requestId":`...)
	b = appendString(b, rc.RequestID)
	if rc.Authorizer != nil {
		a, err := json.Marshal(rc.Authorizer)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"authorizer":`...)
		b = append(b, a...)
	}
	b = append(b, `,"apiId":`...)
	b = appendString(b, rc.APIID)
	b = append(b, `,"domainName":`...)
	b = appendString(b, rc.DomainName)
	b = append(b, `,"domainPrefix":`...)
	b = appendString(b, rc.DomainPrefix)
	b = append(b, `,"time":`...)
	b = appendString(b, rc.Time)
	b = append(b, `,"timeEpoch":`...)
	b = strconv.AppendInt(b, rc.TimeEpoch, 10)
	b = append(b, `,"http":{"method":`...)
	b = appendString(b, rc.HTTP.Method)
	b = append(b, `,"path":`...)
	b = appendString(b, rc.HTTP.Path)
	b = append(b, `,"protocol":`...)
	b = appendString(b, rc.HTTP.Protocol)
	b = append(b, `,"sourceIp":`...)
	b = appendString(b, rc.HTTP.SourceIP)
	b = append(b, `,"userAgent":`...)
	b = appendString(b, rc.HTTP.UserAgent)
	b = append(b, '}')
	if rc.Authentication != (events.APIGatewayV2HTTPRequestContextAuthentication{}) {
		a, err := json.Marshal(rc.Authentication)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"authentication":`...)
		b = append(b, a...)
	}
	b = append(b, '}')

	if e.Body != "" {
		b = append(b, `,"body":`...)
		b = appendString(b, e.Body)
	}
	b = append(b, `,"isBase64Encoded":`...)
	b = strconv.AppendBool(b, e.IsBase64Encoded)
	return append(b, '}'), nil
}

// appendMap appends a map of strings as a JSON object (null for a nil map, as
// encoding/json does).
func appendMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	first := true
	for k, v := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, v)
	}
	return append(b, '}')
}
