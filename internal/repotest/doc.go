// Package repotest holds tests of the repository's own files that no compiler checks: the
// GitHub Actions workflows under .github (pinned actions, least permissions, the stacks they
// cover, one toolchain and Pulumi CLI for preview and deploy). actionlint checks that the
// workflows are valid; these tests check that they keep the project's rules.
package repotest
