package main

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/alarm"
	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/table"
	"github.com/groundwork-dev/groundwork/internal/plan"
	"github.com/groundwork-dev/groundwork/stacks"
)

// BenchmarkSynthAll is synth -stack all in process (function builds cached), for profiles.
func BenchmarkSynthAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run([]string{"-stack", "all"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// services is a program of n copies of the inquiries service, composed as stacks.New
// composes one (table, archive bucket, queue with the worker as consumer, API function,
// HTTP API), each copy's names prefixed, all alarmed to one topic.
func services(n int) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		prov, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
		if err != nil {
			return err
		}
		opts := []pulumi.ResourceOption{pulumi.Provider(prov)}
		alarms, err := alarm.New(ctx, "alarms", &alarm.Args{}, opts...)
		if err != nil {
			return err
		}
		for i := range n {
			p := fmt.Sprintf("s%d-", i)
			tbl, err := table.New(ctx, p+"inquiries", &table.Args{
				Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk", TTLAttribute: "ttl",
			}, opts...)
			if err != nil {
				return err
			}
			arch, err := bucket.New(ctx, p+"archive", &bucket.Args{}, opts...)
			if err != nil {
				return err
			}
			events, err := queue.New(ctx, p+"events", &queue.Args{
				Consumer: &function.Args{
					Package: stacks.WorkerPackage, MemoryMB: 256, Timeout: 30 * time.Second, LogRetention: 30 * 24 * time.Hour,
					Environment: pulumi.StringMap{"TABLE_NAME": tbl.Name, "BUCKET_NAME": arch.Name},
					Grants:      []grant.Grant{tbl.Grant(table.ItemGet, table.ItemUpdate), arch.Grant(bucket.ObjectPut)},
					AlarmTopic:  alarms.ARN,
				},
				BatchSize: 10, MaxConcurrency: 10, AlarmTopic: alarms.ARN,
			}, opts...)
			if err != nil {
				return err
			}
			fn, err := function.New(ctx, p+"api", &function.Args{
				Package: stacks.APIPackage, MemoryMB: 256, Timeout: 10 * time.Second, LogRetention: 30 * 24 * time.Hour,
				Environment: pulumi.StringMap{"TABLE_NAME": tbl.Name, "QUEUE_URL": events.URL},
				Grants:      []grant.Grant{tbl.Grant(table.ItemGet, table.ItemPut), events.Grant(queue.Send)},
				AlarmTopic:  alarms.ARN,
			}, opts...)
			if err != nil {
				return err
			}
			if _, err := api.New(ctx, p+"http", &api.Args{
				// Every route behind the authorizer: a public route needs a suppression with
				// its reason, which is the stacks' business, not the benchmark's.
				Routes: []api.Route{
					{Method: "GET", Path: "/healthz", Authorizer: "jwt", Function: fn},
					{Method: "POST", Path: "/v1/inquiries", Authorizer: "jwt", Function: fn},
					{Method: "GET", Path: "/v1/inquiries/{id}", Authorizer: "jwt", Function: fn},
					{Path: api.DefaultRoute, Authorizer: "jwt", Function: fn},
				},
				JWTAuthorizers: map[string]api.JWTAuthorizer{"jwt": {Issuer: "https://id.example.com/", Audiences: []string{"api"}}},
				LogRetention:   30 * 24 * time.Hour,
				AlarmTopic:     alarms.ARN,
			}, opts...); err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkServices runs n copies of the service under the mocks and checks the baseline, as
// synth does for a stack, and reports the cost per service: flat as n grows means the
// recording, the mocks and the checks scale linearly.
func BenchmarkServices(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			program := services(n)
			check := func() {
				rec, err := componenttest.Run(program, componenttest.Stack("bench"))
				if err != nil {
					b.Fatal(err)
				}
				// Violations are counted, not failed: the copies leave out what the stacks
				// configure per stack (suppressions with reasons), and the baseline's rules
				// change on their own schedule; the cost of evaluating them is measured.
				rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(rep.Violations)%n != 0 {
					b.Fatalf("%d violations for %d copies of one service: the copies differ", len(rep.Violations), n)
				}
				c := &converter{}
				c.planResources(rec.Resources())
			}
			check() // builds the functions once
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				check()
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/float64(n), "ns/service")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/float64(n), "allocs/service")
		})
	}
}

// BenchmarkDiff compares prod's plan with a base in which its queue and everything below it
// had other names, aliased: the case where the diff reads renamed ids and names back.
func BenchmarkDiff(b *testing.B) {
	read := func() *plan.Plan {
		var out bytes.Buffer
		if code := run([]string{"-stack", "prod", "-json"}, &out, io.Discard); code != exitOK {
			b.Fatalf("synth -json: exit status %d", code)
		}
		p, err := plan.Read(&out)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	next := &read().Stacks[0]
	// The base: the queue's resources under other URNs (to), so with other mock ids and names,
	// in their own values and in those of what refers to them.
	const from, to = "groundwork:queue:Queue::events", "groundwork:queue:Queue::jobs"
	var text bytes.Buffer
	if err := plan.Write(&text, &plan.Plan{Stacks: []plan.Stack{*next}}); err != nil {
		b.Fatal(err)
	}
	doc := text.String()
	renamed := 0
	for _, r := range next.Resources {
		u, err := plan.ParseURN(r.URN)
		if err != nil {
			b.Fatal(err)
		}
		under := len(u.ParentTypes) > 0 && u.ParentTypes[0] == "groundwork:queue:Queue" || strings.HasSuffix(r.URN, from)
		if rest, ok := strings.CutPrefix(u.Name, "events"); ok && under {
			for _, id := range []string{r.ID, r.PhysicalName} {
				if len(id) >= 8 {
					doc = strings.ReplaceAll(doc, id, id+"0")
				}
			}
			u.Name = "jobs" + rest
			doc = strings.ReplaceAll(doc, `"`+r.URN+`"`, `"`+u.String()+`"`)
			renamed++
		}
	}
	if renamed < 10 {
		b.Fatalf("renamed %d resources of the queue, want them all", renamed)
	}
	bp, err := plan.Read(strings.NewReader(doc))
	if err != nil {
		b.Fatal(err)
	}
	base := bp.Stacks[0]
	for i := range next.Resources {
		if strings.HasSuffix(next.Resources[i].URN, from) {
			next.Resources[i].Aliases = []string{strings.Replace(next.Resources[i].URN, from, to, 1)}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if d := plan.Diff(&base, next); d.Count(plan.Replace) != 0 {
			b.Fatalf("replacements in an aliased rename: %+v", d.Changes)
		}
	}
}
