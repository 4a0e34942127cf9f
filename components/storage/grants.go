package storage

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
)

var (
	tableReadActions = []string{
		"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
		"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
	}
	tableWriteActions = []string{
		"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
	}
)

// GrantRead lets a function read items of the table and its indexes.
func (t *Table) GrantRead() grant.Grant {
	return t.grant("read", "ReadTable", tableReadActions, []string{"kms:Decrypt"})
}

// GrantReadWrite lets a function read and write items (transactions use these same actions).
func (t *Table) GrantReadWrite() grant.Grant {
	return t.grant("readwrite", "ReadWriteTable", append(append([]string{}, tableReadActions...), tableWriteActions...),
		[]string{"kms:Decrypt", "kms:GenerateDataKey"})
}

func (t *Table) grant(kind, sid string, actions, kmsActions []string) grant.Grant {
	g := grant.Grant{Name: t.name + "-" + kind, Statements: []grant.Statement{{
		Sid:       sid,
		Actions:   actions,
		Resources: []pulumi.StringInput{t.Arn, grant.Suffix(t.Arn, "/index/*")},
	}}}
	return withKey(g, t.kmsKey, sid+"Key", kmsActions)
}

// GrantRead lets a function list the bucket and read its objects.
func (b *Bucket) GrantRead() grant.Grant {
	g := grant.Grant{Name: b.name + "-read", Statements: []grant.Statement{
		{Sid: "ListBucket", Actions: []string{"s3:ListBucket"}, Resources: []pulumi.StringInput{b.Arn}},
		{Sid: "ReadObjects", Actions: []string{"s3:GetObject"}, Resources: []pulumi.StringInput{grant.Suffix(b.Arn, "/*")}},
	}}
	return withKey(g, b.kmsKey, "DecryptObjects", []string{"kms:Decrypt"})
}

// GrantWrite lets a function put objects into the bucket (and nothing else: not list, read
// or delete them).
func (b *Bucket) GrantWrite() grant.Grant {
	g := grant.Grant{Name: b.name + "-write", Statements: []grant.Statement{
		{Sid: "WriteObjects", Actions: []string{"s3:PutObject"}, Resources: []pulumi.StringInput{grant.Suffix(b.Arn, "/*")}},
	}}
	// A multipart upload to an SSE-KMS bucket also decrypts the data key of its parts.
	return withKey(g, b.kmsKey, "EncryptObjects", []string{"kms:Decrypt", "kms:GenerateDataKey"})
}

// withKey adds a statement on the customer managed key, when there is one.
func withKey(g grant.Grant, key pulumi.StringInput, sid string, actions []string) grant.Grant {
	if key != nil {
		g.Statements = append(g.Statements, grant.Statement{Sid: sid, Actions: actions, Resources: []pulumi.StringInput{key}})
	}
	return g
}
