-- The ES256 keys that sign access tokens, shared by every node of the cluster (docs/operations.md, "Secrets").
-- The current key is the one of the highest generation; a rotation inserts generation + 1, so that several instances
-- rotating at once insert one key between them (the others' inserts conflict and they read the winner back). A key
-- stays for verification until every token it signed has expired, then it is deleted.
-- The private key is stored as PEM: whoever can read this table can sign access tokens for any user.
CREATE TABLE token_keys (
  generation  integer PRIMARY KEY,
  kid         text NOT NULL UNIQUE,          -- the JWT header's kid: derived from the public key
  private_key text NOT NULL,                 -- PEM, PKCS#8
  public_key  text NOT NULL,                 -- PEM, X.509 SubjectPublicKeyInfo
  created_at  timestamptz NOT NULL DEFAULT now()
);
