using System.Security.Claims;

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

        return await next(context);
    }

    /// <summary>The canonical publicId a token speaks for, or null when it carries no valid one.</summary>
    public static string? SubjectOf(ClaimsPrincipal user, UserAuthOptions options) =>
        Ids.TryCanonicalPublicId(user.FindFirstValue(options.SubjectClaim), out var subject) ? subject : null;
}

public static class UserEndpoints
{
    /// <summary>
    /// A user's token (401 <c>TOKEN_MISSING</c> / <c>TOKEN_INVALID</c>); anonymous only where allowed.
    /// </summary>
    public static TBuilder RequireUser<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(UserAuthentication.Policy)
            .Answers(StatusCodes.Status401Unauthorized, ProblemCodes.TokenMissing, ProblemCodes.TokenInvalid);

    /// <summary>
    /// A user's token whose subject is the <c>{publicId}</c> acted on (403 <c>SUBJECT_MISMATCH</c> otherwise).
    /// </summary>
    public static RouteGroupBuilder RequireUserOwning(this RouteGroupBuilder group)
    {
        group.RequireUser().AddEndpointFilter<SubjectFilter>().Answers(StatusCodes.Status403Forbidden, ProblemCodes.SubjectMismatch);
        return group;
    }

    /// <inheritdoc cref="RequireUserOwning(RouteGroupBuilder)"/>
    public static RouteHandlerBuilder RequireUserOwning(this RouteHandlerBuilder endpoint) =>
        endpoint.RequireUser().AddEndpointFilter<SubjectFilter>().Answers(StatusCodes.Status403Forbidden, ProblemCodes.SubjectMismatch);
}
