package metricalarm_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/internal/metricalarm"
)

func TestNewAlarm(t *testing.T) {
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		_, err := metricalarm.New(ctx, "api", metricalarm.Spec{Suffix: "latency", Namespace: "AWS/ApiGateway", Metric: "Latency",
			Dimensions: pulumi.StringMap{"ApiId": pulumi.String("a1")}, ExtendedStatistic: "p99", Threshold: 1000}, nil, nil)
		if err != nil {
			return err
		}
		_, err = metricalarm.New(ctx, "api", metricalarm.Spec{Suffix: "bad", Statistic: "Sum", ExtendedStatistic: "p99"}, nil, nil)
		return err
	})
	assert.ErrorContains(t, err, "alarm api-bad: set exactly one of Statistic and ExtendedStatistic")
	al := rec.Must(t, "aws:cloudwatch/metricAlarm:MetricAlarm", "api-latency")
	assert.Equal(t, "p99", al.InputString("extendedStatistic"))
	assert.Equal(t, "notBreaching", al.InputString("treatMissingData"), "no traffic is no incident")
	p, _ := al.Input("period")
	assert.Equal(t, float64(300), p, "period default")
	_, hasActions := al.Input("alarmActions")
	assert.False(t, hasActions, "no topic, no actions")
}
