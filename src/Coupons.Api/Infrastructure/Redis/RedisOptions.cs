using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace Coupons.Infrastructure.Redis;

public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>
    /// StackExchange.Redis configuration string, read from <c>ConnectionStrings:redis</c>
    /// (<see cref="StoreAddress.Redis"/>). Ignored when <see cref="Embedded"/> is on.
    /// </summary>
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

    /// <summary>
    /// TLS to Redis (and to the sentinels, when <see cref="Configuration"/> names them). <c>ssl=true</c> in the
    /// configuration string does the same; either is TLS. Production refuses neither unless
    /// Production:AllowPlaintextRedis.
    /// </summary>
    public bool Ssl { get; set; }

    /// <summary>
    /// The name the server's certificate must carry, when it is not the host connected to (StackExchange.Redis's
    /// sslHost).
    /// </summary>
    public string? SslHost { get; set; }

    /// <summary>
    /// Whether the connection uses TLS: <see cref="Ssl"/>, or <c>ssl=true</c> in <see cref="Configuration"/>.
    /// </summary>
    public bool UsesTls => Ssl || ConfigurationSaysSsl(Configuration);

    /// <summary>
    /// Whether a StackExchange.Redis configuration string says <c>ssl=true</c>; false for one it cannot read.
    /// </summary>
    public static bool ConfigurationSaysSsl(string? configuration)
    {
        try
        {
            return ConfigurationOptions.Parse(configuration ?? "", ignoreUnknown: true).Ssl;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// <see cref="Ssl"/> and <see cref="SslHost"/> onto the client's configuration (which may say ssl=true already).
    /// </summary>
    public ConfigurationOptions ApplySecurity(ConfigurationOptions config)
    {
        if (Ssl)
        {
            config.Ssl = true;
        }

        if (!string.IsNullOrEmpty(SslHost))
        {
            config.SslHost = SslHost;
        }

        return config;
    }
}
