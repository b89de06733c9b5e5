package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const newestKeysFirst = `SELECT id, pem, created_at FROM signing_keys ORDER BY created_at DESC, id DESC`

// SigningKeys returns the local issuer's keys, newest first.
func (s *Store) SigningKeys(ctx context.Context) ([]*teamsops.SigningKey, error) {
	rows, err := s.pool.Query(ctx, newestKeysFirst)
	if err != nil {
		return nil, storeError("list signing keys", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*teamsops.SigningKey, error) { return scanSigningKey(row) })
	if err != nil {
		return nil, storeError("list signing keys", err)
	}
	if keys == nil {
		keys = []*teamsops.SigningKey{}
	}
	return keys, nil
}

// EnsureSigningKey stores k if there is no signing key yet and returns the
// newest key. The table lock (SHARE ROW EXCLUSIVE conflicts with itself,
// not with readers) makes replicas starting at once take turns, so exactly
// one stores its key and all return it.
func (s *Store) EnsureSigningKey(ctx context.Context, k *teamsops.SigningKey) (*teamsops.SigningKey, error) {
	created, err := sqlfilter.EncodeTime(k.CreatedAt)
	if err != nil {
		return nil, err
	}
	var newest *teamsops.SigningKey
	err = s.inTx(ctx, "ensure signing key", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return storeError("ensure signing key", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO signing_keys (id, pem, created_at)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM signing_keys)`, k.ID, k.PEM, created)
		if err != nil {
			return storeError("ensure signing key", err)
		}
		newest, err = scanSigningKey(tx.QueryRow(ctx, newestKeysFirst+` LIMIT 1`))
		if err != nil {
			return storeError("ensure signing key", err)
		}
		return nil
	})
	return newest, err
}

func scanSigningKey(row pgx.Row) (*teamsops.SigningKey, error) {
	var k teamsops.SigningKey
	var created int64
	if err := row.Scan(&k.ID, &k.PEM, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = sqlfilter.DecodeTime(created)
	return &k, nil
}
