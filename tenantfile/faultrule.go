package tenantfile

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/teamsops/teamsops"
)

// DecodeFaultRule reads one fault rule written as an entry of a tenant
// file's faultRules, for the tenant d declares: its app is one of d's app
// registrations, by clientId or displayName. name names the data in
// errors. It returns the rule, its id derived as a file's would be when
// none is given, or Errors listing every problem found.
func DecodeFaultRule(name string, data []byte, d *teamsops.Declaration) (*teamsops.FaultRule, error) {
	if len(data) > MaxSize {
		return nil, Errors{{File: name, Pos: Pos{1, 1}, Message: fmt.Sprintf("the rule is larger than %d bytes", MaxSize)}}
	}
	root, perr := parse(data)
	if perr != nil {
		perr.File = name
		// parse's words are a tenant file's.
		switch {
		case strings.HasPrefix(perr.Message, "the file is empty"):
			perr.Message = "the data is empty: it must be one fault rule"
		case strings.HasPrefix(perr.Message, "the file holds"):
			perr.Message = "the data holds several documents: it must be one fault rule"
		}
		return nil, Errors{perr}
	}
	errs := newErrorList(name)
	dec := &decoder{errs: errs}
	if root.kind != mappingNode {
		errs.place("", root.pos)
		dec.wrongType(root, "", "a mapping")
		return nil, errs.sorted()
	}
	var doc faultRuleDoc
	dec.decode(root, refValue(&doc), "")
	p := newPlanner(errs)
	p.tenant = d.Tenant.ID
	for _, a := range d.AppRegistrations {
		p.apps.add(a.ClientID, a.DisplayName)
	}
	p.faultRule(&doc, "")
	if len(errs.errs) > 0 {
		return nil, errs.sorted()
	}
	return p.d.FaultRules[0], nil
}

// EncodeFaultRule writes r in JSON as DecodeFaultRule reads it, its app
// by client id.
func EncodeFaultRule(r *teamsops.FaultRule) ([]byte, error) {
	return json.Marshal(faultRuleDocOf(r))
}
