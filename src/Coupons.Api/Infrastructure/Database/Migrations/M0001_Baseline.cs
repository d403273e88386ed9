using FluentMigrator;

namespace Coupons.Infrastructure.Database.Migrations;

/// <summary>
/// The schema as releases before versioned migrations created it at every start, kept as their own idempotent scripts
/// (IF NOT EXISTS): a database those releases created adopts the baseline with its data untouched, and an empty one
/// gets every table. Later changes are migrations of their own, never edits here.
/// </summary>
[Migration(1, "Baseline: users, coupons, user_coupons, issue_requests, parked_requests, admin_audit")]
public sealed class M0001_Baseline : Migration
{
    public override void Up()
    {
        IfDatabase(ProcessorIdConstants.MySql).Execute.EmbeddedScript("0001_baseline.mysql.sql");
        IfDatabase(ProcessorIdConstants.SQLite).Execute.EmbeddedScript("0001_baseline.sqlite.sql");
    }

    /// <summary>Dropping every table is a restore from backup, not a migration.</summary>
    public override void Down() => throw new NotSupportedException("The baseline is not rolled back: restore a backup instead.");
}
