using System.Security.Claims;
using Coupons.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace Coupons.Auth;

/// <summary>
/// A token's subject must be the <c>{publicId}</c> it acts on (canonical forms compared: one person however cased):
/// someone else's publicId is 403 <c>SUBJECT_MISMATCH</c>. Anonymous requests reach here only where allowed.
/// </summary>
public sealed class SubjectFilter(IOptions<UserAuthOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.Identity?.IsAuthenticated == true
            && Ids.TryCanonicalPublicId(http.Request.RouteValues["publicId"] as string, out var target)
            && SubjectOf(http.User, options.Value) != target)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ProblemCodes.SubjectMismatch, "Forbidden", "The token is for another user.");
        }

        return await next(context); // an invalid id is the handler's 400
    }

    /// <summary>The canonical publicId a token speaks for, or null when it carries no valid one.</summary>
    public static string? SubjectOf(ClaimsPrincipal user, UserAuthOptions options) =>
        Ids.TryCanonicalPublicId(user.FindFirstValue(options.SubjectClaim), out var subject) ? subject : null;
}
