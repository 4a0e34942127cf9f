// Package lib is a library, not a command: the function tests expect it to be refused as
// a Lambda's package.
package lib

// Greeting is here so the package has something to compile.
func Greeting() string { return "hello" }
