// Command hello is a minimal main package the function tests build.
package main

import "fmt"

func main() { fmt.Println("hello") }
