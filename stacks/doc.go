// Package stacks is the platform's Pulumi program: it reads one stack's typed config
// (stacks/Pulumi.<stack>.yaml) and composes the components for that environment. Every
// resource goes through one explicit aws provider that carries the default tags; stack files
// set pulumi:disable-default-providers so a resource that forgets it fails instead of
// deploying with ambient credentials and no tags.
package stacks
