// Package repotest holds the repository's own checks that belong to no single package: every
// exported identifier of the public packages has a doc comment, the README's code blocks are
// the code the tests compile, and the README's commands that need no cloud account work as
// written on a fresh copy of the repository. It has no code of its own besides its tests.
package repotest
