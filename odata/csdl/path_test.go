package csdl_test

import "testing"

const pathDoc = `
      <EntityType Name="entity" Abstract="true">
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="op" BaseType="graph.entity" />
      <EntityType Name="room" BaseType="graph.entity">
        <NavigationProperty Name="ops" Type="Collection(graph.op)" />
        <NavigationProperty Name="owner" Type="graph.user" />
      </EntityType>
      <EntityType Name="user" BaseType="graph.entity">
        <NavigationProperty Name="rooms" Type="Collection(graph.room)" />
      </EntityType>
      <Action Name="close" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.room" />
      </Action>
      <Action Name="closeAll" IsBound="true">
        <Parameter Name="bindingParameter" Type="Collection(graph.room)" />
      </Action>
      <Function Name="ping" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.entity" />
      </Function>
      <EntityContainer Name="GraphService">
        <EntitySet Name="rooms" EntityType="microsoft.graph.room" />
        <Singleton Name="me" Type="microsoft.graph.user" />
      </EntityContainer>
`

func TestResolvePath(t *testing.T) {
	m := parse(t, pathDoc)
	for _, tc := range []struct {
		path, typeName string
		collection     bool
	}{
		{"/rooms", "room", true},
		{"/rooms/{room-id}", "room", false},
		{"/rooms('r1')", "room", false},
		{"/rooms/{room-id}/ops", "op", true},
		{"/rooms/{room-id}/ops/{op-id}", "op", false},
		{"/rooms('r1')/ops('o1')", "op", false},
		{"/rooms/{room-id}/owner", "user", false},
		{"/me", "user", false},
		{"/me/rooms/{room-id}/ops", "op", true},
		{"/rooms/{room-id}/ops/$count", "", false},
		{"/rooms/{room-id}/close", "", false},
		{"/rooms/{room-id}/microsoft.graph.close", "", false},
		{"/rooms/closeAll", "", false},
		{"/rooms/{room-id}/ops/{op-id}/ping", "", false}, // bound to a base type
		{"/$batch", "", false},
	} {
		typeName, collection, missing, ok := m.ResolvePath(tc.path)
		if !ok || typeName != tc.typeName || collection != tc.collection {
			t.Errorf("ResolvePath(%q) = %q, %v, missing %q, %v; want %q, %v", tc.path, typeName, collection, missing, ok, tc.typeName, tc.collection)
		}
	}
	for _, tc := range []struct{ path, missing string }{
		{"/chats", "chats"},
		{"/rooms/{room-id}/members", "members"},
		{"/rooms/ops", "ops"},                       // a navigation needs one room
		{"/rooms/{room-id}/{x}", "{x}"},             // a key of one entity
		{"/me/{user-id}", "{user-id}"},              // a singleton has no key
		{"/me('u1')", "me"},                         // nor in key syntax
		{"/rooms/{room-id}/$count", "$count"},       // one room is no collection
		{"/rooms/{room-id}/ops/$count/x", "$count"}, // $count ends a path
		{"/rooms/close", "close"},                   // bound to one room, not the set
		{"/rooms/{room-id}/closeAll", "closeAll"},   // bound to the set, not one room
		{"/rooms/{room-id}/close/ops", "close"},     // an action ends a path
		{"/rooms/{room-id}/owner/{user-id}", "{user-id}"},
		{"/$batch/rooms", "$batch"},
	} {
		_, _, missing, ok := m.ResolvePath(tc.path)
		if ok || missing != tc.missing {
			t.Errorf("ResolvePath(%q): missing %q, ok %v; want missing %q", tc.path, missing, ok, tc.missing)
		}
	}
}
