using System.Net.Http.Json;
using Coupons.Contracts;

namespace Coupons.Client;

/// <summary>
/// The admin API as operators, tests and the bench call it. Calls that an operator expects to succeed throw
/// <see cref="ApiProblemException"/> with the service's problem otherwise; calls whose refusal is an ordinary answer
/// (reconcile while the pipeline is busy, a rebuild still waiting) return an <see cref="ApiAnswer{T}"/>.
/// </summary>
public sealed class CouponsAdminClient(HttpClient http)
{
    public const string KeyHeader = "X-Admin-Key";

    /// <summary>
    /// The service takes at most this many users per call; <see cref="CreateUsersAsync"/> splits larger lists.
    /// </summary>
    public const int MaxUsersPerCall = 10_000;

    public HttpClient Http => http;

    /// <summary>A client for the admin API at <paramref name="baseAddress"/> with <paramref name="key"/>.</summary>
    public static CouponsAdminClient Create(Uri baseAddress, string key, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add(KeyHeader, key);
        return new CouponsAdminClient(client);
    }

    public async Task<long> CreateCouponAsync(CreateCouponRequest coupon, CancellationToken ct = default) =>
        (await SendAsync<CreatedCoupon>(HttpMethod.Post, "/api/admin/coupons", coupon, ct)).Id;

    /// <summary>Creates users, <see cref="MaxUsersPerCall"/> per call; returns how many were new.</summary>
    public async Task<int> CreateUsersAsync(IReadOnlyList<NewUserRequest> users, CancellationToken ct = default)
    {
        var created = 0;
        foreach (var chunk in users.Chunk(MaxUsersPerCall))
        {
            created += (await SendAsync<CreatedUsers>(HttpMethod.Post, "/api/admin/users", new CreateUsersRequest(chunk), ct)).Created;
        }

        return created;
    }

    /// <summary>
    /// Opens the event: seeds the Redis gate from the database (<c>opened</c> false when it was open already). Once the
    /// coupon has taken clicks and lost its gate, it opens only after those requests reached the database; until then
    /// (up to 30 s) the answer is 202 with <c>opened</c> false, and the gate keeper opens it when they have.
    /// </summary>
    public Task<OpenedEvent> OpenAsync(long couponId, CancellationToken ct = default) =>
        SendAsync<OpenedEvent>(HttpMethod.Post, $"/api/admin/coupons/{couponId}/open", null, ct);

    public Task<ConsistencyReportView> ConsistencyAsync(long couponId, CancellationToken ct = default) =>
        SendAsync<ConsistencyReportView>(HttpMethod.Get, $"/api/admin/coupons/{couponId}/consistency", null, ct);

