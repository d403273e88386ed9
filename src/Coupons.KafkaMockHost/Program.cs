// A stand-alone librdkafka mock Kafka cluster for tests and drills (there is no real Kafka on these machines). Prints
// its bootstrap address, then takes commands on a loopback control port, one per line: down <broker|all> up
// <broker|all> rtt <broker|all> <ms> topic <name> <partitions> ping leader <topic> <partition> <broker> coordinator
// <group> <broker> (what Kafka's controller does when a broker dies) From bash: exec 3<>/dev/tcp/127.0.0.1/$PORT; echo
// "down all" >&3; read -r reply &3
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Coupons.KafkaMock;

var options = HostOptions.Parse(args);
using var cluster = new MockKafkaCluster(options.Brokers);
foreach (var (topic, partitions) in options.Topics)
{
    cluster.CreateTopic(topic, partitions, options.ReplicationFactor);
}

var listener = new TcpListener(IPAddress.Loopback, options.ControlPort);
listener.Start();
var controlPort = ((IPEndPoint)listener.LocalEndpoint).Port;
if (options.BootstrapFile is not null)
{
    File.WriteAllText(options.BootstrapFile + ".tmp", cluster.BootstrapServers);
    File.Move(options.BootstrapFile + ".tmp", options.BootstrapFile, overwrite: true);
}

Console.WriteLine($"BOOTSTRAP={cluster.BootstrapServers}");
Console.WriteLine($"CONTROL=127.0.0.1:{controlPort}");
Console.Out.Flush();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

try
{
    while (!stop.IsCancellationRequested)
    {
        var client = await listener.AcceptTcpClientAsync(stop.Token);
        _ = Task.Run(() => ServeAsync(client, cluster, stop.Token));
    }
}
catch (OperationCanceledException)
{
}

static async Task ServeAsync(TcpClient client, MockKafkaCluster cluster, CancellationToken ct)
{
    using var _ = client;
    using var reader = new StreamReader(client.GetStream());
    await using var writer = new StreamWriter(client.GetStream()) { AutoFlush = true };
    while (await reader.ReadLineAsync(ct) is { } line)
    {
        string reply;
        try
        {
            reply = Execute(cluster, line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            reply = "error " + ex.Message;
        }

        Console.WriteLine($"{DateTime.UtcNow:O} {line} -> {reply}");
        await writer.WriteLineAsync(reply);
    }
}

static string Execute(MockKafkaCluster cluster, string[] words)
{
    void ForBrokers(string which, Action<int> action)
    {
        if (which == "all")
        {
            cluster.SetAllBrokers(action);
        }
        else
        {
            action(int.Parse(which, CultureInfo.InvariantCulture));
        }
    }

    switch (words.FirstOrDefault())
    {
        case "ping":
            return "ok " + cluster.BootstrapServers;
        case "down":
            ForBrokers(words[1], cluster.SetBrokerDown);
            return "ok";
        case "up":
            ForBrokers(words[1], cluster.SetBrokerUp);
            return "ok";
        case "rtt":
            var ms = int.Parse(words[2], CultureInfo.InvariantCulture);
            ForBrokers(words[1], id => cluster.SetBrokerRtt(id, ms));
            return "ok";
        case "topic":
            cluster.CreateTopic(words[1], int.Parse(words[2], CultureInfo.InvariantCulture));
            return "ok";
        case "leader":
            cluster.SetPartitionLeader(words[1], int.Parse(words[2], CultureInfo.InvariantCulture), int.Parse(words[3], CultureInfo.InvariantCulture));
            return "ok";
        case "coordinator":
            cluster.SetGroupCoordinator(words[1], int.Parse(words[2], CultureInfo.InvariantCulture));
            return "ok";
        default:
            return "error unknown command";
    }
}

internal sealed record HostOptions(int Brokers, int ControlPort, string? BootstrapFile, int ReplicationFactor, List<(string Topic, int Partitions)> Topics)
{
    public static HostOptions Parse(string[] args)
    {
        var options = new HostOptions(1, 0, null, 1, []);
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--brokers" => options with { Brokers = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--control-port" => options with { ControlPort = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--bootstrap-file" => options with { BootstrapFile = args[++i] },
                "--replication-factor" => options with { ReplicationFactor = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--topic" => AddTopic(options, args[++i]),
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        return options;
    }

    // --topic name:partitions
    private static HostOptions AddTopic(HostOptions options, string spec)
    {
        var parts = spec.Split(':');
        options.Topics.Add((parts[0], parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 4));
        return options;
    }
}
