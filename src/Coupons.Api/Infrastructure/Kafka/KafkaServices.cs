using Confluent.Kafka;
using System.Runtime.InteropServices;
using Coupons.KafkaMock;

namespace Coupons.Infrastructure.Kafka;

public static class KafkaServices
{
    public static IServiceCollection AddKafka(this IServiceCollection services, IConfiguration configuration)
    {
        LoadNativeClient();
        var options = services.AddCheckedOptions<KafkaOptions>(configuration, KafkaOptions.Section)
            .PostConfigure(o => o.BootstrapServers = StoreAddress.Kafka.Read(configuration) ?? o.BootstrapServers)
            .Validate(o => o.MinInSyncReplicas <= o.ReplicationFactor, "Kafka: MinInSyncReplicas cannot exceed ReplicationFactor")
            .Validate(o => o.ConsumerMaxPollInterval >= o.ConsumerSessionTimeout, "Kafka: ConsumerMaxPollInterval cannot be shorter than ConsumerSessionTimeout");
        foreach (var (valid, message) in KafkaOptions.SecurityRules)
        {
            options.Validate(valid, message);
        }

        services.AddSingleton<IProducer<string, byte[]>>(sp => BuildProducer(sp.GetRequiredService<IOptions<KafkaOptions>>().Value, sp));
        services.AddSingleton<KafkaTopics>();
        // The consumer group's position against the topic's end: lag metrics and the pipeline drain.
        services.AddSingleton<ConsumerLag>();
        return services;
    }

    private static readonly Lock LoadGate = new();

    /// <summary>
    /// Confluent.Kafka must load the same self-contained librdkafka build as the mock cluster (see NativeLibrdkafka).
    /// Its loader dlopen()s through "libdl", which glibc 2.34+ systems only ship as libdl.so.2, so that name is mapped
    /// too, and its P/Invokes (whatever library name they carry) are bound to the same file.
    /// </summary>
    public static void LoadNativeClient()
    {
        lock (LoadGate)
        {
            NativeLibrdkafka.EnsureLoaded();
            if (NativeLibrdkafka.Path is not { } path || Library.IsLoaded)
            {
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, (name, _, _) => name switch
                {
                    "libdl" => NativeLibrary.TryLoad("libdl.so.2", out var libdl) ? libdl : IntPtr.Zero,
                    _ when name.Contains("rdkafka", StringComparison.Ordinal) => NativeLibrary.Load(path),
                    _ => IntPtr.Zero,
                });
            }
            catch (InvalidOperationException)
            {
                // A resolver is already set for the assembly (set once per process).
            }

            Library.Load(path);
        }
    }

    private static IProducer<string, byte[]> BuildProducer(KafkaOptions options, IServiceProvider sp)
    {
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Coupons.Kafka.Producer");
        var config = options.ApplySecurity(new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "coupons-api",
            // acks=all + idempotence: a retried send is never written twice, and an ack means in-sync replicas have it.
            Acks = Acks.All,
            EnableIdempotence = true,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            LingerMs = options.ProducerLinger.TotalMilliseconds,
            SocketTimeoutMs = 5000,
            ReconnectBackoffMaxMs = 1000,
            // Every caller reads only a delivery's status: not copying each message's key, value and headers back out
            // of librdkafka saves an allocation per click (issue 24).
            DeliveryReportFields = "status",
        });
        return new ProducerBuilder<string, byte[]>(config)
            .SetLogHandler((_, message) => KafkaLog.Client(logger, message.Level.ToString(), message.Facility, message.Message))
            .SetErrorHandler((_, error) => KafkaLog.ClientError(logger, error.Code.ToString(), error.Reason))
            .Build();
    }
}