    /// <summary>200 once rebuilt, 202 while the rebuild still waits for the pipeline.</summary>
    public async Task<ApiAnswer<OpenedEvent>> RebuildGateAsync(long couponId, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"/api/admin/coupons/{couponId}/rebuild-gate", null, ct);
        return await CouponsClient.AnswerAsync<OpenedEvent>(response, ct);
    }

    /// <summary>409 <c>NOT_RECONCILABLE</c> while the coupon's earlier requests are still on their way.</summary>
    public async Task<ApiAnswer<ReconcileResult>> ReconcileAsync(long couponId, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"/api/admin/coupons/{couponId}/reconcile", null, ct);
        return await CouponsClient.AnswerAsync<ReconcileResult>(response, ct);
    }

    /// <summary>This instance's consumer stops (or resumes) taking messages; answers once it acted.</summary>
    public Task<ConsumerState> SetConsumerPausedAsync(bool paused, CancellationToken ct = default) =>
        SendAsync<ConsumerState>(HttpMethod.Post, paused ? "/api/admin/consumer/pause" : "/api/admin/consumer/resume", null, ct);

    /// <summary>The campaigns, newest first, with their state and figures (a read key is enough).</summary>
    public Task<List<CampaignView>> CampaignsAsync(int max = 50, CancellationToken ct = default) =>
        SendAsync<List<CampaignView>>(HttpMethod.Get, $"/api/admin/campaigns?max={max}", null, ct);

    public Task<CampaignView> CampaignAsync(long couponId, CancellationToken ct = default) =>
        SendAsync<CampaignView>(HttpMethod.Get, $"/api/admin/campaigns/{couponId}", null, ct);

    /// <summary>
    /// Sets a campaign's total (raise, or lower: never below issued + in flight, 409 <c>TOTAL_BELOW_TAKEN</c>); with
    /// <paramref name="expectedTotal"/>, only if the total is still that (409 <c>TOTAL_CHANGED</c> otherwise).
    /// </summary>
    public async Task<ApiAnswer<CampaignChanged>> ChangeTotalAsync(long couponId, int total, int? expectedTotal = null, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync($"/api/admin/campaigns/{couponId}/total",
            new ChangeTotalRequest { Total = total, ExpectedTotal = expectedTotal }, CouponsClient.Json, ct);
        return await CouponsClient.AnswerAsync<CampaignChanged>(response, ct);
    }

    /// <summary>Moves a campaign's window (a date left null keeps its value).</summary>
    public async Task<ApiAnswer<CampaignChanged>> MoveWindowAsync(long couponId, DateTimeOffset? start, DateTimeOffset? end, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync($"/api/admin/campaigns/{couponId}/window",
            new MoveWindowRequest { StartDate = start, EndDate = end }, CouponsClient.Json, ct);
        return await CouponsClient.AnswerAsync<CampaignChanged>(response, ct);
    }

    /// <summary>
    /// Ends a campaign now: its clicks answer 409 <c>COUPON_ENDED</c>; accepted requests are still issued.
    /// </summary>
    public Task<CampaignChanged> EndCampaignAsync(long couponId, CancellationToken ct = default) =>
        SendAsync<CampaignChanged>(HttpMethod.Post, $"/api/admin/campaigns/{couponId}/end", null, ct);

    /// <summary>
    /// The kill switch for one sale: its clicks answer 503 <c>SALE_PAUSED</c> on every instance within a second;
    /// accepted requests are still issued. Pausing a paused sale keeps its first pause.
    /// </summary>
    public Task<SaleSwitchResult> PauseSaleAsync(long couponId, string? reason = null, CancellationToken ct = default) =>
        SendAsync<SaleSwitchResult>(HttpMethod.Post, $"/api/admin/campaigns/{couponId}/pause", new PauseSaleRequest { Reason = reason }, ct);

    public Task<SaleSwitchResult> ResumeSaleAsync(long couponId, CancellationToken ct = default) =>
        SendAsync<SaleSwitchResult>(HttpMethod.Post, $"/api/admin/campaigns/{couponId}/resume", null, ct);

    /// <summary>The global switch: every sale's clicks answer 503 <c>SALE_PAUSED</c> until it is resumed.</summary>
    public Task<SaleSwitchResult> PauseEverySaleAsync(string? reason = null, CancellationToken ct = default) =>
        SendAsync<SaleSwitchResult>(HttpMethod.Post, "/api/admin/sales/pause", new PauseSaleRequest { Reason = reason }, ct);

    public Task<SaleSwitchResult> ResumeEverySaleAsync(CancellationToken ct = default) =>
        SendAsync<SaleSwitchResult>(HttpMethod.Post, "/api/admin/sales/resume", null, ct);

    /// <summary>The pauses in force (a read key is enough).</summary>
    public Task<List<SalePauseView>> SalePausesAsync(CancellationToken ct = default) =>
        SendAsync<List<SalePauseView>>(HttpMethod.Get, "/api/admin/sales/pauses", null, ct);

    public Task<List<DeadLetter>> DeadLettersAsync(int max = 100, CancellationToken ct = default) =>
        SendAsync<List<DeadLetter>>(HttpMethod.Get, $"/api/admin/dead-letters?max={max}", null, ct);

    public async Task ReplayDeadLetterAsync(int partition, long offset, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"/api/admin/dead-letters/{partition}/{offset}/replay", null, ct);
        await EnsureAsync(response, "replay", ct);
    }

    public Task<List<AdminAuditEntry>> AuditAsync(long? couponId = null, string? actor = null, int max = 100, CancellationToken ct = default)
    {
        var query = $"?max={max}" + (couponId is { } c ? $"&couponId={c}" : "") + (actor is null ? "" : $"&actor={Uri.EscapeDataString(actor)}");
        return SendAsync<List<AdminAuditEntry>>(HttpMethod.Get, "/api/admin/audit" + query, null, ct);
    }

    /// <summary>
    /// The consistency report once nothing of the coupon is in flight or parked, or the last one read when
    /// <paramref name="timeout"/> passes first (check <see cref="ConsistencyReportView.InFlight"/>).
    /// </summary>
    public async Task<ConsistencyReportView> WaitForDrainAsync(long couponId, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var report = await ConsistencyAsync(couponId, ct);
            if (report is { InFlight: 0, Parked: 0 } || DateTime.UtcNow >= deadline)
            {
                return report;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: CouponsClient.Json) };
        using var response = await http.SendAsync(request, ct);
        await EnsureAsync(response, $"{method} {path}", ct);
        return (await response.Content.ReadFromJsonAsync<T>(CouponsClient.Json, ct))!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string call, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new ApiProblemException(call, await ApiProblem.ReadAsync(response, ct));
        }
    }
}
