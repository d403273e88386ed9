using System.Security.Cryptography;
using System.Text;
using Coupons.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace Coupons.Admin;

/// <summary>401 without <c>X-Admin-Key</c>, 403 with a wrong one; compared in constant time.</summary>
public sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    public const string Header = "X-Admin-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[Header].ToString();
        if (presented.Length == 0)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, ProblemCodes.AdminKeyMissing, "Unauthorized", $"Send the admin API key in the {Header} header.");
        }

        var expected = options.Value.ApiKey;
        if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ProblemCodes.AdminKeyInvalid, "Forbidden", "The admin API key is not valid.");
        }

        return await next(context);
    }
}
