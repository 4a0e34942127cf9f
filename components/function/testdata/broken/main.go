// Command broken does not compile, on purpose: the function tests expect its compiler error.
package main

func main() { undefinedCall() }
