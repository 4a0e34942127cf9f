// Package policy is the platform's security and reliability baseline, checked against the
// resources any program registered (as componenttest records them): a service team's program
// and the platform's own stacks answer to the same rules, in their tests.
//
// Each rule is one entry of data (Rules): an ID, a title, a severity, the resource types it
// looks at, its reason, the public controls it answers to (AWS Security Hub Foundational
// Security Best Practices, cdk-nag's AwsSolutions and Serverless packs) and its check.
// Evaluate runs them all and applies Suppressions, each of one rule on one resource with a
// written reason; suppressed violations are reported (Report.Suppressed), never dropped.
//
// Evaluate reads update-mode recordings: in preview, values built from other resources'
// outputs are unknown and the checks that need them cannot decide.
//
// # Rules
//
// The table is written from the catalogue (TestDocListsTheCatalogue fails when they differ;
// go test ./components/policy -run TestDocListsTheCatalogue -update rewrites it).
//
// RULES-BEGIN
// RULES-END
package policy
