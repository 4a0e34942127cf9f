package api

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// The roles of the children, as naming.Child appends them to the component's name.
const (
	roleAccessLogs       = "access-logs"
	roleDomain           = "domain"
	roleMapping          = "mapping"
	roleDNS              = "dns"
	role5xx              = "5xx"
	roleLatency          = "latency-p99"
	roleInvoke           = "-invoke"            // after a route function's name
	roleAuthorizerInvoke = "-authorizer-invoke" // after a Lambda authorizer's name
)

var (
	hostLabel  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	originHost = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)
	headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
	// identitySource is a Lambda authorizer's identity source: a request header or query
	// parameter, a context variable or a stage variable.
	identitySource = regexp.MustCompile(`^\$(request\.header|request\.querystring|context|stageVariables)\.[A-Za-z0-9._-]+$`)
)

// defaultCORSHeaders are what AllowHeaders means when nil: what a JSON API with bearer
// tokens needs.
var defaultCORSHeaders = []string{"authorization", "content-type"}

// settings are Args with every default applied, as New registers them.
type settings struct {
	Args
	// functions are the routes' functions in order of first appearance: one integration and
	// one permission each.
	functions []*function.Function
	// cors is nil without Args.CORS; else it has every default applied.
	cors *CORS
}

// authorizationType is a route's authorizationType for the authorizer it names.
func (s settings) authorizationType(authorizer string) string {
	if _, ok := s.JWTAuthorizers[authorizer]; ok {
		return "JWT"
	}
	if _, ok := s.LambdaAuthorizers[authorizer]; ok {
		return "CUSTOM"
	}
	return "NONE"
}

// resolve validates a for an API named name and applies its defaults. The error reports every
// invalid field at once; a's maps and slices are never modified.
func resolve(name string, a Args) (settings, error) {
	r := check.New("api", name)
	s := settings{Args: a}
	checkName(r, name, a)
	if len(a.Name) > naming.HTTPAPI.Max {
		r.Addf("Name", "%q is %d characters, over the %d API Gateway allows", a.Name, len(a.Name), naming.HTTPAPI.Max)
	}
	if s.Description == "" {
		s.Description = "The " + name + " HTTP API"
	}
	if len(a.Description) > MaxDescriptionLen {
		r.Addf("Description", "is %d characters, over the %d API Gateway allows", len(a.Description), MaxDescriptionLen)
	}
	if a.DisableExecuteAPIEndpoint && a.Domain == nil {
		r.Addf("DisableExecuteAPIEndpoint", "is set without a Domain: the API would have no endpoint at all")
	}
	s.Throttle = resolveThrottle(r, "Throttle", a.Throttle, Throttle{BurstLimit: DefaultBurstLimit, RateLimit: DefaultRateLimit})
	if s.LogRetention == 0 {
		s.LogRetention = DefaultLogRetention
	}
	r.LogRetention("LogRetention", s.LogRetention)
	if a.ServerErrorThreshold < 0 {
		r.Addf("ServerErrorThreshold", "%d is negative", a.ServerErrorThreshold)
	}
	if s.ServerErrorThreshold == 0 {
		s.ServerErrorThreshold = DefaultServerErrorThreshold
	}
	if a.LatencyThreshold < 0 || a.LatencyThreshold%time.Millisecond != 0 {
		r.Addf("LatencyThreshold", "%v must be positive whole milliseconds", a.LatencyThreshold)
	}
	if s.LatencyThreshold == 0 {
		s.LatencyThreshold = DefaultLatencyThreshold
	}

	checkJWTAuthorizers(r, a.JWTAuthorizers)
	s.LambdaAuthorizers = resolveLambdaAuthorizers(r, a)
	s.Routes, s.functions = resolveRoutes(r, a, s.Throttle)
	checkPermissionNames(r, name, a)
	if a.CORS != nil {
		s.cors = resolveCORS(r, *a.CORS, a.Routes)
	}
	if a.Domain != nil {
		checkDomain(r, *a.Domain)
	}
	return s, r.Err()
}

