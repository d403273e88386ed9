-- Same logical model as schema.mysql.sql. Applied at every start; statements must be idempotent.
CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- one person however cased, as in MySQL (SPEC I6)
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS coupons (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    coupon_type       TEXT    NOT NULL,
    discount_rate     NUMERIC NULL,
    discount_amount   NUMERIC NULL,
    min_order_amount  NUMERIC NOT NULL DEFAULT 0,
    total_quantity    INTEGER NOT NULL,
    issued_quantity   INTEGER NOT NULL DEFAULT 0,
    start_date        TEXT    NOT NULL,
    end_date          TEXT    NOT NULL,
    validity_days     INTEGER NOT NULL DEFAULT 30,
    CHECK (issued_quantity >= 0 AND issued_quantity <= total_quantity)
);

CREATE TABLE IF NOT EXISTS user_coupons (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    coupon_id   INTEGER NOT NULL REFERENCES coupons (id),
    status      TEXT    NOT NULL,
    issued_at   TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    request_id  TEXT    NOT NULL UNIQUE,
    UNIQUE (user_id, coupon_id)
);

CREATE INDEX IF NOT EXISTS ix_user_coupons_coupon ON user_coupons (coupon_id);

-- Requests the database refused, with the reason; an issued request's fate is its user_coupons row (see schema.mysql.sql).
CREATE TABLE IF NOT EXISTS issue_requests (
    request_id    TEXT    NOT NULL PRIMARY KEY,
    coupon_id     INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    reason        TEXT    NULL,
    requested_at  TEXT    NOT NULL,
    decided_at    TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_issue_requests_coupon_status ON issue_requests (coupon_id, status);

CREATE TABLE IF NOT EXISTS parked_requests (
    request_id  TEXT    NOT NULL PRIMARY KEY,
    coupon_id   INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    parked_at   TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
)
;

-- Every authenticated admin call (see schema.mysql.sql).
CREATE TABLE IF NOT EXISTS admin_audit (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    coupon_id   INTEGER NULL,
    client      TEXT    NOT NULL,
    status      INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_admin_audit_coupon ON admin_audit (coupon_id)
