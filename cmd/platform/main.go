// Command platform is the Pulumi program of Groundwork (Pulumi.yaml's main): it runs
// stacks.Program for the selected stack.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/stacks"
)

func main() { pulumi.Run(stacks.Program) }
