package stacks

import (
	"context"
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/alarm"
	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/table"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
)

// Function packages, relative to the project root.
const (
	APIPackage    = "./cmd/api"
	WorkerPackage = "./cmd/worker"
)

// AuthorizerName is the JWT authorizer's name in the API.
const AuthorizerName = "jwt"

// Platform is what Program composes, for tests and for other programs that extend it.
type Platform struct {
	// The settings the program decided from the stack's config, and the components it made
	// from them, for tests and extending programs to refer to.
	Settings *Settings
	Provider *aws.Provider
	Alarms   *alarm.Topic
	Table    *table.Table
	Archive  *bucket.Bucket
	Events   *queue.Queue
	APIFunc  *function.Function
	API      *api.API
}

// Outputs are the stack outputs.
func (p *Platform) Outputs() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{
		"apiUrl":        p.API.URL,
		"tableName":     p.Table.Name,
		"bucketName":    p.Archive.Name,
		"queueName":     p.Events.Name,
		"dlqName":       p.Events.DeadLetterName,
		"alarmTopicArn": p.Alarms.ARN,
	}
}

// Program is the platform for one stack. Config errors and function build errors are returned
// before any resource is registered.
func Program(ctx *pulumi.Context) error {
	p, err := New(ctx)
	if err != nil {
		return err
	}
	for k, v := range p.Outputs() {
		ctx.Export(k, v)
	}
	return nil
}

// New composes the inquiries service for the stack: table, archive bucket, events queue with
// the worker as consumer, the API function and the HTTP API built from the service's route
// table, all alarmed to one topic.
func New(ctx *pulumi.Context) (*Platform, error) {
	s, err := LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	// Build every function first: a package that does not compile must fail the run before
	// the first resource exists. The builds are memoized, so function.New reuses them.
	for _, pkg := range []string{APIPackage, WorkerPackage} {
		if _, err := function.Build(context.Background(), ctx.RootDirectory(), pkg); err != nil {
			return nil, err
		}
	}
	routes, authorizers := apiRoutes(s)
	for _, rt := range httpapi.Routes {
		if err := api.CheckPath(rt.Path); err != nil {
			return nil, fmt.Errorf("internal/httpapi.Routes: %s: %w", rt.Key(), err)
		}
	}

	p := &Platform{Settings: s}
	if p.Provider, err = aws.NewProvider(ctx, "aws", providerArgs(ctx, s)); err != nil {
		return nil, err
	}
	opts := []pulumi.ResourceOption{pulumi.Provider(p.Provider)}
	stateful := append(opts[:len(opts):len(opts)], pulumi.Protect(s.Protect))

	if p.Alarms, err = alarm.New(ctx, "alarms", &alarm.Args{Email: s.AlarmEmail}, opts...); err != nil {
		return nil, err
	}
	topic := p.Alarms.ARN
	if p.Table, err = table.New(ctx, "inquiries", &table.Args{
		Attributes:    map[string]table.AttributeType{"pk": table.String},
		HashKey:       "pk",
		TTLAttribute:  "ttl",
		AllowDeletion: s.AllowTableDeletion,
	}, stateful...); err != nil {
		return nil, err
	}
	if p.Archive, err = bucket.New(ctx, "archive", &bucket.Args{
		ForceDestroy:     s.ForceDestroyBuckets,
		AccessLoggingOff: ArchiveAccessLoggingOff,
	}, stateful...); err != nil {
		return nil, err
	}
	// Each function is granted the operations its code performs, and nothing else: what
	// cmd/api and cmd/worker call against the emulators (their testdata/aws-calls.json),
	// which grants_test.go holds equal to the role policies below.
	if p.Events, err = queue.New(ctx, "events", &queue.Args{
		Consumer: &function.Args{
			Package:      WorkerPackage,
			Description:  "Inquiries worker: archives inquiries and marks them processed",
			MemoryMB:     256,
			Timeout:      30 * time.Second,
			LogRetention: s.LogRetention,
			Environment:  pulumi.StringMap{"TABLE_NAME": p.Table.Name, "BUCKET_NAME": p.Archive.Name},
			Grants:       []grant.Grant{p.Table.Grant(table.ItemGet, table.ItemUpdate), p.Archive.Grant(bucket.ObjectPut)},
			AlarmTopic:   topic,
		},
		BatchSize:      10,
		MaxConcurrency: 10,
		AlarmTopic:     topic,
	}, opts...); err != nil {
		return nil, err
	}
	if p.APIFunc, err = function.New(ctx, "api", &function.Args{
		Package:      APIPackage,
		Description:  "Inquiries HTTP API",
		MemoryMB:     256,
		Timeout:      10 * time.Second,
		LogRetention: s.LogRetention,
		Environment:  pulumi.StringMap{"TABLE_NAME": p.Table.Name, "QUEUE_URL": p.Events.URL},
		Grants:       []grant.Grant{p.Table.Grant(table.ItemGet, table.ItemPut), p.Events.Grant(queue.Send)},
		AlarmTopic:   topic,
	}, opts...); err != nil {
		return nil, err
	}
	for i := range routes {
		routes[i].Function = p.APIFunc
	}
	if p.API, err = api.New(ctx, "http", &api.Args{
		Routes:         routes,
		JWTAuthorizers: authorizers,
		LogRetention:   s.LogRetention,
		AlarmTopic:     topic,
	}, opts...); err != nil {
		return nil, err
	}
	return p, nil
}

