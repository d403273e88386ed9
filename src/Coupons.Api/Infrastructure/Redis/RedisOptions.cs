using System.ComponentModel.DataAnnotations;

namespace Coupons.Infrastructure.Redis;

public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string. Ignored when <see cref="Embedded"/> is on.</summary>
    [Required]
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Run Garnet in-process (dev mode): same protocol and Lua scripts as Redis, nothing to install.</summary>
    public bool Embedded { get; set; }

    /// <summary>Port for the embedded Garnet; 0 picks a free one.</summary>
    public int EmbeddedPort { get; set; } = 6380;

    /// <summary>Upper bound on any one Redis call; the FCFS path must not wait long on a hung Redis.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the Redis circuit stays open before one trial call.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(1);
}
