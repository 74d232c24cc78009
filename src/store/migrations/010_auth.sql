-- 010_auth: usernames unique without regard to case; two-factor login
-- (TOTP) and the short-lived challenges between its two steps; the audit
-- trail chained by a keyed hash, one chain per community, and kept at
-- least 183 days.

-- "Admin" beside "admin" is refused from now on. A database that already has
-- such a pair is not merged silently: the migration stops and names them.
-- @refuse SELECT username FROM users WHERE lower(username) IN (SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1) ORDER BY lower(username), id
-- @because 用户名仅大小写不同：每组只留一个后再升级 / usernames differ only in case: rename all but one, then upgrade
CREATE UNIQUE INDEX users_username_ci ON users (lower(username));

-- The TOTP secret is personal data: encrypted with the personal-data key.
-- totp_enabled once confirmed; totp_last_step: the last step a code was
-- accepted for (a code is good once).
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1));
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Between a right password and the code: purpose 'totp' (enter a code) or
-- 'setup' (an administrator who must enrol first). Stored hashed, like
-- sessions.
CREATE TABLE login_challenges (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('totp', 'setup')),
  kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
  name TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges(user_id);

-- The chain: each row's community (0: above community level — street,
-- district, accounts, configuration), its place in that community's chain,
-- the previous row's hash and its own (domain/core/audit_chain.c).
ALTER TABLE audit ADD COLUMN community_id INTEGER;
ALTER TABLE audit ADD COLUMN chain_seq INTEGER;
ALTER TABLE audit ADD COLUMN prev_hash BLOB;
ALTER TABLE audit ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX audit_chain ON audit(community_id, chain_seq);
-- One head per chain, read and moved inside the writing transaction;
-- head_mac (keyed) lets `linli check` see rows cut off the end.
CREATE TABLE audit_chains (
  community_id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  head_id INTEGER,
  head_hash BLOB,
  head_mac BLOB
);

-- A chained row is never updated, and no row younger than 183 days is
-- deleted (等保: audit records kept at least six months).
-- @sqlite
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit WHEN old.hash IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_kept BEFORE DELETE ON audit WHEN old.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-183 days')
BEGIN SELECT RAISE(ABORT, 'audit rows are kept at least 183 days'); END;
-- @end
-- @postgres
CREATE FUNCTION linli_audit_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.hash IS NOT NULL THEN
      RAISE EXCEPTION 'audit rows are append-only' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.at > to_char((now() AT TIME ZONE 'UTC') - interval '183 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') THEN
    RAISE EXCEPTION 'audit rows are kept at least 183 days' USING ERRCODE = 'check_violation';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER audit_keep BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION linli_audit_keep();
-- @end
