#!/usr/bin/env python3
"""Grow a Cognate SQLite database to N users of one pool, straight into the `users` table.

Creating a million users through the API would cost two argon2id hashes each (hours on two
cores), so this copies one user that was created through the API (`user0000000`, with a real
argon2id hash of the benchmark password) into users `user{i:07}` for every missing i: same
columns and JSON `doc`, with the username, `username_key`, email and a fresh `sub` replaced.
All users share that one password hash, so any of them can sign in with the same password.

Cognate must be stopped while this runs.

    python3 bench/million.py DATA_DIR/cognate.db POOL_ID 1000000
"""

import sqlite3
import sys
import time
import uuid

COLUMNS = (
    "pool_id, username_key, username, sub, status, enabled, email, phone_number, "
    "name, given_name, family_name, preferred_username, doc"
)


def main() -> None:
    path, pool_id, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
    started = time.monotonic()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = OFF")
    template_name = "user0000000"
    row = db.execute(
        f"SELECT {COLUMNS} FROM users WHERE pool_id = ? AND username_key = ?",
        (pool_id, template_name),
    ).fetchone()
    if row is None:
        sys.exit(f"{template_name} not found in pool {pool_id}")
    (_, _, _, t_sub, t_status, t_enabled, t_email, t_phone, t_name, t_given, t_family,
     t_pref, t_doc) = row
    if t_email != f"{template_name}@bench.example":
        sys.exit(f"unexpected template email {t_email!r}")
    existing = {
        r[0]
        for r in db.execute("SELECT username_key FROM users WHERE pool_id = ?", (pool_id,))
    }

    # Secondary indexes are dropped during the load and rebuilt after it (much faster than
    # maintaining eleven indexes row by row); the table's primary key stays.
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' "
        "AND sql IS NOT NULL"
    ).fetchall()

    def rows():
        for i in range(total):
            name = f"user{i:07d}"
            if name in existing:
                continue
            sub = str(uuid.uuid4())
            doc = t_doc.replace(template_name, name).replace(t_sub, sub)
            yield (pool_id, name, name, sub, t_status, t_enabled, f"{name}@bench.example",
                   t_phone, t_name, t_given, t_family, t_pref, doc)

    db.execute("BEGIN")
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    db.executemany(
        f"INSERT INTO users ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows()
    )
    inserted_at = time.monotonic()
    for _, sql in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode = WAL")
    count = db.execute("SELECT COUNT(*) FROM users WHERE pool_id = ?", (pool_id,)).fetchone()[0]
    db.close()
    print(
        f'{{"users": {count}, "insert_seconds": {inserted_at - started:.1f}, '
        f'"total_seconds": {time.monotonic() - started:.1f}}}'
    )


if __name__ == "__main__":
    main()