// checkName refuses a component name for which a child's physical name would break its
// kind's limits. The children named after an authorizer depend on the authorizer's name too:
// one too long for any component name is reported under its own field instead.
func checkName(r *check.Report, name string, a Args) {
	children := []naming.Physical{
		{Role: roleAccessLogs, Kind: naming.LogGroup},
		{Role: role5xx, Kind: naming.MetricAlarm},
		{Role: roleLatency, Kind: naming.MetricAlarm},
	}
	if a.Name == "" {
		children = append(children, naming.Physical{Kind: naming.HTTPAPI})
	}
	for _, fn := range routeFunctions(a.Routes) {
		children = append(children, naming.Physical{Role: fn.PulumiResourceName() + roleInvoke, Kind: naming.LambdaPermission})
	}
	authorizer := func(field, key string, own []naming.Physical) {
		if naming.MaxName(own) < 1 {
			r.Addf(field, "name is %d characters: its children's names (%s) would break AWS's limits whatever the API's name",
				len(key), naming.Child("<name>", own[len(own)-1].Role))
			return
		}
		children = append(children, own...)
	}
	for _, k := range slices.Sorted(maps.Keys(a.JWTAuthorizers)) {
		authorizer(fmt.Sprintf("JWTAuthorizers[%s]", k), k, []naming.Physical{{Role: k, Kind: naming.Authorizer}})
	}
	for _, k := range slices.Sorted(maps.Keys(a.LambdaAuthorizers)) {
		authorizer(fmt.Sprintf("LambdaAuthorizers[%s]", k), k, []naming.Physical{
			{Role: k, Kind: naming.Authorizer}, {Role: k + roleAuthorizerInvoke, Kind: naming.LambdaPermission}})
	}
	r.Name(children)
}

// routeFunctions are the distinct non-nil functions of routes, by component name, in order
// of first appearance.
func routeFunctions(routes []Route) []*function.Function {
	var out []*function.Function
	seen := map[string]bool{}
	for _, rt := range routes {
		if rt.Function != nil && !seen[rt.Function.PulumiResourceName()] {
			seen[rt.Function.PulumiResourceName()] = true
			out = append(out, rt.Function)
		}
	}
	return out
}

// checkPermissionNames refuses a Lambda authorizer whose permission would have the logical
// name of a route function's (authorizer "a" and function "a-authorizer").
func checkPermissionNames(r *check.Report, name string, a Args) {
	fnPerm := map[string]string{}
	for _, fn := range routeFunctions(a.Routes) {
		fnPerm[naming.Child(name, fn.PulumiResourceName()+roleInvoke)] = fn.PulumiResourceName()
	}
	for _, k := range slices.Sorted(maps.Keys(a.LambdaAuthorizers)) {
		if fn, clash := fnPerm[naming.Child(name, k+roleAuthorizerInvoke)]; clash {
			r.Addf(fmt.Sprintf("LambdaAuthorizers[%s]", k), "has a permission named %q, as function %q's is: rename one",
				naming.Child(name, k+roleAuthorizerInvoke), fn)
		}
	}
}

// resolveThrottle checks t (field names it) and fills its zero fields from defaults.
func resolveThrottle(r *check.Report, field string, t, defaults Throttle) Throttle {
	if t.BurstLimit < 0 {
		r.Addf(field+".BurstLimit", "%d is negative", t.BurstLimit)
	}
	if t.RateLimit < 0 {
		r.Addf(field+".RateLimit", "%g is negative", t.RateLimit)
	}
	if t.BurstLimit == 0 {
		t.BurstLimit = defaults.BurstLimit
	}
	if t.RateLimit == 0 {
		t.RateLimit = defaults.RateLimit
	}
	return t
}

// checkAuthorizerName checks an authorizer's name, which becomes part of its children's names.
func checkAuthorizerName(r *check.Report, field, key string) {
	if key == "" || !naming.Authorizer.Allows(key) || !naming.LambdaPermission.Allows(key) {
		r.Addf(field, "name %q must be letters, digits, '-' and '_': it names the authorizer's children", key)
	}
}

func checkJWTAuthorizers(r *check.Report, authorizers map[string]JWTAuthorizer) {
	for _, k := range slices.Sorted(maps.Keys(authorizers)) {
		j := authorizers[k]
		field := fmt.Sprintf("JWTAuthorizers[%s]", k)
		checkAuthorizerName(r, field, k)
		u, err := url.Parse(j.Issuer)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			r.Addf(field+".Issuer", "%q must be an https:// URL", j.Issuer)
		}
		if len(j.Audiences) == 0 {
			r.Addf(field+".Audiences", "is empty: name at least one accepted audience")
		}
		for i, aud := range j.Audiences {
			if strings.TrimSpace(aud) == "" {
				r.Addf(fmt.Sprintf("%s.Audiences[%d]", field, i), "is empty")
			}
		}
	}
}

