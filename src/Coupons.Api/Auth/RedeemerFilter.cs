using System.Security.Claims;

namespace Coupons.Auth;

/// <summary>
/// The order service's calls (a coupon used at checkout, restored on cancel): a token with
/// <see cref="UserAuthOptions.RedeemRole"/>, for any holder the path names. Without a token 401
/// <c>TOKEN_MISSING</c> even where anonymous requests are allowed; a token without the role (a shopper's own) 403
/// <c>ROLE_MISSING</c>.
/// </summary>
public sealed class RedeemerFilter(IOptions<UserAuthOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Create(StatusCodes.Status401Unauthorized, ProblemCodes.TokenMissing, "Unauthorized",
                "This call needs the order service's bearer token.");
        }

        if (!HasRole(user, options.Value.RedeemRole))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ProblemCodes.RoleMissing, "Forbidden",
                $"This call needs a token with the role {options.Value.RedeemRole} (the order service's), not a shopper's.");
        }

        return await next(context);
    }

    /// <summary>Whether a token carries <paramref name="role"/> in a <c>role</c> or <c>roles</c> claim (also the admin
    /// role's check).</summary>
    public static bool HasRole(ClaimsPrincipal user, string role) =>
        role.Length > 0 && user.FindAll("role").Concat(user.FindAll("roles")).Any(c => c.Value == role);
}

public static class RedeemerEndpoints
{
    /// <summary>The order service's token (<see cref="RedeemerFilter"/>).</summary>
    public static RouteGroupBuilder RequireRedeemer(this RouteGroupBuilder group)
    {
        group.RequireUser().AddEndpointFilter<RedeemerFilter>().Answers(StatusCodes.Status403Forbidden, ProblemCodes.RoleMissing);
        return group;
    }
}
