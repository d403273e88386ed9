using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Coupons.Client;

/// <summary>An answer that was not a success: the HTTP status and the problem details' stable <c>code</c>.</summary>
public sealed record ApiProblem(HttpStatusCode Status, string? Code, string? Detail, Guid? RequestId, RetryConditionHeaderValue? RetryAfter)
{
    /// <summary>Reads a problem details body (or whatever came instead of one).</summary>
    public static async Task<ApiProblem> ReadAsync(HttpResponseMessage response, CancellationToken ct = default)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        string? code = null, detail = null;
        Guid? requestId = null;
        if (body.Length > 0 && body[0] == '{')
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            code = root.TryGetProperty("code", out var c) ? c.GetString() : null;
            detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            requestId = root.TryGetProperty("requestId", out var r) && r.TryGetGuid(out var id) ? id : null;
        }

        return new ApiProblem(response.StatusCode, code, detail, requestId, response.Headers.RetryAfter);
    }

    public override string ToString() => $"{(int)Status} {Code}: {Detail}";
}

/// <summary>An answer the caller did not expect; carries the problem as the service stated it.</summary>
public sealed class ApiProblemException(string call, ApiProblem problem) : Exception($"{call}: {problem}")
{
    public ApiProblem Problem { get; } = problem;
}

/// <summary>Either the value of a successful answer or the problem of a refused one.</summary>
public sealed record ApiAnswer<T>(HttpStatusCode Status, T? Value, ApiProblem? Problem)
{
    public bool IsSuccess => Problem is null;
}
