using FluentMigrator;

namespace Coupons.Infrastructure.Database.Migrations;

/// <summary>
/// Redemption (SPEC I8) and the shop's events: a PERCENTAGE coupon's cap, which order holds a used coupon, every use of
/// a coupon by an order (the idempotency record: one row per coupon and order, restored or not), and the outbox the
/// events leave from. Columns are added only where missing and tables with IF NOT EXISTS, since MySQL commits DDL by
/// itself and a migrator stopped half way finds its first steps done on the rerun.
/// </summary>
[Migration(4, "redemption: coupon caps, used coupons' orders, coupon_redemptions, outbox_events")]
public sealed class M0004_Redemption : Migration
{
    public override void Up()
    {
        AddColumn("coupons", "max_discount_amount", "DECIMAL(12,2) NULL", "NUMERIC NULL");
        // Order ids compare exactly (the order service's "A-1" and "a-1" are two orders): ascii_bin, not the table's
        // case-insensitive default. SQLite compares TEXT exactly by default.
        AddColumn("user_coupons", "order_id", "VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL", "TEXT NULL");
        AddColumn("user_coupons", "used_at", "DATETIME(6) NULL", "TEXT NULL");
        IfDatabase(ProcessorIdConstants.MySql).Execute.Sql(
            """
            CREATE TABLE IF NOT EXISTS coupon_redemptions (
                user_coupon_id  BIGINT        NOT NULL,
                order_id        VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                user_id         BIGINT        NOT NULL,
                coupon_id       BIGINT        NOT NULL,
                order_amount    DECIMAL(12,2) NOT NULL,
                discount        DECIMAL(12,2) NOT NULL,
                used_at         DATETIME(6)   NOT NULL,
                restored_at     DATETIME(6)   NULL,
                PRIMARY KEY (user_coupon_id, order_id),
                KEY ix_coupon_redemptions_coupon (coupon_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
            """);
        IfDatabase(ProcessorIdConstants.MySql).Execute.Sql(
            """
            CREATE TABLE IF NOT EXISTS outbox_events (
                id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
                event_id      CHAR(36)     NOT NULL,
                event_type    VARCHAR(40)  NOT NULL,
                event_key     VARCHAR(64)  NOT NULL,
                payload       TEXT         NOT NULL,
                created_at    DATETIME(6)  NOT NULL,
                published_at  DATETIME(6)  NULL,
                KEY ix_outbox_events_published (published_at, id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
            """);
        IfDatabase(ProcessorIdConstants.SQLite).Execute.Sql(
            """
            CREATE TABLE IF NOT EXISTS coupon_redemptions (
                user_coupon_id  INTEGER NOT NULL,
                order_id        TEXT    NOT NULL,
                user_id         INTEGER NOT NULL,
                coupon_id       INTEGER NOT NULL,
                order_amount    NUMERIC NOT NULL,
                discount        NUMERIC NOT NULL,
                used_at         TEXT    NOT NULL,
                restored_at     TEXT    NULL,
                PRIMARY KEY (user_coupon_id, order_id)
            );
            CREATE INDEX IF NOT EXISTS ix_coupon_redemptions_coupon ON coupon_redemptions (coupon_id);
            CREATE TABLE IF NOT EXISTS outbox_events (
                id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                event_id      TEXT    NOT NULL,
                event_type    TEXT    NOT NULL,
                event_key     TEXT    NOT NULL,
                payload       TEXT    NOT NULL,
                created_at    TEXT    NOT NULL,
                published_at  TEXT    NULL
            );
            CREATE INDEX IF NOT EXISTS ix_outbox_events_published ON outbox_events (published_at, id);
            """);
    }

    public override void Down()
    {
        Delete.Table("outbox_events");
        Delete.Table("coupon_redemptions");
        Delete.Column("used_at").Column("order_id").FromTable("user_coupons");
        Delete.Column("max_discount_amount").FromTable("coupons");
    }

    private void AddColumn(string table, string column, string mysqlType, string sqliteType)
    {
        if (Schema.Table(table).Column(column).Exists())
        {
            return;
        }

        IfDatabase(ProcessorIdConstants.MySql).Execute.Sql($"ALTER TABLE {table} ADD COLUMN {column} {mysqlType}");
        IfDatabase(ProcessorIdConstants.SQLite).Execute.Sql($"ALTER TABLE {table} ADD COLUMN {column} {sqliteType}");
    }
}
