-- Applied at every start; every statement must be idempotent. No semicolons inside statements.
CREATE TABLE IF NOT EXISTS users (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    public_id   VARCHAR(36)  NOT NULL COLLATE utf8mb4_general_ci,  -- case-insensitive: one person however cased (SPEC I6)
    name        VARCHAR(100) NOT NULL,
    email       VARCHAR(255) NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_users_public_id (public_id),
    UNIQUE KEY uq_users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS coupons (
    id                BIGINT AUTO_INCREMENT PRIMARY KEY,
    name              VARCHAR(200)  NOT NULL,
    coupon_type       VARCHAR(20)   NOT NULL,
    discount_rate     DECIMAL(5,2)  NULL,
    discount_amount   DECIMAL(12,2) NULL,
    min_order_amount  DECIMAL(12,2) NOT NULL DEFAULT 0,
    total_quantity    INT           NOT NULL,
    issued_quantity   INT           NOT NULL DEFAULT 0,
    start_date        DATETIME(6)   NOT NULL,
    end_date          DATETIME(6)   NOT NULL,
    validity_days     INT           NOT NULL DEFAULT 30,
    CONSTRAINT ck_coupons_quantity CHECK (issued_quantity >= 0 AND issued_quantity <= total_quantity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS user_coupons (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id     BIGINT      NOT NULL,
    coupon_id   BIGINT      NOT NULL,
    status      VARCHAR(10) NOT NULL,
    issued_at   DATETIME(6) NOT NULL,
    expires_at  DATETIME(6) NOT NULL,
    request_id  CHAR(36)    NOT NULL,
    UNIQUE KEY uq_user_coupons_user_coupon (user_id, coupon_id),
    UNIQUE KEY uq_user_coupons_request (request_id),
    KEY ix_user_coupons_coupon (coupon_id),
    CONSTRAINT fk_user_coupons_user FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT fk_user_coupons_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Requests the database refused, with the reason. An issued request's fate is its user_coupons row (request_id);
-- rows with status ISSUED were written by earlier versions and still read the same.
CREATE TABLE IF NOT EXISTS issue_requests (
    request_id    CHAR(36)    NOT NULL PRIMARY KEY,
    coupon_id     BIGINT      NOT NULL,
    user_id       BIGINT      NOT NULL,
    status        VARCHAR(10) NOT NULL,
    reason        VARCHAR(40) NULL,
    requested_at  DATETIME(6) NOT NULL,
    decided_at    DATETIME(6) NULL,
    KEY ix_issue_requests_coupon_status (coupon_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Requests whose Kafka delivery was ambiguous (timed out): kept here and relayed until Kafka has them.
CREATE TABLE IF NOT EXISTS parked_requests (
    request_id  CHAR(36)    NOT NULL PRIMARY KEY,
    coupon_id   BIGINT      NOT NULL,
    payload     TEXT        NOT NULL,
    parked_at   DATETIME(6) NOT NULL,
    attempts    INT         NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;

-- Every authenticated admin call (who: key id or token subject; what; which coupon; from which client; result; when).
CREATE TABLE IF NOT EXISTS admin_audit (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at          DATETIME(6)  NOT NULL,
    actor       VARCHAR(100) NOT NULL,
    action      VARCHAR(200) NOT NULL,
    coupon_id   BIGINT       NULL,
    client      VARCHAR(64)  NOT NULL,
    status      INT          NOT NULL,
    KEY ix_admin_audit_coupon (coupon_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
