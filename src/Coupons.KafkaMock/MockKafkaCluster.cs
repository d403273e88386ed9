using System.Runtime.InteropServices;
using System.Text;

namespace Coupons.KafkaMock;

/// <summary>
/// librdkafka's in-process mock Kafka cluster: real wire protocol on loopback TCP, consumer groups,
/// idempotent producers, and fault injection (broker down/up, round-trip latency). Used for the
/// embedded dev mode and as the broker in tests and drills; never in production.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private const int ProducerType = 0;
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private bool _disposed;

    public MockKafkaCluster(int brokerCount = 1)
    {
        NativeLibrdkafka.EnsureLoaded();
        var errors = new byte[512];
        var conf = MockClusterNative.ConfNew();
        // The owning client never connects anywhere; it only hosts the mock cluster's threads.
        MockClusterNative.ConfSet(conf, "log_level", "3", errors, (UIntPtr)errors.Length);
        _handle = MockClusterNative.New(ProducerType, conf, errors, (UIntPtr)errors.Length);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + ReadError(errors));
        }

        _cluster = MockClusterNative.ClusterNew(_handle, brokerCount);
        if (_cluster == IntPtr.Zero)
        {
            MockClusterNative.Destroy(_handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.ClusterBootstraps(_cluster))
            ?? throw new InvalidOperationException("mock cluster has no bootstrap address");
    }

    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1) =>
        Check(MockClusterNative.TopicCreate(_cluster, topic, partitions, replicationFactor), $"create topic {topic}");

    /// <summary>
    /// Makes a broker the partition's leader. The mock never elects a leader itself (a broker set down keeps leading
    /// its partitions), so a drill of "the leader's broker died" does what Kafka's controller would: this.
    /// </summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(MockClusterNative.PartitionSetLeader(_cluster, topic, partition, brokerId), $"leader of {topic}/{partition}");

    /// <summary>
    /// Makes a broker the coordinator of a consumer group (what moves with the __consumer_offsets leader in Kafka).
    /// </summary>
    public void SetGroupCoordinator(string group, int brokerId) =>
        Check(MockClusterNative.CoordinatorSet(_cluster, "group", group, brokerId), $"coordinator of {group}");

    /// <summary>
    /// Takes a broker down: its connections are closed and new ones refused until <see cref="SetBrokerUp"/>.
    /// </summary>
    public void SetBrokerDown(int brokerId) => Check(MockClusterNative.BrokerSetDown(_cluster, brokerId), "broker down");

    public void SetBrokerUp(int brokerId) => Check(MockClusterNative.BrokerSetUp(_cluster, brokerId), "broker up");

    public void SetBrokerRtt(int brokerId, int rttMs) => Check(MockClusterNative.BrokerSetRtt(_cluster, brokerId, rttMs), "broker rtt");

    public void SetAllBrokers(Action<int> action)
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            action(id);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        MockClusterNative.ClusterDestroy(_cluster);
        MockClusterNative.Destroy(_handle);
    }

    private static void Check(int errorCode, string what)
    {
        if (errorCode != 0)
        {
            throw new InvalidOperationException($"mock cluster: {what} failed with librdkafka error {errorCode}");
        }
    }

    private static string ReadError(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
