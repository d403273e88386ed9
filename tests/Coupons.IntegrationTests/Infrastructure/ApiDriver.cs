using Coupons.Client;

namespace Coupons.IntegrationTests.Infrastructure;

public sealed record IssueAnswer(HttpStatusCode Status, string? Code, Guid? RequestId, string? RetryAfter);

/// <summary>
/// Talks to the app the way clients and operators do, through HTTP only: the typed clients the bench and on-call tools
/// use (<see cref="CouponsClient"/>, <see cref="CouponsAdminClient"/>), plus the raw HTTP clients for hostile requests.
/// </summary>
public sealed class ApiDriver(HttpClient client, HttpClient admin)
{
    public HttpClient Client => client;

    public HttpClient Admin => admin;

    public CouponsClient Users { get; } = new(client);

    public CouponsAdminClient Operator { get; } = new(admin);

    private static readonly TimeSpan TestLifetime = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Creates a coupon open from a minute ago (or the window given) and opens its gate. Unless told otherwise it ends
    /// 15 minutes after it starts or now, whichever is later: far longer than a test, and over long before the suite
    /// is. Day-long sales piled up to hundreds open at once by the end of a run, and every app's gate keeper and
    /// reconciler go over every open sale every round.
    /// </summary>
    public async Task<long> CreateOpenCouponAsync(int total, DateTimeOffset? start = null, DateTimeOffset? end = null, bool open = true)
    {
        var now = DateTimeOffset.UtcNow;
        var from = start ?? now.AddMinutes(-1);
        var until = end ?? (from > now ? from : now).Add(TestLifetime);
        var id = await Operator.CreateCouponAsync(new CreateCouponRequest(
            $"test coupon {Guid.NewGuid():N}", "FIXED", null, 1000m, 0m, total, from, until, 7));
        if (open)
        {
            await Operator.OpenAsync(id);
        }

        return id;
    }

    /// <summary>
    /// An open sale: a coupon with <paramref name="stock"/> units, its gate open, and <paramref name="people"/> new
    /// users.
    /// </summary>
    public async Task<(long CouponId, IReadOnlyList<string> Users)> OpenSaleAsync(int stock, int people) =>
        (await CreateOpenCouponAsync(stock), await CreateUsersAsync(people));

    /// <summary>An open sale with one new user.</summary>
    public async Task<(long CouponId, string User)> OpenSaleForOneAsync(int stock) =>
        (await CreateOpenCouponAsync(stock), (await CreateUsersAsync(1))[0]);

    /// <summary>
    /// Creates <paramref name="count"/> users with unique public ids (lower case, starting with
    /// <paramref name="prefix"/>) and returns those ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> CreateUsersAsync(int count, string prefix = "")
    {
        prefix += Guid.NewGuid().ToString("N")[..12];
        var users = Enumerable.Range(0, count)
            .Select(i => new NewUserRequest($"{prefix}-{i}", $"User {i}", $"{prefix}-{i}@test.example"))
            .ToList();
        Assert.Equal(count, await Operator.CreateUsersAsync(users));
        return users.Select(u => u.PublicId!).ToList();
    }

    /// <summary>
    /// Waits until the instance reports ready (DB, Redis, Kafka, consumer), as a load balancer would before sending
    /// traffic.
    /// </summary>
    public static async Task WaitUntilReadyAsync(HttpClient http, TimeSpan? timeout = null)
    {
        await Eventually.MatchesAsync(async () =>
        {
            using var response = await http.GetAsync("/health/ready");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode == HttpStatusCode.OK, timeout ?? TimeSpan.FromSeconds(60), "instance never became ready");
    }

    public Task<IssueAnswer> IssueAsync(long couponId, string publicId) => IssueAsync(client, couponId, publicId);

    /// <summary>
    /// The first click after a start. Ready means the stores answer; a Redis that answered its first call late (clean
    /// clone Z: the embedded Garnet timed out at start) leaves the gates unverified until the gate keeper's next round,
    /// and meanwhile a click is 503 GATE_NOT_READY or REDIS_UNAVAILABLE with nothing taken. A client retries those, so
    /// this does, for at most a minute; any other answer is returned.
    /// </summary>
    public static Task<IssueAnswer> FirstIssueAsync(HttpClient http, long couponId, string publicId) =>
        Eventually.MatchesAsync(() => IssueAsync(http, couponId, publicId),
            a => a is not { Status: HttpStatusCode.ServiceUnavailable, Code: "GATE_NOT_READY" or "REDIS_UNAVAILABLE" },
            TimeSpan.FromSeconds(60), $"coupon {couponId}'s gate was never verified after the start");

    public static async Task<IssueAnswer> IssueAsync(HttpClient http, long couponId, string publicId)
    {
        var answer = await new CouponsClient(http).IssueAsync(couponId, publicId);
        return new IssueAnswer(answer.Status, answer.Problem?.Code, answer.Value?.RequestId ?? answer.Problem?.RequestId, answer.Problem?.RetryAfter?.ToString());
    }

    public async Task<IssueRequestView?> GetRequestAsync(long couponId, Guid requestId) =>
        (await Users.GetRequestAsync(couponId, requestId)).Value;

    public Task<ConsistencyReportView> ConsistencyAsync(long couponId) => Operator.ConsistencyAsync(couponId);

    /// <summary>The consistency report, or null while Redis is coming back (503) after a restart.</summary>
    public async Task<ConsistencyReportView?> ConsistencyOrNullAsync(long couponId)
    {
        try
        {
            return await Operator.ConsistencyAsync(couponId);
        }
        catch (ApiProblemException ex) when (ex.Problem.Status == HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls the consistency report until nothing is in flight, or fails after <paramref name="timeout"/> (a 503 while
    /// Redis comes back is asked again).
    /// </summary>
    public async Task<ConsistencyReportView> WaitForDrainAsync(long couponId, TimeSpan? timeout = null) =>
        (await Eventually.MatchesAsync(() => ConsistencyOrNullAsync(couponId), r => r is { InFlight: 0, Parked: 0 },
            timeout ?? TimeSpan.FromSeconds(90), $"coupon {couponId} did not drain"))!;
}
