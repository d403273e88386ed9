using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Coupons.Infrastructure.Kafka;

/// <summary>
/// Creates the request, dead-letter and events topics if they are missing. Best effort: a broker that is down now will
/// be retried by the clients.
/// </summary>
public sealed class KafkaTopics(IOptions<KafkaOptions> options, ILogger<KafkaTopics> logger)
{
    public async Task EnsureAsync()
    {
        var o = options.Value;
        using var admin = new AdminClientBuilder(o.ApplySecurity(new AdminClientConfig { BootstrapServers = o.BootstrapServers, SocketTimeoutMs = 5000 })).Build();
        foreach (var topic in new[] { o.Topic, o.DeadLetterTopic, o.EventsTopic })
        {
            if (Exists(admin, topic))
            {
                continue;
            }

            try
            {
                await admin.CreateTopicsAsync(
                    [new TopicSpecification
                    {
                        Name = topic,
                        NumPartitions = o.Partitions,
                        ReplicationFactor = o.ReplicationFactor,
                        Configs = new() { ["min.insync.replicas"] = o.MinInSyncReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    }],
                    new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(5), OperationTimeout = TimeSpan.FromSeconds(5) });
            }
            catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
            {
            }
            catch (KafkaException ex)
            {
                KafkaLog.TopicNotEnsured(logger, topic, ex.Message);
            }
        }
    }

    private static bool Exists(IAdminClient admin, string topic)
    {
        try
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(5));
            return metadata.Topics.Any(t => t.Topic == topic && !t.Error.IsError && t.Partitions.Count > 0);
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
