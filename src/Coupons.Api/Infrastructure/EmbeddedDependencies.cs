using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using Coupons.KafkaMock;

namespace Coupons.Infrastructure;

/// <summary>
/// Dev mode with nothing installed: starts Garnet and librdkafka's mock Kafka cluster inside the process
/// and points the Redis and Kafka settings at them. The code paths that use them are the production ones.
/// </summary>
public static class EmbeddedDependencies
{
    public static WebApplicationBuilder AddEmbeddedDependencies(this WebApplicationBuilder builder)
    {
        var overrides = new Dictionary<string, string?>();
        var redis = builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        if (redis.Embedded)
        {
            var garnet = new EmbeddedGarnet(redis.EmbeddedPort);
            builder.Services.AddSingleton(garnet);
            overrides[StoreAddress.Redis.Key] = garnet.Configuration;
        }

        var kafka = builder.Configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();
        if (kafka.Embedded)
        {
            KafkaServices.LoadNativeClient();
            var cluster = new MockKafkaCluster();
            cluster.CreateTopic(kafka.Topic, kafka.Partitions);
            cluster.CreateTopic(kafka.DeadLetterTopic, 1);
            cluster.CreateTopic(kafka.EventsTopic, kafka.Partitions);
            builder.Services.AddSingleton(cluster);
            overrides[StoreAddress.Kafka.Key] = cluster.BootstrapServers;
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        return builder;
    }
}
