package alarm_test

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/alarm"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// The stack's alarm topic, with an email subscription and a display name set through a
// typed transform, and a function whose alarms notify it. The program runs here under
// componenttest's mocks; in a Pulumi program it is the body of pulumi.Run.
func Example() {
	program := func(ctx *pulumi.Context) error {
		alarms, err := alarm.New(ctx, "alarms", &alarm.Args{
			Email: "oncall@example.com",
			Transform: alarm.Transform{
				Topic: func(name string, args *sns.TopicArgs, opts *[]pulumi.ResourceOption) error {
					args.DisplayName = pulumi.String("Payments alarms")
					return nil
				},
			},
		})
		if err != nil {
			return err
		}
		_, err = function.New(ctx, "api", &function.Args{
			Package:    "./components/function/testdata/hello",
			AlarmTopic: alarms.ARN,
		})
		return err
	}

	rec, err := componenttest.Run(program)
	if err != nil {
		panic(err)
	}
	topic, _ := rec.Get("aws:sns/topic:Topic", "alarms")
	key, _ := rec.Get("aws:kms/key:Key", "alarms-key")
	fmt.Println("display name:", topic.InputString("displayName"))
	fmt.Println("encrypted with its own key:", topic.InputString("kmsMasterKeyId") == key.Outputs["arn"].StringValue())
	errors, _ := rec.Get("aws:cloudwatch/metricAlarm:MetricAlarm", "api-errors")
	actions, _ := errors.Input("alarmActions")
	fmt.Println("the function's alarm notifies the topic:", fmt.Sprint(actions) == fmt.Sprint([]any{topic.Outputs["arn"].StringValue()}))
	fmt.Println("baseline violations:", len(policy.Check(rec.Resources(), policy.Options{})))
	// Output:
	// display name: Payments alarms
	// encrypted with its own key: true
	// the function's alarm notifies the topic: true
	// baseline violations: 0
}
