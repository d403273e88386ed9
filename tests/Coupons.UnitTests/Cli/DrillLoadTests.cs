using System.Net;
using System.Net.Sockets;
using Coupons.Cli.Drills;
using Coupons.Client;

namespace Coupons.UnitTests.Cli;

/// <summary>The drill's load generator at its edges, against a real socket that accepts and never answers.</summary>
public sealed class DrillLoadTests
{
    /// <summary>
    /// Issue 27 item 5: a user still waiting for an answer when the settle deadline passes has no final answer; that
    /// is the drill's finding to report, not an exception that ends the drill without one (on main at f830887
    /// FinishAsync threw TaskCanceledException).
    /// </summary>
    [Fact]
    public async Task A_user_mid_request_at_the_settle_deadline_ends_without_an_answer_instead_of_throwing()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptSocketAsync());
            }
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"), Timeout = Timeout.InfiniteTimeSpan };
        var load = new DrillLoad(new CouponsClient(http), 1, ["drill-user-0"]);
        using var stop = new CancellationTokenSource();
        using var arrivals = new CancellationTokenSource();

        await load.ArriveAsync(1, arrivals.Token, stop.Token);
        await Task.Delay(300); // the click is on the wire, waiting
        stop.Cancel();

        await load.FinishAsync();
        Assert.DoesNotContain(load.Answers, a => a.Status is 202 or 409);
        accepted.ForEach(s => s.Dispose());
    }
}
