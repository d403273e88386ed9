using FluentMigrator;

namespace Coupons.Infrastructure.Database.Migrations;

/// <summary>
/// The sale's kill switch (Coupons.Pauses): one row per paused sale, coupon 0 standing for every sale. In the database,
/// not in Redis, so a pause outlives a restart of the app and of Redis alike. Written per dialect, as the baseline's
/// tables are (the same column types and character set); IF NOT EXISTS because MySQL commits DDL by itself, and a
/// migrator stopped between the table and its version row finds the table on the rerun.
/// </summary>
[Migration(3, "sale_pauses: the kill switch per coupon and for every sale")]
public sealed class M0003_SalePauses : Migration
{
    public override void Up()
    {
        IfDatabase(ProcessorIdConstants.MySql).Execute.Sql(
            """
            CREATE TABLE IF NOT EXISTS sale_pauses (
                coupon_id  BIGINT       NOT NULL PRIMARY KEY,
                paused_at  DATETIME(6)  NOT NULL,
                paused_by  VARCHAR(100) NOT NULL,
                reason     VARCHAR(200) NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
            """);
        IfDatabase(ProcessorIdConstants.SQLite).Execute.Sql(
            """
            CREATE TABLE IF NOT EXISTS sale_pauses (
                coupon_id  INTEGER NOT NULL PRIMARY KEY,
                paused_at  TEXT    NOT NULL,
                paused_by  TEXT    NOT NULL,
                reason     TEXT    NULL
            )
            """);
    }

    public override void Down() => Delete.Table("sale_pauses");
}
