package odata

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/teamsops/teamsops"
)

// Query holds the system query options of one request, checked against the
// resource's properties.
type Query struct {
	// Select lists the selected properties in canonical spelling, without
	// duplicates, in request order; nil means all ($select absent or *).
	Select []string
	// Filter is the parsed $filter; nil means no filter.
	Filter *teamsops.Filter
	// Top is $top when HasTop is set; $top=0 is a valid, empty page.
	Top    int
	HasTop bool
	// Skip is $skip, 0 when absent.
	Skip int
	// Count is $count=true.
	Count bool
	// Expand lists the expanded navigation properties in canonical
	// spelling, without duplicates, in request order; nil means none.
	Expand []string
}

// Resource describes what the query options of one request may address:
// an entity type, its properties, the navigation properties $expand may
// name, and whether the request reads a collection.
type Resource struct {
	// TypeName is the entity type's qualified name, as Graph names it in
	// "could not find a property" messages.
	TypeName string
	// Properties are the properties $select and $filter may name.
	Properties []teamsops.Property
	// Expandable are the navigation properties $expand may name; with
	// none, $expand is refused as an unsupported option.
	Expandable []string
	// Collection is true for a list, which also takes $filter, $top,
	// $skip and $count.
	Collection bool
	// Functions are the $filter functions the list's page documents
	// ("startswith"); any other function is refused.
	Functions []string
}

// supportedOptions are the system query options teamsAsyncOperation lists
// take; a single operation takes $select only (the seed's "Optional query
// parameters").
var supportedOptions = map[string]bool{
	"select": true, "filter": true, "top": true, "skip": true, "count": true,
}

// unsupportedOptions are other OData and Graph system query options, with
// the spelling Graph's Teams workload uses in "Query option 'Expand' is not
// allowed" messages.
var unsupportedOptions = map[string]string{
	"expand": "Expand", "orderby": "OrderBy", "search": "Search", "format": "Format",
	"skiptoken": "SkipToken", "deltatoken": "DeltaToken", "apply": "Apply", "compute": "Compute",
}

const errNotCollection = "The query specified in the URI is not valid. The requested resource is not a collection. " +
	"Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections."

// ParseQuery parses a raw URL query (without '?') for a resource whose
// properties are props. beta selects the beta endpoint's rules: beta-only
// properties exist and the '$' prefix of system query options is optional
// there (Graph's "Use query parameters" page). collection is false for a
// single entity, which takes $select only.
//
// Option names are case-insensitive; parameters that are not system query
// options are ignored, as Graph ignores unknown custom parameters. Unknown
// or unsupported system options, repeated options and malformed values are
// errors.
func ParseQuery(rawQuery string, props []teamsops.Property, beta bool, collection bool) (Query, error) {
	return Resource{TypeName: EntityTypeName, Properties: props, Collection: collection}.Parse(rawQuery, beta)
}

// Parse parses a raw URL query (without '?') for a request on res, as
// ParseQuery does; $expand is accepted when res names expandable
// properties: a comma-separated list of them, without nested options.
func (res Resource) Parse(rawQuery string, beta bool) (Query, error) {
	var q Query
	seen := make(map[string]bool)
	for pair := range strings.SplitSeq(rawQuery, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := decodeQuery(rawName)
		if err != nil {
			return Query{}, err
		}
		opt, ok, err := systemOption(name, beta, len(res.Expandable) > 0)
		if err != nil {
			return Query{}, err
		} else if !ok {
			continue
		}
		if seen[opt] {
			return Query{}, invalid("Query option '$%s' was specified more than once, but it must be specified at most once.", opt)
		}
		seen[opt] = true
		if !res.Collection && opt != "select" && opt != "expand" {
			return Query{}, invalid(errNotCollection)
		}
		value, err := decodeQuery(rawValue)
		if err != nil {
			return Query{}, err
		}
		if err := q.set(opt, value, res, beta); err != nil {
			return Query{}, err
		}
	}
	return q, nil
}

// decodeQuery decodes a query component: %XX escapes, and '+' for a space
// as in HTML form encoding, which Graph clients rely on.
func decodeQuery(s string) (string, error) {
	d, err := url.QueryUnescape(s)
	if err != nil || !clean(d) {
		return "", invalid(errSyntax)
	}
	return d, nil
}

