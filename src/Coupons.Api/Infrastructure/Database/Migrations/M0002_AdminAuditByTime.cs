using FluentMigrator;

namespace Coupons.Infrastructure.Database.Migrations;

/// <summary>
/// <c>couponctl postmortem</c> and <c>collect</c> read the audit trail by time (the incident's window); without this
/// index each read scans every admin call ever made. MySQL commits DDL by itself, so a migrator stopped between the
/// index and its version row would find the index on the rerun: it is created only where it is missing.
/// </summary>
[Migration(2, "admin_audit by time, for the post-mortem's window")]
public sealed class M0002_AdminAuditByTime : Migration
{
    public override void Up()
    {
        if (!Schema.Table("admin_audit").Index("ix_admin_audit_at").Exists())
        {
            Create.Index("ix_admin_audit_at").OnTable("admin_audit").OnColumn("at").Ascending();
        }
    }

    public override void Down() => Delete.Index("ix_admin_audit_at").OnTable("admin_audit");
}
