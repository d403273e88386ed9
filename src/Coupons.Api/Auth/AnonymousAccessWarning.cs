namespace Coupons.Auth;

/// <summary>Says so, loudly and at every start, when requests without a token are let through.</summary>
public sealed partial class AnonymousAccessWarning(IOptions<UserAuthOptions> options, ILogger<AnonymousAccessWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AllowAnonymous)
        {
            AnonymousAllowed(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning,
        Message = "ANONYMOUS REQUESTS ARE ALLOWED (Auth:AllowAnonymous): anyone can claim a coupon for any publicId and read anyone's coupons. Dev mode only; send bearer tokens everywhere else")]
    private static partial void AnonymousAllowed(ILogger logger);
}
