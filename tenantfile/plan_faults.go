package tenantfile

import (
	"fmt"

	"github.com/teamsops/teamsops"
)

// faultActions are a fault rule's actions.
var faultActions = []string{teamsops.FaultActionFail, teamsops.FaultActionTransient}

// faultRule plans a fault rule. It checks what teamsops.FaultRule.Validate
// checks, each problem at its field; a rule that passes here passes there.
func (p *planner) faultRule(r *faultRuleDoc, path string) {
	app := ""
	if r.App == "" {
		p.errs.missing(join(path, "app"), "app is required: the app registration whose operations fail")
	} else {
		app = p.ref(p.apps, join(path, "app"), r.App)
	}
	typ := ""
	if r.OperationType != "" {
		typ = p.enum(join(path, "operationType"), r.OperationType, teamsops.OperationTypes, "operationType")
	}
	rule := &teamsops.FaultRule{
		ID: r.ID, TenantID: p.tenant, ClientAppID: app, OperationType: teamsops.OperationType(typ),
		Action: r.Action, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage,
	}
	p.faultAction(r, rule, path)
	// Of two rules of one app and type, the first by id always applies.
	same := false
	resolved := app != "" && (r.OperationType == "" || typ != "")
	if resolved {
		key := "faultRuleOf\x00" + app + "\x00" + typ
		at := join(path, "app")
		if typ != "" {
			at = join(path, "operationType")
		}
		first, ok := p.seen[key]
		if same = ok; same {
			p.errs.addf(at, "%s has the same app and operationType: only one of the two could ever apply", first)
		} else {
			p.seen[key] = path
		}
	}
	switch {
	case rule.ID == "":
		// Rules have no name: one is told apart by its app and type,
		// which no other rule of the file shares.
		rule.ID = deriveGUID(p.tenant, "faultRule", app+"\x00"+typ)
		if resolved && !same {
			p.unique(join(path, "id"), "faultRule", rule.ID)
		}
	case !plainID(rule.ID):
		p.errs.addf(join(path, "id"), "%q is not a fault rule id: use letters, digits, '-', '_' and '.'", clip(rule.ID))
	default:
		p.unique(join(path, "id"), "faultRule", rule.ID)
	}
	if !p.errs.within(path) && p.tenant != "" {
		if err := rule.Validate(); err != nil {
			p.errs.add(path, teamsops.ErrorMessage(err))
		}
	}
	p.d.FaultRules = append(p.d.FaultRules, rule)
}

// faultAction checks a rule's action and the fields that go with it: an
// error for fail, attempts for transient.
func (p *planner) faultAction(r *faultRuleDoc, rule *teamsops.FaultRule, path string) {
	p.faultText(join(path, "errorCode"), r.ErrorCode)
	p.faultText(join(path, "errorMessage"), r.ErrorMessage)
	switch r.Action {
	case "":
		p.errs.missing(join(path, "action"), "action is required: fail or transient")
	case teamsops.FaultActionFail:
		if r.ErrorCode == "" {
			p.errs.missing(join(path, "errorCode"), "errorCode is required: the error.code a fail rule's operations end with")
		}
		if r.ErrorMessage == "" {
			p.errs.missing(join(path, "errorMessage"), "errorMessage is required: the error.message a fail rule's operations end with")
		}
		if r.Attempts != nil {
			p.errs.add(join(path, "attempts"), "a fail rule has no attempts: its operations fail at their first attempt")
		}
	case teamsops.FaultActionTransient:
		switch at := join(path, "attempts"); {
		case p.errs.failed(at):
		case r.Attempts == nil:
			p.errs.missingf(join(path, "attempts"), "attempts is required: how many attempts fail, 1 to %d", teamsops.MaxFaultAttempts)
		case *r.Attempts < 1 || *r.Attempts > teamsops.MaxFaultAttempts:
			p.errs.addf(join(path, "attempts"), "attempts is 1 to %d, not %d", teamsops.MaxFaultAttempts, *r.Attempts)
		default:
			rule.Attempts = *r.Attempts
		}
		for _, f := range []struct{ name, value string }{{"errorCode", r.ErrorCode}, {"errorMessage", r.ErrorMessage}} {
			if f.value != "" {
				p.errs.addf(join(path, f.name), "a transient rule has no %s: its operations succeed once its attempts have failed", f.name)
			}
		}
	default:
		msg := fmt.Sprintf("action %q is not fail or transient", clip(r.Action))
		if s := suggest(r.Action, faultActions); s != "" {
			msg = fmt.Sprintf("action %q is not known; did you mean %q?", clip(r.Action), s)
		}
		p.errs.add(join(path, "action"), msg)
	}
}

// faultText checks an error code or message: valid text of at most
// teamsops.MaxFaultText bytes, the store's limit.
func (p *planner) faultText(path, s string) {
	switch {
	case !cleanText(s):
		p.errs.add(path, "not valid text: control characters or invalid UTF-8")
	case len(s) > teamsops.MaxFaultText:
		p.errs.addf(path, "longer than %d bytes", teamsops.MaxFaultText)
	}
}