// apiRoutes turns the service's route table into API routes: public routes stay public;
// the others need the JWT authorizer, and the protected GET routes the stack's read scope
// (auth.readScope, when set), unless the stack explicitly made them public. A public
// $default route sends every other request to the same handler, so unknown paths and wrong
// methods get its problem+json 404 and 405 (with Allow) as they do locally, not API
// Gateway's bare {"message":"Not Found"}. The handler never serves a protected route
// through it, whatever the path's spelling: it serves a protected route only for an event of
// that route's own key (internal/httpapi), which API Gateway sends only past the authorizer.
func apiRoutes(s *Settings) ([]api.Route, map[string]api.JWTAuthorizer) {
	var authorizers map[string]api.JWTAuthorizer
	if !s.Auth.PublicReads {
		authorizers = map[string]api.JWTAuthorizer{AuthorizerName: {Issuer: s.Auth.Issuer, Audiences: s.Auth.Audiences}}
	}
	routes := make([]api.Route, 0, len(httpapi.Routes))
	for _, rt := range httpapi.Routes {
		r := api.Route{Method: rt.Method, Path: rt.Path, Public: rt.Public || s.Auth.PublicReads}
		if !r.Public {
			r.Authorizer = AuthorizerName
			if rt.Method == "GET" && s.Auth.ReadScope != "" {
				r.AuthorizationScopes = []string{s.Auth.ReadScope}
			}
		}
		routes = append(routes, r)
	}
	routes = append(routes, api.Route{Path: api.DefaultRoute, Public: true})
	return routes, authorizers
}

// Tags returns the default tags every resource of the stack carries.
func Tags(ctx *pulumi.Context, s *Settings) map[string]string {
	tags := map[string]string{
		"environment": ctx.Stack(),
		"project":     ctx.Project(),
		"managed-by":  "pulumi",
	}
	if s.Owner != "" {
		tags["owner"] = s.Owner
	}
	if s.CostCenter != "" {
		tags["cost-center"] = s.CostCenter
	}
	return tags
}

func providerArgs(ctx *pulumi.Context, s *Settings) *aws.ProviderArgs {
	args := &aws.ProviderArgs{
		Region:      pulumi.String(s.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(Tags(ctx, s))},
	}
	if s.AccountID != "" {
		args.AllowedAccountIds = pulumi.ToStringArray([]string{s.AccountID})
	}
	return args
}
