package stacks

import (
	"slices"

	"github.com/groundwork-dev/groundwork/components/policy"
)

// ArchiveAccessLoggingOff is why the archive bucket has no S3 server access logs: its one
// writer is the worker function, whose JSON logs record every inquiry it archives, and its
// one reader is nobody (the archive is kept for restores). It is recorded on the bucket as
// the tag policy.AccessLoggingOffTag.
const ArchiveAccessLoggingOff = "Written only by the worker function - whose logs record each archived inquiry - and read by no service"

// routeType is the type token of an API route, which suppressions of
// api-route-authorization name.
const routeType = "aws:apigatewayv2/route:Route::"

// Baseline returns the policy options a stack of tier t answers to: the rules that hold only
// in production for prod, and the program's suppressions, each with its reason.
func Baseline(t Tier) policy.Options {
	sups := slices.Clone(suppressions)
	if t == Dev {
		sups = append(sups, devSuppressions...)
	}
	return policy.Options{Production: t == Prod, Suppressions: sups}
}

// suppressions accept baseline violations of the stacks' own resources, each with its
// reason. They are reported in every plan (cmd/synth), never silent; the stack tests fail on
// one that no longer matches a violation.
var suppressions = []policy.Suppression{
	{Rule: "api-route-authorization", Resource: routeType + "http-GET /healthz",
		Reason: "The health check is public: load balancers and uptime monitors call it without credentials, and it answers only {\"status\":\"ok\"}."},
	{Rule: "api-route-authorization", Resource: routeType + "http-POST /v1/inquiries",
		Reason: "Submitting an inquiry is public by design: anyone may contact the business; the stage's throttling bounds abuse and the handler validates every field."},
	{Rule: "api-route-authorization", Resource: routeType + "http-$default",
		Reason: "$default answers problem+json 404 and 405 for unknown paths and methods; the handler never serves a protected route through it (internal/httpapi checks the event's route key)."},
}

// devSuppressions are accepted in dev only, where the stack file sets auth.publicReads.
var devSuppressions = []policy.Suppression{
	{Rule: "api-route-authorization", Resource: routeType + "http-GET /v1/inquiries/{id}",
		Reason: "Dev sets auth.publicReads: developers read inquiries without an identity provider; dev holds test data only."},
}
