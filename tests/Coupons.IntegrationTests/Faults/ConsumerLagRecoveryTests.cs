using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// The consumer-lag reader (the Kafka probe behind <c>coupons_dependency_up{dependency="kafka"}</c> and what gate
/// rebuilds and reconciliation wait on) reads again once Kafka is back. Found by <c>couponctl drill kafka-down</c>:
/// CouponsKafkaUnreachable kept firing minutes after the brokers returned, while /actuator/health said Kafka was UP.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class ConsumerLagRecoveryTests
{
    [Fact]
    public async Task Lag_is_read_again_after_every_broker_was_down()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        // The app's own Kafka wiring: its producer's settings, its lag reader.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = TestStack.Kafka, ["Kafka:Topic"] = $"lag-recovery-{run}", ["Kafka:ConsumerGroup"] = $"lag-recovery-{run}",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddKafka(configuration).BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<KafkaOptions>>();
        var producer = services.GetRequiredService<IProducer<string, byte[]>>();
        var lag = services.GetRequiredService<ConsumerLag>();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = TestStack.Kafka, GroupId = options.Value.ConsumerGroup, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = true,
        }).Build();
        consumer.Subscribe(options.Value.Topic);
        using var stop = new CancellationTokenSource();
        // The app's traffic: a producer publishing and a consumer of the group polling, each on its own thread.
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await producer.ProduceAsync(options.Value.Topic, new Message<string, byte[]> { Key = run, Value = [1] });
                }
                catch (KafkaException)
                {
                    // Kafka is down: the app keeps trying too
                }

                await Task.Delay(100);
            }
        });
        var consuming = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    consumer.Consume(TimeSpan.FromMilliseconds(200));
                }
                catch (KafkaException)
                {
                }
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(5));
        try
        {
            await Eventually.MatchesAsync(() => TryReadAsync(lag), read => read is { Count: > 0 }, TimeSpan.FromSeconds(30), "lag never read before the fault");

            await StackControl.KafkaAsync("down all");
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(3)); // the clients notice: their connections fail and back off
                Assert.Null(await TryReadAsync(lag));
            }
            finally
            {
                await StackControl.KafkaAsync("up all");
            }

            await Task.Delay(TimeSpan.FromSeconds(3)); // as the app's monitor, which reads every few seconds

            await Eventually.MatchesAsync(() => TryReadAsync(lag), read => read is { Count: > 0 }, TimeSpan.FromSeconds(30),
                "the lag reader never read again after every broker came back");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(publishing, consuming);
            consumer.Close();
        }
    }

    private static async Task<IReadOnlyList<PartitionLag>?> TryReadAsync(ConsumerLag lag)
    {
        try
        {
            return await lag.ReadAsync();
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            return null;
        }
    }
}
