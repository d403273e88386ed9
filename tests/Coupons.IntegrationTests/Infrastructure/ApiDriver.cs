using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coupons.Admin;
using Coupons.Issuance;

namespace Coupons.IntegrationTests.Infrastructure;

public sealed record IssueAnswer(HttpStatusCode Status, string? Code, Guid? RequestId, string? RetryAfter);

/// <summary>Talks to the app the way clients and operators do, through HTTP only.</summary>
public sealed class ApiDriver(HttpClient client, HttpClient admin)
{
    public HttpClient Client => client;

    public HttpClient Admin => admin;

    /// <summary>Creates a coupon open from a minute ago for a day (or the window given) and opens its gate.</summary>
    public async Task<long> CreateOpenCouponAsync(int total, DateTimeOffset? start = null, DateTimeOffset? end = null, bool open = true)
    {
        var now = DateTimeOffset.UtcNow;
        var response = await admin.PostAsJsonAsync("/api/admin/coupons", new CreateCouponRequest(
            $"test coupon {Guid.NewGuid():N}", "FIXED", null, 1000m, 0m, total, start ?? now.AddMinutes(-1), end ?? now.AddDays(1), 7));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<CreatedCoupon>())!.Id;
        if (open)
        {
            var opened = await admin.PostAsync($"/api/admin/coupons/{id}/open", null);
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        }

        return id;
    }

    /// <summary>Creates <paramref name="count"/> users with unique public ids (lower case, starting with <paramref name="prefix"/>) and returns those ids.</summary>
    public async Task<IReadOnlyList<string>> CreateUsersAsync(int count, string prefix = "")
    {
        prefix += Guid.NewGuid().ToString("N")[..12];
        var users = Enumerable.Range(0, count)
            .Select(i => new NewUserRequest($"{prefix}-{i}", $"User {i}", $"{prefix}-{i}@test.example"))
            .ToList();
        foreach (var chunk in users.Chunk(AdminApi.MaxUsersPerCall))
        {
            var response = await admin.PostAsJsonAsync("/api/admin/users", new CreateUsersRequest(chunk));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        return users.Select(u => u.PublicId!).ToList();
    }

    /// <summary>Waits until the instance reports ready (DB, Redis, Kafka, consumer), as a load balancer would before sending traffic.</summary>
    public static async Task WaitUntilReadyAsync(HttpClient http, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await http.GetAsync("/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "instance never became ready: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(200);
        }
    }

    public Task<IssueAnswer> IssueAsync(long couponId, string publicId) => IssueAsync(client, couponId, publicId);

    public static async Task<IssueAnswer> IssueAsync(HttpClient http, long couponId, string publicId)
    {
        using var response = await http.PostAsync($"/api/coupons/{couponId}/issue-fcfs/{publicId}", null);
        var body = await response.Content.ReadAsStringAsync();
        using var json = string.IsNullOrEmpty(body) ? null : JsonDocument.Parse(body);
        var root = json?.RootElement;
        string? code = root is { } r && r.TryGetProperty("code", out var c) ? c.GetString() : null;
        Guid? requestId = root is { } r2 && r2.TryGetProperty("requestId", out var id) ? id.GetGuid() : null;
        var retryAfter = response.Headers.RetryAfter?.ToString();
        return new IssueAnswer(response.StatusCode, code, requestId, retryAfter);
    }

    public async Task<IssueRequestView?> GetRequestAsync(long couponId, Guid requestId)
    {
        var response = await client.GetAsync($"/api/coupons/{couponId}/issue-requests/{requestId}");
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<IssueRequestView>() : null;
    }

    public async Task<ConsistencyReportView> ConsistencyAsync(long couponId)
    {
        var response = await admin.GetAsync($"/api/admin/coupons/{couponId}/consistency");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ConsistencyReportView>())!;
    }

    /// <summary>Polls the consistency report until nothing is in flight, or fails after <paramref name="timeout"/>.</summary>
    public async Task<ConsistencyReportView> WaitForDrainAsync(long couponId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var report = await ConsistencyAsync(couponId);
            if (report.InFlight == 0 && report.Parked == 0)
            {
                return report;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"coupon {couponId} did not drain: {report.InFlight} in flight, {report.Parked} parked; {string.Join("; ", report.Problems)}");
            }

            await Task.Delay(200);
        }
    }
}
