package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const newestKeysFirst = `SELECT id, pem, created_at FROM signing_keys ORDER BY created_at DESC, id DESC`

// SigningKeys returns the local issuer's keys, newest first.
func (c Conn) SigningKeys(ctx context.Context) ([]*teamsops.SigningKey, error) {
	keys := []*teamsops.SigningKey{}
	err := c.q.Query(ctx, newestKeysFirst, nil, func(row Row) error {
		k, err := scanSigningKey(row)
		keys = append(keys, k)
		return err
	})
	if err != nil {
		return nil, c.d.Error("list signing keys", err)
	}
	return keys, nil
}

// EnsureSigningKey stores k if there is no signing key yet and returns the
// newest key. Of several processes starting at once exactly one stores its
// key and all return it: the transaction holds the dialect's lock on
// signing_keys (on PostgreSQL a SHARE ROW EXCLUSIVE table lock, which
// conflicts with itself, not with readers), or, on SQLite, the database's
// one write lock (BEGIN IMMEDIATE), so that they take turns.
func (c Conn) EnsureSigningKey(ctx context.Context, k *teamsops.SigningKey) (*teamsops.SigningKey, error) {
	created, err := sqlfilter.EncodeTime(k.CreatedAt)
	if err != nil {
		return nil, err
	}
	var newest *teamsops.SigningKey
	err = c.write(ctx, "ensure signing key", func(q Querier, _ Note) error {
		if lock := c.d.LockTable("signing_keys"); lock != "" {
			if _, err := q.Exec(ctx, lock); err != nil {
				return err
			}
		}
		_, err := q.Exec(ctx, `INSERT INTO signing_keys (id, pem, created_at)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM signing_keys)`, k.ID, k.PEM, created)
		if err != nil {
			return err
		}
		newest, err = scanSigningKey(q.QueryRow(ctx, newestKeysFirst+` LIMIT 1`))
		return err
	})
	return newest, err
}

func scanSigningKey(row Row) (*teamsops.SigningKey, error) {
	var k teamsops.SigningKey
	var created int64
	if err := row.Scan(&k.ID, &k.PEM, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = sqlfilter.DecodeTime(created)
	return &k, nil
}
