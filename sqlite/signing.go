package sqlite

import (
	"context"
	"database/sql"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const newestKeysFirst = `SELECT id, pem, created_at FROM signing_keys ORDER BY created_at DESC, id DESC`

// SigningKeys returns the local issuer's keys, newest first.
func (s *Store) SigningKeys(ctx context.Context) ([]*teamsops.SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, newestKeysFirst)
	if err != nil {
		return nil, storeError("list signing keys", err)
	}
	defer rows.Close()
	keys := []*teamsops.SigningKey{}
	for rows.Next() {
		k, err := scanSigningKey(rows)
		if err != nil {
			return nil, storeError("list signing keys", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("list signing keys", err)
	}
	return keys, nil
}

// EnsureSigningKey stores k if there is no signing key yet and returns the
// newest key. The write transaction begins IMMEDIATE, so of several
// processes starting at once exactly one stores its key and all return it.
func (s *Store) EnsureSigningKey(ctx context.Context, k *teamsops.SigningKey) (*teamsops.SigningKey, error) {
	created, err := sqlfilter.EncodeTime(k.CreatedAt)
	if err != nil {
		return nil, err
	}
	var newest *teamsops.SigningKey
	err = s.inTx(ctx, "ensure signing key", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (id, pem, created_at)
			SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM signing_keys)`, k.ID, k.PEM, created)
		if err != nil {
			return storeError("ensure signing key", err)
		}
		newest, err = scanSigningKey(tx.QueryRowContext(ctx, newestKeysFirst+` LIMIT 1`))
		if err != nil {
			return storeError("ensure signing key", err)
		}
		return nil
	})
	return newest, err
}

func scanSigningKey(row interface{ Scan(...any) error }) (*teamsops.SigningKey, error) {
	var k teamsops.SigningKey
	var created int64
	if err := row.Scan(&k.ID, &k.PEM, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = sqlfilter.DecodeTime(created)
	return &k, nil
}
