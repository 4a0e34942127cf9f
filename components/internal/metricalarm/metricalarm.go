// Package metricalarm is the one way the components declare their CloudWatch metric alarms,
// so every alarm notifies alike, treats missing data alike and is named after its owner.
package metricalarm

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// DefaultPeriod is the length of a datapoint when Spec.Period is zero: CloudWatch's standard
// resolution period for AWS service metrics, which most publish once a minute or every five.
const DefaultPeriod = 5 * time.Minute

// Spec describes one metric alarm.
type Spec struct {
	// Suffix names the alarm after its owner: "<owner>-<Suffix>", such as "api-errors".
	Suffix string
	// Description says what firing means and what to look at.
	Description string
	// Namespace and Metric name the CloudWatch metric, such as "AWS/Lambda" and "Errors".
	Namespace, Metric string
	// Dimensions select the owner's series, such as {"FunctionName": name}.
	Dimensions pulumi.StringMap
	// Statistic is Sum, Average, Maximum, Minimum or SampleCount; ExtendedStatistic a
	// percentile such as "p99". Set exactly one.
	Statistic, ExtendedStatistic string
	// Comparison is a CloudWatch comparison operator. Empty means
	// GreaterThanOrEqualToThreshold.
	Comparison string
	// Threshold is the value compared against.
	Threshold float64
	// Period is the length of one datapoint, whole seconds (a multiple of 60 for
	// standard-resolution metrics). Zero means 5 minutes, CloudWatch's standard period.
	Period time.Duration
	// EvaluationPeriods is how many datapoints must breach. Zero means 1.
	EvaluationPeriods int
}

// New registers the metric alarm "<owner>-<Suffix>" that notifies topic (an SNS topic ARN)
// when it fires and when it recovers, after the owner's transform tf (nil: none) has run; missing data counts as not breaching (no traffic is not an incident). A nil
// topic makes an alarm without actions, visible in the console only.
func New(ctx *pulumi.Context, owner string, s Spec, topic pulumi.StringInput, tf transform.Func[cloudwatch.MetricAlarmArgs], opts ...pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	if (s.Statistic == "") == (s.ExtendedStatistic == "") {
		return nil, fmt.Errorf("alarm %s-%s: set exactly one of Statistic and ExtendedStatistic", owner, s.Suffix)
	}
	if s.Comparison == "" {
		s.Comparison = "GreaterThanOrEqualToThreshold"
	}
	if s.Period == 0 {
		s.Period = DefaultPeriod
	}
	if s.EvaluationPeriods == 0 {
		s.EvaluationPeriods = 1
	}
	args := &cloudwatch.MetricAlarmArgs{
		AlarmDescription:   pulumi.String(s.Description),
		Namespace:          pulumi.String(s.Namespace),
		MetricName:         pulumi.String(s.Metric),
		Dimensions:         s.Dimensions,
		ComparisonOperator: pulumi.String(s.Comparison),
		Threshold:          pulumi.Float64(s.Threshold),
		Period:             pulumi.Int(int(s.Period / time.Second)),
		EvaluationPeriods:  pulumi.Int(s.EvaluationPeriods),
		TreatMissingData:   pulumi.String("notBreaching"),
	}
	if s.Statistic != "" {
		args.Statistic = pulumi.String(s.Statistic)
	} else {
		args.ExtendedStatistic = pulumi.String(s.ExtendedStatistic)
	}
	if topic != nil {
		args.AlarmActions = pulumi.Array{topic}
		args.OkActions = pulumi.Array{topic}
	}
	name := naming.Child(owner, s.Suffix)
	opts, err := transform.Apply(tf, name, args, opts)
	if err != nil {
		return nil, err
	}
	return cloudwatch.NewMetricAlarm(ctx, name, args, opts...)
}
