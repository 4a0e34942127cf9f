package componenttest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// Account and DefaultRegion are what the mocks answer for the caller identity and region, and
// what the ARNs they invent contain.
const (
	Account       = "123456789012"
	DefaultRegion = "us-east-1"
)

// AutoSuffixLen is how many characters Pulumi's auto-naming adds to a logical name: "-" and
// seven random ones.
const AutoSuffixLen = naming.AutoSuffixLen

// physicalName is the name AWS would give res (see Resource.PhysicalName); the random part of
// an auto-name is derived from the URN, so it is the same on every run.
func physicalName(res Resource, rpc *pulumirpc.RegisterResourceRequest) string {
	t, known := naming.Types[res.Type]
	if !res.Custom || !known || t.Property == "" {
		return ""
	}
	if v := res.Inputs[resource.PropertyKey(t.Property)]; v.IsString() && v.StringValue() != "" {
		return v.StringValue()
	}
	if _, set := rpc.GetObject().GetFields()[t.Property]; set {
		return "" // set, but unknown: the engine leaves unknown inputs out of Inputs
	}
	if v := res.Inputs["namePrefix"]; v.IsString() && v.StringValue() != "" {
		return v.StringValue() + shortID(res, naming.PrefixSuffixLen)
	}
	fifo := res.Inputs[resource.PropertyKey(t.FIFO)]
	return t.AutoName(res.Name, shortID(res, AutoSuffixLen-1), fifo.IsBool() && fifo.BoolValue())
}

func shortID(res Resource, n int) string {
	sum := sha256.Sum256([]byte(res.URN))
	return hex.EncodeToString(sum[:])[:n]
}

// answer returns the id and state for a registration. In preview mode the state is the inputs
// alone, so every output the provider would compute resolves as unknown, and there is no id.
func (r *Recorder) answer(res Resource) (string, resource.PropertyMap) {
	if r.Preview || !res.Custom {
		return "", res.Inputs.Copy()
	}
	return r.answerUpdate(res)
}

