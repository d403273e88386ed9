using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace Coupons.Infrastructure.Kafka;

public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>Read from <c>ConnectionStrings:kafka</c> (<see cref="StoreAddress.Kafka"/>).</summary>
    [Required]
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>Host librdkafka's mock cluster in-process (dev mode only).</summary>
    public bool Embedded { get; set; }

    [Required]
    public string Topic { get; set; } = "coupon.issue.requested";

    [Required]
    public string DeadLetterTopic { get; set; } = "coupon.issue.requested.dlq";

    /// <summary>The shop's events (coupon.issued, coupon.used, coupon.restored), published from the outbox.</summary>
    public string EventsTopic { get; set; } = "coupon.events";

    [Required]
    public string ConsumerGroup { get; set; } = "coupon-issue-service";

    [Range(1, 256)]
    public int Partitions { get; set; } = 4;

    /// <summary>
    /// Copies of each partition when the app creates its topics. Three, so a broker can fail (or be upgraded) without
    /// losing an accepted request; fewer only where there are fewer brokers (the single-broker test stack and compose).
    /// </summary>
    [Range(1, 16)]
    public short ReplicationFactor { get; set; } = 3;

    /// <summary>
    /// min.insync.replicas of the app's topics: with acks=all a publish succeeds only once this many copies have it, so
    /// a 202 survives the loss of any one broker. At most <see cref="ReplicationFactor"/>.
    /// </summary>
    [Range(1, 16)]
    public int MinInSyncReplicas { get; set; } = 2;

    /// <summary>
    /// How long a publish may take before the request is answered. librdkafka's message.timeout.ms:
    /// after it a delivery is reported failed, but may still have been written (PossiblyPersisted).
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan ProducerLinger { get; set; } = TimeSpan.FromMilliseconds(2);

    [Range(1, 10_000)]
    public int ConsumerBatchSize { get; set; } = 500;

    /// <summary>How long the consumer waits to fill a batch before writing what it has.</summary>
    public TimeSpan ConsumerBatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    public bool RunConsumer { get; set; } = true;

    /// <summary>librdkafka's session.timeout.ms: a member silent this long is dropped from the group.</summary>
    public TimeSpan ConsumerSessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// librdkafka's max.poll.interval.ms: a member that does not poll for this long leaves the group. The consumer
    /// polls at least every 250 ms, also while it waits for the database, so this only bounds a stuck loop: how long a
    /// member that still heartbeats but no longer consumes can hold its partitions (librdkafka's default is 5 minutes,
    /// which is 5 minutes of a partition nobody reads). At least <see cref="ConsumerSessionTimeout"/>.
    /// </summary>
    public TimeSpan ConsumerMaxPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// librdkafka debug contexts for the request consumer (e.g. "cgrp,consumer"), logged at Debug under
    /// Coupons.Consumer.ConsumerLoop. Empty: none. For an incident where the group misbehaves.
    /// </summary>
    public string? ConsumerDebug { get; set; }

    /// <summary>How long the publish circuit stays open before one trial send.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// librdkafka's security.protocol, for every client the app makes: Plaintext, Ssl, SaslPlaintext or SaslSsl. Broker
    /// ACLs need an authenticated principal: SaslSsl with a user (or Ssl with a client certificate). Production refuses
    /// the two without TLS (Plaintext, SaslPlaintext) unless Production:AllowPlaintextKafka.
    /// </summary>
    public SecurityProtocol SecurityProtocol { get; set; } = SecurityProtocol.Plaintext;

    /// <summary>
    /// sasl.mechanism with SaslPlaintext or SaslSsl: Plain, ScramSha256 or ScramSha512 (a user and a password).
    /// </summary>
    public SaslMechanism? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    /// <summary>Redacted in GET /api/admin/config (its name says password).</summary>
    public string? SaslPassword { get; set; }

    /// <summary>
    /// ssl.ca.location: the CA certificate(s) (PEM file) the brokers' certificates are checked against. Empty: the
    /// system's.
    /// </summary>
    public string? SslCaLocation { get; set; }

    /// <summary>
    /// ssl.certificate.location: a client certificate (PEM), for brokers that authenticate clients by certificate.
    /// </summary>
    public string? SslCertificateLocation { get; set; }

    /// <summary>ssl.key.location: the client certificate's private key (PEM).</summary>
    public string? SslKeyLocation { get; set; }

    /// <summary>ssl.key.password: the private key's passphrase. Redacted in GET /api/admin/config.</summary>
    public string? SslKeyPassword { get; set; }

    /// <summary>
    /// ssl.endpoint.identification.algorithm: Https (librdkafka's default) checks that a broker's certificate names the
    /// host connected to; None skips that check (still encrypted, but any certificate from the CA is accepted).
    /// </summary>
    public SslEndpointIdentificationAlgorithm? SslEndpointIdentificationAlgorithm { get; set; }

    /// <summary>
    /// Whether <paramref name="protocol"/> encrypts: Ssl and SaslSsl. SaslPlaintext sends everything, a PLAIN password
    /// too, readable.
    /// </summary>
    public static bool IsTls(SecurityProtocol protocol) => protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    public static bool IsSasl(SecurityProtocol protocol) => protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;

    /// <summary>
    /// The security settings onto a producer's, consumer's or admin client's configuration: every client the app makes
    /// for its brokers goes through here (KafkaClientConfigTests checks the source), so none connects in plaintext
    /// while the others use TLS. SASL settings only with a SASL protocol, TLS settings only with a TLS one.
    /// </summary>
    public T ApplySecurity<T>(T config)
        where T : ClientConfig
    {
        config.SecurityProtocol = SecurityProtocol;
        if (IsSasl(SecurityProtocol))
        {
            config.SaslMechanism = SaslMechanism;
            config.SaslUsername = SaslUsername;
            config.SaslPassword = SaslPassword;
        }

        if (IsTls(SecurityProtocol))
        {
            config.SslCaLocation = NullIfEmpty(SslCaLocation);
            config.SslCertificateLocation = NullIfEmpty(SslCertificateLocation);
            config.SslKeyLocation = NullIfEmpty(SslKeyLocation);
            config.SslKeyPassword = NullIfEmpty(SslKeyPassword);
            if (SslEndpointIdentificationAlgorithm is { } algorithm)
            {
                config.SslEndpointIdentificationAlgorithm = algorithm;
            }
        }

        return config;
    }

    /// <summary>
    /// The security settings that contradict each other, checked at start (AddKafka): a name to fix, not a broker that
    /// silently refuses.
    /// </summary>
    internal static readonly (Func<KafkaOptions, bool> Valid, string Message)[] SecurityRules =
    [
        (o => !IsSasl(o.SecurityProtocol) || o.SaslMechanism is Confluent.Kafka.SaslMechanism.Plain or Confluent.Kafka.SaslMechanism.ScramSha256 or Confluent.Kafka.SaslMechanism.ScramSha512,
            "Kafka: SecurityProtocol SaslPlaintext or SaslSsl needs Kafka__SaslMechanism Plain, ScramSha256 or ScramSha512"),
        (o => !IsSasl(o.SecurityProtocol) || !string.IsNullOrEmpty(o.SaslUsername) && !string.IsNullOrEmpty(o.SaslPassword),
            "Kafka: SecurityProtocol SaslPlaintext or SaslSsl needs Kafka__SaslUsername and Kafka__SaslPassword"),
        (o => IsSasl(o.SecurityProtocol) || o.SaslMechanism is null && string.IsNullOrEmpty(o.SaslUsername) && string.IsNullOrEmpty(o.SaslPassword),
            "Kafka: Kafka__SaslMechanism, Kafka__SaslUsername or Kafka__SaslPassword is set, but Kafka__SecurityProtocol is not SaslPlaintext or SaslSsl, so they would not be used"),
        (o => IsTls(o.SecurityProtocol) || new[] { o.SslCaLocation, o.SslCertificateLocation, o.SslKeyLocation, o.SslKeyPassword }.All(string.IsNullOrEmpty) && o.SslEndpointIdentificationAlgorithm is null,
            "Kafka: a Kafka__Ssl… setting is set, but Kafka__SecurityProtocol is not Ssl or SaslSsl, so it would not be used"),
        (o => string.IsNullOrEmpty(o.SslCertificateLocation) == string.IsNullOrEmpty(o.SslKeyLocation),
            "Kafka: a client certificate needs both Kafka__SslCertificateLocation and Kafka__SslKeyLocation"),
        (o => !o.Embedded || o.SecurityProtocol == SecurityProtocol.Plaintext,
            "Kafka: the embedded mock broker (Kafka__Embedded=true) speaks Plaintext only"),
    ];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
