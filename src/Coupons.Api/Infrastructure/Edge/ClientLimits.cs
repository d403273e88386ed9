using System.Threading.RateLimiting;

namespace Coupons.Infrastructure.Edge;

/// <summary>
/// Per-client-address limits on clicks, reads and admin calls, as one limiter (a call passes all three; each applies
/// only to endpoints marked with its <see cref="ClientLimit"/>). The address is the connection's, or the one a trusted
/// proxy forwarded (<see cref="EdgeOptions.KnownProxies"/>), so a client cannot buy a fresh allowance by sending
/// <c>X-Forwarded-For</c>. Memory is bounded by <see cref="EdgeOptions.MaxTrackedClients"/>.
/// </summary>
public sealed class ClientLimits : IDisposable
{
    private readonly KeyedRateLimiter[] _limiters;

    public ClientLimits(IOptions<EdgeOptions> options, TimeProvider clock)
    {
        var o = options.Value;
        _limiters =
        [
            new(o.ClicksPerClientPerSecond, c => ClientLimit.ClientOf(c, ClientLimit.Click), clock, o.MaxTrackedClients),
            new(o.ReadsPerClientPerSecond, c => ClientLimit.ClientOf(c, ClientLimit.Read), clock, o.MaxTrackedClients),
            new(o.AdminPerClientPerSecond, c => ClientLimit.ClientOf(c, ClientLimit.Admin), clock, o.MaxTrackedClients),
            new(o.CheckoutPerClientPerSecond, c => ClientLimit.ClientOf(c, ClientLimit.Checkout), clock, o.MaxTrackedClients),
        ];
        Global = PartitionedRateLimiter.CreateChained(_limiters);
    }

    public PartitionedRateLimiter<HttpContext> Global { get; }

    public void Dispose()
    {
        Global.Dispose();
        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }
    }
}

public static class ClientLimitsMiddleware
{
    /// <summary>
    /// Per-client limits before authentication: floods of forged tokens and admin key guesses stop here, counted
    /// against the caller's own address. (Per-person limits come after it, so nobody can spend another's allowance.)
    /// </summary>
    public static WebApplication UseClientLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<ClientLimits>().Global;
        app.Use(async (context, next) =>
        {
            using var lease = limits.AttemptAcquire(context);
            if (lease.IsAcquired)
            {
                await next(context);
            }
            else
            {
                await Http.RateLimitedResponse.WriteAsync(context, lease);
            }
        });
        return app;
    }
}
