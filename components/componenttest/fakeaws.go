package componenttest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Account and DefaultRegion are what the mocks answer for the caller identity and region, and
// what the ARNs they invent contain.
const (
	Account       = "123456789012"
	DefaultRegion = "us-east-1"
)

// physicalName is the name AWS would get: the explicit one from the inputs, or the logical name
// plus a suffix derived from the URN, as Pulumi's auto-naming adds 7 random hex characters.
func physicalName(res Resource, keys ...string) string {
	for _, k := range keys {
		if v := res.Inputs[resource.PropertyKey(k)]; v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	sum := sha256.Sum256([]byte(res.URN))
	name := res.Name + "-" + hex.EncodeToString(sum[:])[:7]
	if v := res.Inputs["fifoQueue"]; v.IsBool() && v.BoolValue() {
		name += ".fifo"
	}
	return name
}

func shortID(res Resource, n int) string {
	sum := sha256.Sum256([]byte(res.URN))
	return hex.EncodeToString(sum[:])[:n]
}

// answer returns the id and state for a registration. In preview mode the state is the inputs
// alone, so every output the provider would compute resolves as unknown, and there is no id.
func (r *Recorder) answer(res Resource) (string, resource.PropertyMap) {
	state := res.Inputs.Copy()
	if !res.Custom {
		return "", state
	}
	if r.Preview {
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
		name := physicalName(res, "bucket")
		set("bucket", name, "arn", "arn:aws:s3:::"+name, "bucketDomainName", name+".s3.amazonaws.com",
			"bucketRegionalDomainName", name+".s3."+region+".amazonaws.com", "region", region)
		return name, state
	case typ == "aws:dynamodb/table:Table":
		name := physicalName(res, "name")
		set("name", name, "arn", arnPrefix("dynamodb")+"table/"+name)
		if v := res.Inputs["streamEnabled"]; v.IsBool() && v.BoolValue() {
			set("streamArn", arnPrefix("dynamodb")+"table/"+name+"/stream/2026-01-01T00:00:00.000",
				"streamLabel", "2026-01-01T00:00:00.000")
		}
		return name, state
	case typ == "aws:lambda/function:Function":
		name := physicalName(res, "name")
		arn := arnPrefix("lambda") + "function:" + name
		set("name", name, "arn", arn, "qualifiedArn", arn+":$LATEST", "version", "$LATEST",
			"invokeArn", "arn:aws:apigateway:"+region+":lambda:path/2015-03-31/functions/"+arn+"/invocations")
		return name, state
	case typ == "aws:iam/role:Role":
		name := physicalName(res, "name")
		set("name", name, "arn", "arn:aws:iam::"+Account+":role/"+name, "uniqueId", "AROA"+strings.ToUpper(shortID(res, 16)))
		return name, state
	case typ == "aws:iam/rolePolicy:RolePolicy":
		name := physicalName(res, "name")
		role := res.InputString("role")
		set("name", name)
		return role + ":" + name, state
	case typ == "aws:cloudwatch/logGroup:LogGroup":
		name := physicalName(res, "name")
		set("name", name, "arn", arnPrefix("logs")+"log-group:"+name)
		return name, state
	case typ == "aws:sqs/queue:Queue":
		name := physicalName(res, "name")
		url := "https://sqs." + region + ".amazonaws.com/" + Account + "/" + name
		set("name", name, "arn", arnPrefix("sqs")+name, "url", url)
		return url, state
	case typ == "aws:sns/topic:Topic":
		name := physicalName(res, "name")
		arn := arnPrefix("sns") + name
		set("name", name, "arn", arn)
		return arn, state
	case typ == "aws:apigatewayv2/api:Api":
		id := shortID(res, 10)
		set("apiEndpoint", "https://"+id+".execute-api."+region+".amazonaws.com",
			"executionArn", arnPrefix("execute-api")+id, "arn", "arn:aws:apigateway:"+region+"::/apis/"+id)
		return id, state
	case typ == "aws:apigatewayv2/stage:Stage":
		name := physicalName(res, "name")
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
		name := physicalName(res, "name")
		set("name", name, "arn", arnPrefix("cloudwatch")+"alarm:"+name)
		return name, state
	}
	// Anything else: an id derived from its URN and a plausible ARN.
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
