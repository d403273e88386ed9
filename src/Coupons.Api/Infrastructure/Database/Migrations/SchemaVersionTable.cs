using FluentMigrator.Runner.VersionTableInfo;

namespace Coupons.Infrastructure.Database.Migrations;

/// <summary>
/// Where the applied migrations are recorded: named like every other table here, not FluentMigrator's VersionInfo.
/// </summary>
public sealed class SchemaVersionTable : IVersionTableMetaData
{
    public const string Name = "schema_versions";

    public object? ApplicationContext { get; set; }

    public bool OwnsSchema => false;

    public string SchemaName => "";

    public string TableName => Name;

    public string ColumnName => "version";

    public string DescriptionColumnName => "description";

    public string UniqueIndexName => "uq_schema_versions_version";

    public string AppliedOnColumnName => "applied_on";

    public bool CreateWithPrimaryKey => false;
}
