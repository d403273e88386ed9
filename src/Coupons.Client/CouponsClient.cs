using System.Net.Http.Json;
using System.Text.Json;
using Coupons.Contracts;

namespace Coupons.Client;

/// <summary>
/// The public API as a user's app calls it: the issuable list, the click, a request's status, a user's coupons.
/// Refusals come back as <see cref="ApiProblem"/>s (they are answers, not errors); only transport failures throw.
/// </summary>
public sealed class CouponsClient(HttpClient http)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public HttpClient Http => http;

    public async Task<IReadOnlyList<IssuableCoupon>> GetIssuableAsync(CancellationToken ct = default) =>
        await http.GetFromJsonAsync<List<IssuableCoupon>>("/api/coupons/issuable", Json, ct) ?? [];

    /// <summary>
    /// The FCFS click: 202 with the request id, or the problem (409 <c>SOLD_OUT</c>, 503 with Retry-After, ...).
    /// </summary>
    public async Task<ApiAnswer<IssueAccepted>> IssueAsync(long couponId, string publicId, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"/api/coupons/{couponId}/issue-fcfs/{Uri.EscapeDataString(publicId)}", null, ct);
        return await AnswerAsync<IssueAccepted>(response, ct);
    }

    public async Task<ApiAnswer<IssueRequestView>> GetRequestAsync(long couponId, Guid requestId, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"/api/coupons/{couponId}/issue-requests/{requestId}", ct);
        return await AnswerAsync<IssueRequestView>(response, ct);
    }

    /// <summary>
    /// Opens the request's status stream, where the outcome is pushed instead of polled; a refusal (404, 409
    /// 503 <c>STATUS_STREAMS_FULL</c>, 429, ...) comes back as the answer's problem; a person's newer stream ends the
    /// older one. Dispose the
    /// stream to close it.
    /// </summary>
    public async Task<ApiAnswer<RequestEvents>> StreamRequestAsync(long couponId, Guid requestId, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/coupons/{couponId}/issue-requests/{requestId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.IsSuccessStatusCode)
        {
            return new ApiAnswer<RequestEvents>(response.StatusCode, new RequestEvents(response), null);
        }

        using (response)
        {
            return new ApiAnswer<RequestEvents>(response.StatusCode, null, await ApiProblem.ReadAsync(response, ct));
        }
    }

    /// <summary>The server's time: count a sale down from it, not from this machine's clock.</summary>
    public async Task<ServerTimeView> GetServerTimeAsync(CancellationToken ct = default) =>
        (await http.GetFromJsonAsync<ServerTimeView>("/api/time", Json, ct))!;

    /// <summary>A sale's state and the time left until it opens and ends, on the server's clock.</summary>
    public async Task<ApiAnswer<SaleCountdown>> GetCountdownAsync(long couponId, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"/api/coupons/{couponId}/countdown", ct);
        return await AnswerAsync<SaleCountdown>(response, ct);
    }

    public async Task<ApiAnswer<List<UserCouponView>>> GetUserCouponsAsync(string publicId, bool availableOnly = false, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"/api/coupons/user/{Uri.EscapeDataString(publicId)}{(availableOnly ? "/available" : "")}", ct);
        return await AnswerAsync<List<UserCouponView>>(response, ct);
    }

    /// <summary>
    /// Uses the user's coupon for an order (the order service's token, role coupons-redeem): 200 with the discount, the
    /// same answer again for the same order id (<c>replayed</c>); 409 <c>COUPON_ALREADY_USED</c> when another order
    /// uses it.
    /// </summary>
    public async Task<ApiAnswer<RedemptionView>> UseCouponAsync(long couponId, string publicId, string orderId, decimal orderAmount, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"/api/coupons/{couponId}/use/{Uri.EscapeDataString(publicId)}", Body(new UseCouponRequest(orderId, orderAmount)), ct);
        return await AnswerAsync<RedemptionView>(response, ct);
    }

    /// <summary>Gives the coupon back when the order that used it is cancelled (idempotent).</summary>
    public async Task<ApiAnswer<RedemptionView>> RestoreCouponAsync(long couponId, string publicId, string orderId, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"/api/coupons/{couponId}/restore/{Uri.EscapeDataString(publicId)}", Body(new RestoreCouponRequest(orderId)), ct);
        return await AnswerAsync<RedemptionView>(response, ct);
    }

    /// <summary>
    /// A JSON body with its length: the public listener refuses a chunked one (it cannot be sized up front).
    /// </summary>
    private static StringContent Body<T>(T value) => new(JsonSerializer.Serialize(value, Json), System.Text.Encoding.UTF8, "application/json");

    internal static async Task<ApiAnswer<T>> AnswerAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        response.IsSuccessStatusCode
            ? new ApiAnswer<T>(response.StatusCode, await ReadValueAsync<T>(response, ct), null)
            : new ApiAnswer<T>(response.StatusCode, default, await ApiProblem.ReadAsync(response, ct));

    private static async Task<T?> ReadValueAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<T>(Json, ct);
}