// resolveLambdaAuthorizers checks a's Lambda authorizers and returns a copy with their
// defaults applied.
func resolveLambdaAuthorizers(r *check.Report, a Args) map[string]LambdaAuthorizer {
	if a.LambdaAuthorizers == nil {
		return nil
	}
	out := make(map[string]LambdaAuthorizer, len(a.LambdaAuthorizers))
	for _, k := range slices.Sorted(maps.Keys(a.LambdaAuthorizers)) {
		l := a.LambdaAuthorizers[k]
		field := fmt.Sprintf("LambdaAuthorizers[%s]", k)
		checkAuthorizerName(r, field, k)
		if _, dup := a.JWTAuthorizers[k]; dup {
			r.Addf(field, "has the name of JWTAuthorizers[%s]: routes name authorizers by name alone", k)
		}
		if l.Function == nil {
			r.Addf(field+".Function", "is nil: a Lambda authorizer needs the function that decides")
		}
		if l.IdentitySources == nil {
			l.IdentitySources = []string{DefaultIdentitySource}
		}
		if len(l.IdentitySources) == 0 {
			r.Addf(field+".IdentitySources", "is empty: name at least one, or leave it nil for %s", DefaultIdentitySource)
		}
		seen := map[string]bool{}
		for i, src := range l.IdentitySources {
			f := fmt.Sprintf("%s.IdentitySources[%d]", field, i)
			switch {
			case !identitySource.MatchString(src):
				r.Addf(f, "%q is not $request.header.<name>, $request.querystring.<name>, $context.<name> or $stageVariables.<name>", src)
			case seen[src]:
				r.Addf(f, "%q appears twice", src)
			}
			seen[src] = true
		}
		r.Seconds(field+".ResultTTL", l.ResultTTL, 0, MaxResultTTL)
		out[k] = l
	}
	return out
}

// resolveRoutes checks a's routes and returns a copy whose throttles are complete (zero
// fields take the stage's), with the routes' distinct functions.
func resolveRoutes(r *check.Report, a Args, stage Throttle) ([]Route, []*function.Function) {
	if len(a.Routes) == 0 {
		r.Addf("Routes", "is empty: an API needs at least one route")
		return nil, nil
	}
	routes := make([]Route, len(a.Routes))
	seen := map[string]string{} // method + shape -> the first route's label
	fnAt := map[string]string{} // function name -> the first route's label
	fns := map[string]*function.Function{}
	for i, rt := range a.Routes {
		label := fmt.Sprintf("Routes[%d]", i)
		if key, ok := routeShape(r, label, rt); ok {
			label += " (" + rt.Key() + ")"
			if prev, dup := seen[key]; dup {
				r.Addf(label, "has the same method and path as %s: path parameters match by position", prev)
			} else {
				seen[key] = label
			}
		}
		if rt.Function == nil {
			r.Addf(label+".Function", "is nil: every route needs a function")
		} else if fname := rt.Function.PulumiResourceName(); fns[fname] == nil {
			fns[fname], fnAt[fname] = rt.Function, label
		} else if fns[fname] != rt.Function {
			r.Addf(label+".Function", "is another function named %q than %s's: their integrations would share a name", fname, fnAt[fname])
		}
		checkAuthorization(r, label, rt, a)
		if rt.Throttle != nil {
			t := resolveThrottle(r, label+".Throttle", *rt.Throttle, stage)
			rt.Throttle = &t
		}
		routes[i] = rt
	}
	return routes, routeFunctions(a.Routes)
}

// routeShape checks a route's method and path, and returns its method and path shape (what
// two routes must not share), or false when either is invalid.
func routeShape(r *check.Report, label string, rt Route) (string, bool) {
	if rt.isDefault() {
		return DefaultRoute, true
	}
	ok := true
	if err := CheckMethod(rt.Method); err != nil {
		r.Add(label+".Method", err)
		ok = false
	}
	if rt.Path == DefaultRoute {
		r.Addf(label+".Path", "%q is the default route's, which has no Method: leave Method empty", rt.Path)
		return "", false
	}
	if err := CheckPath(rt.Path); err != nil {
		r.Add(label+".Path", err)
		ok = false
	}
	return rt.Method + " " + shape(rt.Path), ok
}

