using System.Text.RegularExpressions;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coupons.UnitTests.Infrastructure;

/// <summary>
/// Kafka's TLS and SASL settings, as librdkafka receives them, from every client the app makes (issue 21, item 12).
/// </summary>
public sealed partial class KafkaClientConfigTests
{
    private static KafkaOptions SaslSsl() => new()
    {
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = "coupons-api",
        SaslPassword = "sasl-password-not-a-secret",
        SslCaLocation = "/etc/kafka/ca.pem",
    };

    [Fact]
    public void Sasl_over_tls_reaches_librdkafka_as_its_own_properties()
    {
        var config = SaslSsl().ApplySecurity(new ClientConfig { BootstrapServers = "k1:9093" });

        Assert.Equal("sasl_ssl", config.Get("security.protocol"));
        Assert.Equal("SCRAM-SHA-512", config.Get("sasl.mechanism"));
        Assert.Equal("coupons-api", config.Get("sasl.username"));
        Assert.Equal("sasl-password-not-a-secret", config.Get("sasl.password"));
        Assert.Equal("/etc/kafka/ca.pem", config.Get("ssl.ca.location"));
        Assert.Equal("k1:9093", config.Get("bootstrap.servers"));
    }

    [Fact]
    public void A_client_certificate_and_the_hostname_check_reach_librdkafka()
    {
        var options = new KafkaOptions
        {
            SecurityProtocol = SecurityProtocol.Ssl,
            SslCertificateLocation = "/etc/kafka/client.pem",
            SslKeyLocation = "/etc/kafka/client.key",
            SslKeyPassword = "key-password-not-a-secret",
            SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.None,
        };

        var config = options.ApplySecurity(new ProducerConfig());

        Assert.Equal("ssl", config.Get("security.protocol"));
        Assert.Equal("/etc/kafka/client.pem", config.Get("ssl.certificate.location"));
        Assert.Equal("/etc/kafka/client.key", config.Get("ssl.key.location"));
        Assert.Equal("key-password-not-a-secret", config.Get("ssl.key.password"));
        Assert.Equal("none", config.Get("ssl.endpoint.identification.algorithm"));
        Assert.DoesNotContain(config, p => p.Key.StartsWith("sasl.", StringComparison.Ordinal));
        Assert.Null(config.Get("ssl.ca.location")); // not set: librdkafka's default (the system's CAs)
    }

