package csdl_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/odata/csdl"
)

// parse reads a metadata document whose one schema, Graph's, holds schema.
func parse(t *testing.T, schema string) *csdl.Model {
	t.Helper()
	m, err := csdl.Parse([]byte(`<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">` +
		schema + `    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const doc = `
      <EnumType Name="kind">
        <Member Name="a" Value="0" />
        <Member Name="unknownFutureValue" Value="1" />
        <Member Name="b" Value="2" />
      </EnumType>
      <ComplexType Name="err">
        <Property Name="code" Type="Edm.String" />
      </ComplexType>
      <EntityType Name="entity" Abstract="true">
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="op" BaseType="graph.entity">
        <Property Name="count" Type="Edm.Int32" Nullable="false" />
        <Property Name="at" Type="Edm.DateTimeOffset" />
        <Property Name="done" Type="Edm.Boolean" />
        <Property Name="kind" Type="graph.kind" Nullable="false" />
        <Property Name="error" Type="graph.err" />
        <Property Name="tags" Type="Collection(Edm.String)" />
        <NavigationProperty Name="parts" Type="Collection(graph.op)" />
      </EntityType>
      <EntityType Name="bigOp" BaseType="graph.op">
        <Property Name="size" Type="Edm.Int64" />
      </EntityType>
`

func TestCheck(t *testing.T) {
	m := parse(t, doc)
	tests := []struct {
		name, json     string
		includeUnknown bool
		want           []string // substrings, one per difference
	}{
		{"conforming", `{"@odata.context":"x","id":"1","count":2,"at":"2021-05-27T21:23:41.9085453Z","done":true,"kind":"a","error":{"code":"c"},"tags":["t"],"parts":[{"id":"2","count":0,"kind":"unknownFutureValue"}]}`, false, nil},
		{"unknown name", `{"id":"1","count":1,"kind":"a","extra":1}`, false, []string{`no property "extra"`}},
		{"wrong types", `{"id":1,"count":"1","at":"yesterday","done":"true","kind":"a","error":"e","tags":"t"}`, false,
			[]string{"at:", "count:", "done:", "error:", "id:", "tags:"}},
		{"not nullable", `{"id":"1","count":null,"kind":null}`, false, []string{"count: null", "kind: null"}},
		{"not a member", `{"id":"1","count":1,"kind":"z"}`, false, []string{`"z" is not a member`}},
		{"after the sentinel", `{"id":"1","count":1,"kind":"b"}`, false, []string{"after unknownFutureValue"}},
		{"after the sentinel, asked for", `{"id":"1","count":1,"kind":"b"}`, true, nil},
		{"a derived type", `{"id":"1","count":1,"kind":"a","parts":[{"@odata.type":"#microsoft.graph.bigOp","id":"2","count":1,"kind":"a","size":3}]}`, false, nil},
		{"a derived type the metadata lacks", `{"id":"1","count":1,"kind":"a","parts":[{"@odata.type":"#microsoft.graph.hugeOp","id":"2"}]}`, false,
			[]string{"parts[0]: type hugeOp is not in the metadata"}},
		{"nested", `{"id":"1","count":1,"kind":"a","parts":[{"id":"2","count":1.5,"kind":"a"}]}`, false, []string{"parts[0].count"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Check("op", []byte(tt.json), tt.includeUnknown)
			if len(got) != len(tt.want) {
				t.Fatalf("differences %q, want %d", got, len(tt.want))
			}
			slices.Sort(got)
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("difference %q, want it to contain %q", got[i], w)
				}
			}
		})
	}
}

func TestContextType(t *testing.T) {
	m := parse(t, `
      <EntityType Name="op">
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="chat">
        <Property Name="id" Type="Edm.String" Nullable="false" />
        <Property Name="topic" Type="Edm.String" />
        <NavigationProperty Name="operations" Type="Collection(graph.op)" ContainsTarget="true" />
        <NavigationProperty Name="last" Type="graph.op" />
      </EntityType>
      <EntityContainer Name="GraphService">
        <EntitySet Name="chats" EntityType="microsoft.graph.chat" />
        <Singleton Name="me" Type="microsoft.graph.chat" />
      </EntityContainer>
`)
	tests := []struct {
		fragment, typeName string
		collection, ok     bool
	}{
		{"chats", "chat", true, true},
		{"chats/$entity", "chat", false, true},
		{"chats(id,topic)/$entity", "chat", false, true},
		{"chats(operations())/$entity", "chat", false, true},
		{"chats('19%3Aa%2Fb%40thread.v2')/operations/$entity", "op", false, true},
		{"chats('it''s')/operations(id)", "op", true, true},
		{"chats('a')/last", "op", false, true},
		{"me", "chat", false, true},
		{"me/operations", "op", true, true},
		{"permissionGrants", "", false, false},
		{"chats/operations", "", false, false},
		{"chats('a')/topic", "", false, false},
		{"chats('a')/last/$entity", "", false, false},
		{"chats/$ref", "", false, false},
		{"chats/microsoft.graph.chat", "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		typeName, collection, ok := m.ContextType(tt.fragment)
		if typeName != tt.typeName || collection != tt.collection || ok != tt.ok {
			t.Errorf("ContextType(%q) = %q, %v, %v; want %q, %v, %v", tt.fragment, typeName, collection, ok, tt.typeName, tt.collection, tt.ok)
		}
	}
}