// checkAuthorization checks that a route is Public or names an authorizer of a, and the
// route's scopes.
func checkAuthorization(r *check.Report, label string, rt Route, a Args) {
	_, jwt := a.JWTAuthorizers[rt.Authorizer]
	_, custom := a.LambdaAuthorizers[rt.Authorizer]
	switch {
	case rt.Public && rt.Authorizer != "":
		r.Addf(label, "is Public and names Authorizer %q: choose one", rt.Authorizer)
	case !rt.Public && rt.Authorizer == "":
		r.Addf(label, "names no Authorizer and is not marked Public: every route needs an authorization decision")
	case rt.Authorizer != "" && !jwt && !custom:
		names := append(slices.Collect(maps.Keys(a.JWTAuthorizers)), slices.Collect(maps.Keys(a.LambdaAuthorizers))...)
		slices.Sort(names)
		r.Addf(label+".Authorizer", "%q is not in JWTAuthorizers or LambdaAuthorizers %v", rt.Authorizer, names)
	}
	if len(rt.AuthorizationScopes) == 0 {
		return
	}
	field := label + ".AuthorizationScopes"
	if !jwt {
		why := "it names no authorizer"
		if custom {
			why = fmt.Sprintf("%q is a Lambda authorizer, which decides by itself", rt.Authorizer)
		}
		r.Addf(field, "%q: only a route with a JWT authorizer can require scopes; %s", rt.AuthorizationScopes, why)
		return
	}
	seen := map[string]bool{}
	for i, sc := range rt.AuthorizationScopes {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := CheckScope(sc); err != nil {
			r.Add(f, err)
		} else if seen[sc] {
			r.Addf(f, "%q appears twice", sc)
		}
		seen[sc] = true
	}
}

// resolveCORS checks c and fills its defaults from the routes.
func resolveCORS(r *check.Report, c CORS, routes []Route) *CORS {
	if len(c.AllowOrigins) == 0 {
		r.Addf("CORS.AllowOrigins", "is empty: name the origins allowed to call the API")
	}
	for i, o := range c.AllowOrigins {
		field := fmt.Sprintf("CORS.AllowOrigins[%d]", i)
		if o == "*" {
			if !c.AllowAnyOrigin {
				r.Addf(field, "\"*\" lets any web page call the API; set CORS.AllowAnyOrigin to mean it")
			}
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !originHost.MatchString(u.Host) ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(o, "/") {
			r.Addf(field, "%q is not an origin (scheme://host[:port], no path)", o)
		}
	}
	if c.AllowCredentials && c.AllowAnyOrigin {
		r.Addf("CORS.AllowCredentials", "cannot be combined with CORS.AllowAnyOrigin")
	}
	r.Seconds("CORS.MaxAge", c.MaxAge, 0, MaxCORSMaxAge)
	for i, m := range c.AllowMethods {
		if m != "*" && (m == "ANY" || CheckMethod(m) != nil) {
			r.Addf(fmt.Sprintf("CORS.AllowMethods[%d]", i), "%q is not an HTTP method or \"*\"", m)
		}
	}
	for _, field := range []struct {
		name string
		vals []string
	}{{"AllowHeaders", c.AllowHeaders}, {"ExposeHeaders", c.ExposeHeaders}} {
		for i, h := range field.vals {
			if h != "*" && !headerName.MatchString(h) {
				r.Addf(fmt.Sprintf("CORS.%s[%d]", field.name, i), "%q is not a header name", h)
			}
		}
	}
	if c.AllowMethods == nil {
		c.AllowMethods = routeMethods(routes)
	}
	if c.AllowHeaders == nil {
		c.AllowHeaders = defaultCORSHeaders
	}
	return &c
}

// routeMethods are the distinct methods of routes in Methods order; "*" when one is ANY.
func routeMethods(routes []Route) []string {
	var out []string
	for _, m := range Methods {
		for _, r := range routes {
			if r.Method == m {
				if m == "ANY" {
					return []string{"*"}
				}
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func checkDomain(r *check.Report, d Domain) {
	name := strings.TrimPrefix(d.Name, "*.")
	labels := strings.Split(name, ".")
	if len(d.Name) > 253 || len(labels) < 2 {
		r.Addf("Domain.Name", "%q is not a fully qualified domain name", d.Name)
	} else {
		for _, l := range labels {
			if !hostLabel.MatchString(l) {
				r.Addf("Domain.Name", "%q: label %q must be 1-63 lowercase letters, digits or '-', not starting or ending with '-'", d.Name, l)
				break
			}
		}
	}
	if d.CertificateARN == nil {
		r.Addf("Domain.CertificateARN", "is nil: a custom domain needs an ACM certificate")
	}
}