// systemOption maps a parameter name to a supported option ("select"...).
// ok is false for custom parameters, which are ignored. expand says
// whether the resource takes $expand.
func systemOption(name string, beta, expand bool) (opt string, ok bool, err error) {
	lower := toLowerASCII(name)
	if rest, found := strings.CutPrefix(lower, "$"); found {
		lower = rest
	} else if _, known := unsupportedOptions[lower]; !beta || (!supportedOptions[lower] && !known) {
		return "", false, nil
	}
	if supportedOptions[lower] || expand && lower == "expand" {
		return lower, true, nil
	}
	if canonical, known := unsupportedOptions[lower]; known {
		return "", false, invalid("The query specified in the URI is not valid. Query option '%s' is not supported on this resource.", canonical)
	}
	return "", false, invalid("The query parameter '%s' is not supported.", clip(name))
}

// set parses the value of one supported option into q.
func (q *Query) set(opt, value string, res Resource, beta bool) error {
	var err error
	switch opt {
	case "select":
		q.Select, err = parseSelect(value, res, beta)
	case "expand":
		q.Expand, err = parseExpand(value, res)
	case "filter":
		q.Filter, err = parseFilter(value, res, beta)
	case "top":
		q.Top, err = parseNonNegative("$top", value)
		q.HasTop = err == nil
	case "skip":
		q.Skip, err = parseNonNegative("$skip", value)
	case "count":
		q.Count, err = parseCount(value)
	}
	return err
}

// parseSelect reads a comma-separated list of property names (OData URL
// conventions, 5.1.3 System Query Option $select).
func parseSelect(value string, res Resource, beta bool) ([]string, error) {
	var names []string
	all := false
	for item := range strings.SplitSeq(value, ",") {
		name := strings.TrimSpace(item)
		switch name {
		case "":
			return nil, invalid("Term '%s' is not valid in a $select or $expand expression.", clip(value))
		case "*":
			all = true
			continue
		}
		p, ok := lookupProperty(res.Properties, name, beta)
		if !ok {
			return nil, unknownProperty(name, res.TypeName)
		}
		if !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	if all {
		return nil, nil
	}
	return names, nil
}

// parseExpand reads a comma-separated list of navigation properties (OData
// URL conventions, 5.1.2 System Query Option $expand). Nested options, '*'
// and paths are refused: no endpoint here documents them.
func parseExpand(value string, res Resource) ([]string, error) {
	var names []string
	for item := range strings.SplitSeq(value, ",") {
		name := strings.TrimSpace(item)
		switch {
		case name == "":
			return nil, invalid("Term '%s' is not valid in a $select or $expand expression.", clip(value))
		case strings.ContainsAny(name, "()/*"):
			return nil, invalid("The $expand expression '%s' is not supported on this resource; name navigation properties only.", clip(name))
		}
		i := slices.IndexFunc(res.Expandable, func(e string) bool { return equalFoldASCII(e, name) })
		if i < 0 {
			return nil, unknownProperty(name, res.TypeName)
		}
		if !slices.Contains(names, res.Expandable[i]) {
			names = append(names, res.Expandable[i])
		}
	}
	return names, nil
}

// parseNonNegative reads $top or $skip: decimal digits only (no sign, no
// spaces), within Edm.Int32 as OData's URI parser requires.
func parseNonNegative(option, value string) (int, error) {
	bad := invalid("Invalid value '%s' for %s query option found. The %s query option requires a non-negative integer value.",
		clip(value), option, option)
	if value == "" {
		return 0, bad
	}
	for i := 0; i < len(value); i++ {
		if value[i] < '0' || value[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.ParseInt(value, 10, 32)
	if err != nil {
		return 0, bad
	}
	return int(n), nil
}

// parseCount reads $count: true or false, in any case.
func parseCount(value string) (bool, error) {
	switch {
	case equalFoldASCII(value, "true"):
		return true, nil
	case equalFoldASCII(value, "false"):
		return false, nil
	}
	return false, invalid("'%s' is not a valid count option.", clip(value))
}
