package stacks

import (
	"context"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/storage"
)

// Function packages, relative to the project root.
const (
	APIPackage = "./cmd/api"
)

// Program is the platform for one stack. Config errors and function build errors are returned
// before any resource is registered.
func Program(ctx *pulumi.Context) error {
	s, err := LoadSettings(ctx)
	if err != nil {
		return err
	}
	// Build every function first: a package that does not compile must fail the run before
	// the first resource exists. The builds are memoized, so function.New reuses them.
	for _, pkg := range []string{APIPackage} {
		if _, err := function.Build(context.Background(), ctx.RootDirectory(), pkg); err != nil {
			return err
		}
	}

	provider, err := aws.NewProvider(ctx, "aws", providerArgs(ctx, s))
	if err != nil {
		return err
	}
	opts := []pulumi.ResourceOption{pulumi.Provider(provider)}
	stateful := append(opts[:len(opts):len(opts)], pulumi.Protect(s.Protect))

	table, err := storage.NewTable(ctx, "inquiries", &storage.TableArgs{
		Attributes:    map[string]storage.AttributeType{"pk": storage.String},
		HashKey:       "pk",
		TTLAttribute:  "ttl",
		AllowDeletion: s.AllowTableDeletion,
	}, stateful...)
	if err != nil {
		return err
	}
	archive, err := storage.NewBucket(ctx, "archive", &storage.BucketArgs{
		ForceDestroy: s.ForceDestroyBuckets,
	}, stateful...)
	if err != nil {
		return err
	}
	api, err := function.New(ctx, "api", &function.Args{
		Package:          APIPackage,
		Description:      "Inquiries HTTP API",
		MemoryMB:         256,
		Timeout:          10 * time.Second,
		LogRetentionDays: s.LogRetentionDays,
		Environment:      pulumi.StringMap{"TABLE_NAME": table.Name},
	}, opts...)
	if err != nil {
		return err
	}

	ctx.Export("tableName", table.Name)
	ctx.Export("bucketName", archive.Name)
	ctx.Export("apiFunctionName", api.Name)
	return nil
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
