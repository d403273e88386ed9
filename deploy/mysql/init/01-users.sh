#!/bin/bash
# Runs once, when the MySQL image initialises an empty data directory (/docker-entrypoint-initdb.d): the replicas' user
# may read and write rows only; the migration step's user (ecommerce-migrate) may change the schema of `coupons`.
set -euo pipefail
mysql --protocol=socket -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE USER IF NOT EXISTS 'coupons'@'%' IDENTIFIED BY '${MYSQL_PASSWORD}';
GRANT SELECT, INSERT, UPDATE, DELETE ON coupons.* TO 'coupons'@'%';
CREATE USER IF NOT EXISTS 'coupons_migrator'@'%' IDENTIFIED BY '${MYSQL_MIGRATOR_PASSWORD}';
GRANT ALL PRIVILEGES ON coupons.* TO 'coupons_migrator'@'%';
SQL
# A data directory created before this script existed (the replicas' user then had every right): run the statements
# above once by hand as root, after `REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'coupons'@'%';` (docs/design.md §7).
