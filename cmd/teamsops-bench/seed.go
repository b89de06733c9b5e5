package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
)

// seedBatch is how many operations one transaction writes.
const seedBatch = 5_000

// scaleSet is the shape of the scale scenario's store: ops operations in
// all, big of them in one chat, the rest spread evenly over resources
// chats and teams (half each).
type scaleSet struct {
	ops, resources, big int
}

// scaleIDs names the chats the scale scenario reads.
type scaleIDs struct {
	typical string // a chat holding an even share
	big     string // the chat holding scaleSet.big
}

// seedChatID makes a chat id in Graph's group-chat form from a name.
func seedChatID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "19:" + hex.EncodeToString(sum[:16]) + "@thread.v2"
}

// teamTypes are the operation types of a team, cycled through.
var teamTypes = []teamsops.OperationType{
	teamsops.OperationTypeCreateTeam, teamsops.OperationTypeArchiveTeam, teamsops.OperationTypeUnarchiveTeam,
	teamsops.OperationTypeCloneTeam, teamsops.OperationTypeCreateChannel,
}

// seed writes set into s through the store's own writes — the schema and
// encoding teamsops itself uses — seedBatch operations per transaction,
// in the demo tenant (which must be loaded), so that the demo's token
// reads them. report is called after each transaction with the number of
// operations written so far.
func seed(ctx context.Context, s teamsops.Store, set scaleSet, report func(done int)) (scaleIDs, error) {
	ids := scaleIDs{typical: seedChatID("bench-chat-0"), big: seedChatID("bench-big")}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	members := []teamsops.Member{{UserID: demo.UserAdele, Roles: []string{"owner"}}, {UserID: demo.UserAlex, Roles: []string{"owner"}}}
	type resource struct {
		ref teamsops.ResourceRef
		ops int
	}
	var resources []resource
	per, extra := (set.ops-set.big)/set.resources, (set.ops-set.big)%set.resources
	for i := range set.resources {
		ref := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: seedChatID("bench-chat-" + strconv.Itoa(i/2))}
		if i%2 == 1 {
			ref = teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("bench-team-"+strconv.Itoa(i/2))).String()}
		}
		n := per
		if i < extra {
			n++
		}
		resources = append(resources, resource{ref, n})
	}
	resources = append(resources, resource{teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: ids.big}, set.big})

	// Transactions of seedBatch operations each; a resource is written
	// with its first operation.
	done, next, j := 0, 0, 0
	for next < len(resources) {
		written := 0
		err := s.Update(ctx, func(tx teamsops.Tx) error {
			for next < len(resources) && written < seedBatch {
				r := resources[next]
				created := base.Add(time.Duration(next) * time.Minute)
				if j == 0 {
					if err := createResource(ctx, tx, r.ref, created, members); err != nil {
						return err
					}
				}
				for ; j < r.ops && written < seedBatch; j, written = j+1, written+1 {
					if err := tx.CreateOperation(ctx, seedOperation(r.ref, j, created.Add(time.Duration(j)*time.Millisecond))); err != nil {
						return err
					}
				}
				if j == r.ops {
					next, j = next+1, 0
				}
			}
			return nil
		})
		if err != nil {
			return ids, fmt.Errorf("seed: %w", err)
		}
		done += written
		report(done)
	}
	return ids, nil
}

func createResource(ctx context.Context, tx teamsops.Tx, ref teamsops.ResourceRef, created time.Time, members []teamsops.Member) error {
	if ref.Kind == teamsops.ResourceTeam {
		return tx.CreateTeam(ctx, &teamsops.Team{ID: ref.ID, TenantID: demo.TenantID, DisplayName: "bench " + ref.ID[:8],
			Visibility: "private", CreatedDateTime: created, Members: members})
	}
	return tx.CreateChat(ctx, &teamsops.Chat{ID: ref.ID, TenantID: demo.TenantID, ChatType: "group", Topic: "bench",
		CreatedDateTime: created, Members: members})
}

// seedOperation is the j-th operation of a resource: one in twenty
// failed, one in twenty in progress, the rest succeeded.
func seedOperation(ref teamsops.ResourceRef, j int, created time.Time) *teamsops.Operation {
	op := &teamsops.Operation{
		ID: uuid.NewString(), TenantID: demo.TenantID, Resource: ref,
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusSucceeded,
		CreatedDateTime: created, LastActionDateTime: created.Add(2 * time.Second), AttemptsCount: 1,
		TargetResourceID: ref.ID, TargetResourceLocation: "/" + string(ref.Kind) + "('" + ref.ID + "')",
	}
	if ref.Kind == teamsops.ResourceTeam {
		op.Type = teamTypes[j%len(teamTypes)]
	} else {
		op.Values = `{"appIds":["` + demo.TeamsAppID + `"]}`
	}
	switch j % 20 {
	case 0:
		op.Status, op.AttemptsCount = teamsops.OperationStatusFailed, 4
		op.Error = &teamsops.OperationError{Code: "serviceNotAvailable", Message: "The service is not available."}
	case 1:
		op.Status, op.LastActionDateTime = teamsops.OperationStatusInProgress, created
	}
	return op
}
