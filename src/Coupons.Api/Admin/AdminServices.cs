using Coupons.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace Coupons.Admin;

public static class AdminServices
{
    /// <summary>The admin API: its keys (and optional admin token role), audit log and consistency report.</summary>
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        var keySettingProblems = AdminOptions.KeySettingProblems(configuration);
        services.AddCheckedOptions<AdminOptions>(configuration, AdminOptions.Section)
            .Validate(o => o.Keys.All(k => k.Id.Length > 0 && k.Key.Length > 0), "Admin: every Admin__Keys entry needs an Id and a Key")
            .Validate(_ => keySettingProblems.Count == 0, $"Admin: {string.Join("; ", keySettingProblems)}")
            .Validate(o => o.Url.Length == 0 || o.Port is not null, "Admin: Admin__Url must be an absolute URL such as http://127.0.0.1:9081");
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(AdminKeyAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => AdminScopes.Allows(context.User, context.Resource as HttpContext)));
        return services.AddSingleton<ConsistencyReporter>().AddSingleton<AdminAuditLog>();
    }
}
