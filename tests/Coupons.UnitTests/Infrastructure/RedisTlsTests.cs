using Coupons.Infrastructure.Redis;
using StackExchange.Redis;

namespace Coupons.UnitTests.Infrastructure;

/// <summary>
/// TLS to Redis: Redis:Ssl and Redis:SslHost, or ssl=true in the configuration string (issue 21, item 12).
/// </summary>
public sealed class RedisTlsTests
{
    [Fact]
    public void Ssl_and_the_certificates_host_reach_the_client()
    {
        var options = new RedisOptions { Configuration = "10.0.0.5:6380", Ssl = true, SslHost = "redis.internal" };

        var config = options.ApplySecurity(ConfigurationOptions.Parse(options.Configuration));

        Assert.True(config.Ssl);
        Assert.Equal("redis.internal", config.SslHost);
        Assert.True(options.UsesTls);
    }

    [Fact]
    public void Ssl_in_the_configuration_string_is_kept_when_the_setting_is_off()
    {
        var options = new RedisOptions { Configuration = "redis:6380,ssl=true,sslHost=redis.internal" };

        var config = options.ApplySecurity(ConfigurationOptions.Parse(options.Configuration));

        Assert.True(config.Ssl);
        Assert.Equal("redis.internal", config.SslHost);
        Assert.True(options.UsesTls);
    }

    [Theory]
    [InlineData("redis:6379")]
    [InlineData("redis:6379,ssl=false")]
    [InlineData("s1:26379,s2:26379,serviceName=coupons")]
    public void Without_either_it_is_plaintext(string configuration)
    {
        var options = new RedisOptions { Configuration = configuration };

        Assert.False(options.ApplySecurity(ConfigurationOptions.Parse(configuration)).Ssl);
        Assert.False(options.UsesTls);
    }
}
