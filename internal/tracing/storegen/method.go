package main

import (
	"bytes"
	"fmt"
	"go/types"
	"strings"
)

// reserved are the names the generated methods use themselves; a
// parameter of such a name is renamed.
var reserved = map[string]bool{"s": true, "span": true, "err": true}

// writeMethod writes the traced method name of signature sig: a span
// named store.{name} around the wrapped store's call.
func writeMethod(w *bytes.Buffer, name string, sig *types.Signature, qualify types.Qualifier) {
	params := make([]string, sig.Params().Len())
	args := make([]string, len(params))
	for i := range params {
		p := sig.Params().At(i)
		n := paramName(p, i)
		typ := types.TypeString(p.Type(), qualify)
		args[i] = n
		if sig.Variadic() && i == len(params)-1 {
			typ = "..." + strings.TrimPrefix(typ, "[]")
			args[i] = n + "..."
		}
		params[i] = n + " " + typ
	}
	results := make([]string, sig.Results().Len())
	values := make([]string, len(results)-1)
	for i := range results {
		results[i] = types.TypeString(sig.Results().At(i).Type(), qualify)
		if i < len(values) {
			values[i] = fmt.Sprintf("v%d", i)
		}
	}
	result := strings.Join(results, ", ")
	if len(results) > 1 {
		result = "(" + result + ")"
	}
	tenant, attrs := spanAttrs(name, sig)
	fmt.Fprintf(w, "\nfunc (s *Store) %s(%s) %s {\n", name, strings.Join(params, ", "), result)
	fmt.Fprintf(w, "\tctx, span := s.start(%s)\n", strings.Join(append([]string{args[0], fmt.Sprintf("%q", name), tenant}, attrs...), ", "))
	call := fmt.Sprintf("s.Store.%s(%s)", name, strings.Join(args, ", "))
	if len(values) == 0 {
		fmt.Fprintf(w, "\treturn s.end(span, %s)\n}\n", call)
		return
	}
	end := "s.end(span, err)"
	for i, v := range values {
		if types.TypeString(sig.Results().At(i).Type(), nil) == "*github.com/teamsops/teamsops.Operation" {
			end = fmt.Sprintf("s.endOperation(span, %s, err)", v)
		}
	}
	fmt.Fprintf(w, "\t%s, err := %s\n", strings.Join(values, ", "), call)
	fmt.Fprintf(w, "\treturn %s, %s\n}\n", strings.Join(values, ", "), end)
}

// paramName is the name of the i-th parameter in the generated method.
func paramName(p *types.Var, i int) string {
	n := p.Name()
	switch {
	case i == 0:
		return "ctx"
	case n == "" || n == "_":
		return fmt.Sprintf("p%d", i)
	case reserved[n]:
		return lowerFirst(typeName(p.Type())) // s *Subscription: subscription
	}
	return n
}

// spanAttrs returns the expression of a call's tenant ("" if none) and
// of the attributes naming what it reads or writes, from its parameters:
// a tenantID, an operation or subscription (or its id), a record's
// TenantID and SubscriptionID. An id parameter is of what the method is
// named after: Operation, DeleteOperation, OperationHistory take an
// operation's id.
func spanAttrs(method string, sig *types.Signature) (tenant string, attrs []string) {
	tenant = `""`
	entity := strings.TrimPrefix(strings.TrimPrefix(method, "Create"), "Delete")
	for i := 1; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		n := paramName(p, i)
		switch {
		case n == "tenantID" || n == "id" && entity == "Tenant":
			tenant = n
		case n == "subscriptionID" || n == "id" && entity == "Subscription":
			attrs = append(attrs, fmt.Sprintf("AttrSubscriptionID.String(%s)", n))
		case n == "id" && strings.HasPrefix(entity, "Operation"):
			attrs = append(attrs, fmt.Sprintf("AttrOperationID.String(%s)", n))
		default:
			t, a := recordAttrs(n, p.Type())
			if t != "" {
				tenant = t
			}
			attrs = append(attrs, a...)
		}
	}
	return tenant, attrs
}

// recordAttrs returns the tenant and attributes of a record the call
// writes (a pointer to one of the package's structs).
func recordAttrs(n string, t types.Type) (tenant string, attrs []string) {
	ptr, ok := t.(*types.Pointer)
	if !ok {
		return "", nil
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return "", nil
	}
	switch typeName(t) {
	case "Tenant":
		return n + ".ID", nil
	case "Operation":
		attrs = append(attrs, fmt.Sprintf("AttrOperationID.String(%s.ID)", n),
			fmt.Sprintf("AttrOperationType.String(string(%s.Type))", n))
	case "Subscription":
		attrs = append(attrs, fmt.Sprintf("AttrSubscriptionID.String(%s.ID)", n))
	}
	for f := range st.Fields() {
		switch f.Name() {
		case "TenantID":
			tenant = n + ".TenantID"
		case "SubscriptionID":
			attrs = append(attrs, fmt.Sprintf("AttrSubscriptionID.String(%s.SubscriptionID)", n))
		}
	}
	return tenant, attrs
}

// typeName is the name of t's named type, through a pointer.
func typeName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return "arg"
}

func lowerFirst(s string) string {
	return strings.ToLower(s[:1]) + s[1:]
}