    [Fact]
    public void The_default_is_plaintext_with_no_sasl_or_tls_property()
    {
        var config = new KafkaOptions().ApplySecurity(new ConsumerConfig { GroupId = "g" });

        Assert.Equal("plaintext", config.Get("security.protocol"));
        Assert.DoesNotContain(config, p => p.Key.StartsWith("sasl.", StringComparison.Ordinal) || p.Key.StartsWith("ssl.", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every producer, consumer and admin client configuration the app builds goes through
    /// <see cref="KafkaOptions.ApplySecurity{T}"/>: one written without it would connect in plaintext, or
    /// unauthenticated, while the others use TLS and SASL.
    /// </summary>
    [Fact]
    public void Every_kafka_client_the_app_makes_goes_through_the_security_settings()
    {
        var files = Directory.GetFiles(RepositoryFiles.Path("src", "Coupons.Api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var built = files.SelectMany(f => ClientConfigConstruction().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), m.Groups["secured"].Success))).ToList();

        Assert.True(built.Count >= 5, $"expected the producer, the request consumer, the lag reader, the DLQ reader and the topic admin; found {built.Count}");
        Assert.All(built, b => Assert.True(b.Success, $"{b.File} builds a Kafka client config without ApplySecurity"));
    }

    [GeneratedRegex(@"(?<secured>ApplySecurity\()?new (ProducerConfig|ConsumerConfig|AdminClientConfig|ClientConfig)\b")]
    private static partial Regex ClientConfigConstruction();

    /// <summary>
    /// The librdkafka build the app loads (centos8, self-contained) has TLS and SASL: each protocol and mechanism makes
    /// a client.
    /// </summary>
    [Theory]
    [InlineData(SecurityProtocol.Ssl, null)]
    [InlineData(SecurityProtocol.SaslSsl, SaslMechanism.Plain)]
    [InlineData(SecurityProtocol.SaslSsl, SaslMechanism.ScramSha256)]
    [InlineData(SecurityProtocol.SaslSsl, SaslMechanism.ScramSha512)]
    [InlineData(SecurityProtocol.SaslPlaintext, SaslMechanism.ScramSha512)]
    public void The_native_client_accepts_each_protocol_and_mechanism(SecurityProtocol protocol, SaslMechanism? mechanism)
    {
        KafkaServices.LoadNativeClient();
        var options = new KafkaOptions { SecurityProtocol = protocol, SaslMechanism = mechanism };
        if (mechanism is not null)
        {
            (options.SaslUsername, options.SaslPassword) = ("u", "p");
        }

        // Port 1 on loopback: nothing listens, so nothing is sent; building the client is what checks the settings.
        using var producer = new ProducerBuilder<Null, Null>(options.ApplySecurity(new ProducerConfig { BootstrapServers = "127.0.0.1:1" })).Build();

        Assert.False(string.IsNullOrEmpty(producer.Name));
    }

    [Theory]
    [InlineData("SaslSsl", null, "u", "p", null, "Kafka__SaslMechanism")]
    [InlineData("SaslSsl", "Gssapi", "u", "p", null, "Kafka__SaslMechanism")]
    [InlineData("SaslSsl", "ScramSha512", null, "p", null, "Kafka__SaslUsername and Kafka__SaslPassword")]
    [InlineData("SaslPlaintext", "Plain", "u", "", null, "Kafka__SaslUsername and Kafka__SaslPassword")]
    [InlineData("Ssl", null, "u", "p", null, "not SaslPlaintext or SaslSsl")]
    [InlineData("Plaintext", "ScramSha256", null, null, null, "not SaslPlaintext or SaslSsl")]
    [InlineData("Plaintext", null, null, null, "/etc/kafka/ca.pem", "not Ssl or SaslSsl")]
    [InlineData("SaslPlaintext", "Plain", "u", "p", "/etc/kafka/ca.pem", "not Ssl or SaslSsl")]
    public void Contradicting_security_settings_stop_the_start_with_the_setting_named(
        string protocol, string? mechanism, string? user, string? password, string? ca, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Options(
            ("Kafka:SecurityProtocol", protocol), ("Kafka:SaslMechanism", mechanism), ("Kafka:SaslUsername", user), ("Kafka:SaslPassword", password),
            ("Kafka:SslCaLocation", ca)));

        Assert.Contains(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_needs_its_key() =>
        Assert.Contains("Kafka__SslKeyLocation", Assert.Single(Assert.Throws<OptionsValidationException>(() =>
            Options(("Kafka:SecurityProtocol", "Ssl"), ("Kafka:SslCertificateLocation", "/etc/kafka/client.pem"))).Failures), StringComparison.Ordinal);

    [Fact]
    public void The_embedded_mock_broker_is_plaintext_only() =>
        Assert.Contains("Plaintext only", Assert.Single(Assert.Throws<OptionsValidationException>(() =>
            Options(("Kafka:Embedded", "true"), ("Kafka:SecurityProtocol", "Ssl"))).Failures), StringComparison.Ordinal);

    [Fact]
    public void Consistent_settings_start()
    {
        var options = Options(("Kafka:SecurityProtocol", "SaslSsl"), ("Kafka:SaslMechanism", "ScramSha512"), ("Kafka:SaslUsername", "coupons-api"),
            ("Kafka:SaslPassword", "sasl-password-not-a-secret"), ("Kafka:SslCaLocation", "/etc/kafka/ca.pem"));

        Assert.Equal((SecurityProtocol.SaslSsl, SaslMechanism.ScramSha512), (options.SecurityProtocol, options.SaslMechanism));
    }

    /// <summary>The options as the app binds and checks them at start.</summary>
    private static KafkaOptions Options(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => s.Value is not null).Select(s => KeyValuePair.Create(s.Key, s.Value)))
            .Build();
        using var services = new ServiceCollection().AddLogging().AddKafka(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<KafkaOptions>>().Value;
    }
}