// answerUpdate is answer in update mode.
func (r *Recorder) answerUpdate(res Resource) (string, resource.PropertyMap) {
	state := res.Inputs.Copy()
	if !res.Custom {
		return "", state
	}
	region := r.regionOf(res.Provider)
	arnPrefix := func(svc string) string {
		return "arn:aws:" + svc + ":" + region + ":" + Account + ":"
	}
	set := func(kv ...string) {
		for i := 0; i+1 < len(kv); i += 2 {
			if _, ok := state[resource.PropertyKey(kv[i])]; !ok || kv[i] == "arn" {
				state[resource.PropertyKey(kv[i])] = resource.NewProperty(kv[i+1])
			}
		}
	}
	typ := res.Type
	switch {
	case strings.HasPrefix(typ, "pulumi:providers:"):
		return shortID(res, 12), state
	case typ == "aws:s3/bucketV2:BucketV2" || typ == "aws:s3/bucket:Bucket":
		name := res.PhysicalName
		set("bucket", name, "arn", "arn:aws:s3:::"+name, "bucketDomainName", name+".s3.amazonaws.com",
			"bucketRegionalDomainName", name+".s3."+region+".amazonaws.com", "region", region)
		return name, state
	case typ == "aws:dynamodb/table:Table":
		name := res.PhysicalName
		set("name", name, "arn", arnPrefix("dynamodb")+"table/"+name)
		if v := res.Inputs["streamEnabled"]; v.IsBool() && v.BoolValue() {
			set("streamArn", arnPrefix("dynamodb")+"table/"+name+"/stream/2026-01-01T00:00:00.000",
				"streamLabel", "2026-01-01T00:00:00.000")
		}
		return name, state
	case typ == "aws:lambda/function:Function":
		name := res.PhysicalName
		arn := arnPrefix("lambda") + "function:" + name
		set("name", name, "arn", arn, "qualifiedArn", arn+":$LATEST", "version", "$LATEST",
			"invokeArn", "arn:aws:apigateway:"+region+":lambda:path/2015-03-31/functions/"+arn+"/invocations")
		return name, state
	case typ == "aws:iam/role:Role":
		name := res.PhysicalName
		set("name", name, "arn", "arn:aws:iam::"+Account+":role/"+name, "uniqueId", "AROA"+strings.ToUpper(shortID(res, 16)))
		return name, state
	case typ == "aws:iam/rolePolicy:RolePolicy":
		name := res.PhysicalName
		role := res.InputString("role")
		set("name", name)
		return role + ":" + name, state
	case typ == "aws:cloudwatch/logGroup:LogGroup":
		name := res.PhysicalName
		set("name", name, "arn", arnPrefix("logs")+"log-group:"+name)
		return name, state
	case typ == "aws:sqs/queue:Queue":
		name := res.PhysicalName
		url := "https://sqs." + region + ".amazonaws.com/" + Account + "/" + name
		set("name", name, "arn", arnPrefix("sqs")+name, "url", url)
		return url, state
	case typ == "aws:sns/topic:Topic":
		name := res.PhysicalName
		arn := arnPrefix("sns") + name
		set("name", name, "arn", arn)
		return arn, state
	case typ == "aws:apigatewayv2/api:Api":
		id := shortID(res, 10)
		set("name", res.PhysicalName)
		set("apiEndpoint", "https://"+id+".execute-api."+region+".amazonaws.com",
			"executionArn", arnPrefix("execute-api")+id, "arn", "arn:aws:apigateway:"+region+"::/apis/"+id)
		return id, state
	case typ == "aws:apigatewayv2/stage:Stage":
		name := res.PhysicalName
		api := res.InputString("apiId")
		path := "/" + name
		if name == "$default" {
			path = "/"
		}
		set("invokeUrl", "https://"+api+".execute-api."+region+".amazonaws.com"+path,
			"executionArn", arnPrefix("execute-api")+api+"/"+name)
		return name, state
	case typ == "aws:apigatewayv2/domainName:DomainName":
		name := res.InputString("domainName")
		if cfg := state["domainNameConfiguration"]; cfg.IsObject() {
			obj := cfg.ObjectValue().Copy()
			obj["targetDomainName"] = resource.NewProperty("d-" + shortID(res, 10) + ".execute-api." + region + ".amazonaws.com")
			obj["hostedZoneId"] = resource.NewProperty("Z2FDTNDATAQYW2")
			state["domainNameConfiguration"] = resource.NewProperty(obj)
		}
		set("arn", "arn:aws:apigateway:"+region+"::/domainnames/"+name, "apiMappingSelectionExpression", "$request.basepath")
		return name, state
	case typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
		name := res.PhysicalName
		set("name", name, "arn", arnPrefix("cloudwatch")+"alarm:"+name)
		return name, state
	}
	// Anything else: an id derived from its URN, a plausible ARN, and its name.
	if t := naming.Types[typ]; res.PhysicalName != "" {
		set(t.Property, res.PhysicalName)
	}
	id := res.Name + "-" + shortID(res, 8)
	svc := typ
	if i := strings.Index(typ, ":"); i >= 0 {
		svc = typ[i+1:]
	}
	if i := strings.Index(svc, "/"); i >= 0 {
		svc = svc[:i]
	}
	set("arn", arnPrefix(svc)+id)
	return id, state
}

// invokeAnswer is what AWS would answer to the invokes components make (caller identity,
// region, partition), and false for any other token.
func invokeAnswer(token, region string) (resource.PropertyMap, bool) {
	switch token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": Account,
			"arn":       "arn:aws:iam::" + Account + ":user/componenttest",
			"userId":    "AIDACOMPONENTTEST",
			"id":        Account,
		}), true
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": region, "id": region, "region": region,
			"description": region, "endpoint": "ec2." + region + ".amazonaws.com",
		}), true
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
			"reverseDnsPrefix": "com.amazonaws",
		}), true
	}
	return nil, false
}
