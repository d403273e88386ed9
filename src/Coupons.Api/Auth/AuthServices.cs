using Coupons.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Coupons.Auth;

public static class AuthServices
{
    /// <summary>
    /// User tokens (<see cref="UserAuthentication"/>), their options checked at start, and the anonymous opt-in's
    /// warning.
    /// </summary>
    public static IServiceCollection AddAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<UserAuthOptions>(configuration, UserAuthOptions.Section)
            .Validate(o => o.AllowAnonymous || o.SigningKeys.Count > 0 || !string.IsNullOrEmpty(o.Authority),
                "Auth: configure Auth__SigningKeys (or Auth__Authority) for user tokens, or allow anonymous requests with Auth__AllowAnonymous=true")
            .Validate(o => o.SigningKeys.All(k => k.Id.Length > 0 && UserAuthentication.TryKeyBytes(k.Key) is { Length: >= 32 }),
                "Auth: every signing key needs an Id and a base64 Key of at least 32 bytes");

        services.AddAuthentication().AddJwtBearer(UserAuthentication.Scheme, _ => { });
        services.AddOptions<JwtBearerOptions>(UserAuthentication.Scheme).Configure<IOptions<UserAuthOptions>>((jwt, auth) => UserAuthentication.Configure(jwt, auth.Value));

        // Anonymous requests pass only where allowed, and only without an Authorization header: a token that is sent is
        // checked.
        services.AddAuthorizationBuilder().AddPolicy(UserAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(UserAuthentication.Scheme)
            .RequireAssertion(context => context.User.Identity?.IsAuthenticated == true || UserAuthentication.AnonymousAllowed(context.Resource)));
        return services.AddHostedService<AnonymousAccessWarning>();
    }
}
