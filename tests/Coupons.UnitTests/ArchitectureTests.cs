using NetArchTest.Rules;

namespace Coupons.UnitTests;

/// <summary>
/// The feature graph points one way. Lower layers never reference higher ones; features on one layer never reference
/// each other. The composition root (Program, CouponServices, ProductionGuard in namespace <c>Coupons</c>) wires
/// everything and is not checked.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>
    /// Bottom to top. A feature may use the layers below its own, never its own layer's other features or above.
    /// </summary>
    private static readonly string[][] Layers =
    [
        ["Coupons.Infrastructure"],
        ["Coupons.Ops"],
        ["Coupons.Catalog", "Coupons.Users", "Coupons.Auth", "Coupons.Ledger", "Coupons.Pauses", "Coupons.Outbox"],
        ["Coupons.Gate"],
        ["Coupons.Requests"],   // the accepted request as a message: what the click publishes and the consumer reads
        ["Coupons.Consumer"],   // writes accepted requests to the database; knows nothing of the click
        ["Coupons.Issuance"],   // the click: gate, publish, park, relay; asks the consumer's store for a request's status
        ["Coupons.Reconciliation", "Coupons.Admin", "Coupons.Campaigns", "Coupons.UserCoupons", "Coupons.Health", "Coupons.Bench", "Coupons.Redemption"],
        ["Coupons.Seeding"],
    ];

    public static TheoryData<string> Features => new(Layers.SelectMany(l => l));

    [Theory]
    [MemberData(nameof(Features))]
    public void A_feature_references_only_the_layers_below_it(string feature)
    {
        var layer = Array.FindIndex(Layers, l => l.Contains(feature));
        var forbidden = Layers.Skip(layer).SelectMany(l => l).Where(f => f != feature).ToArray();

        var result = Types.InAssembly(typeof(Program).Assembly).That().ResideInNamespace(feature)
            .ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, $"{feature} must not use {string.Join(", ", forbidden)}; it does in: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Every_namespace_of_the_app_is_placed_in_a_layer()
    {
        var placed = Layers.SelectMany(l => l).ToList();
        var namespaces = typeof(Program).Assembly.GetTypes().Select(t => t.Namespace).OfType<string>()
            .Where(n => n.StartsWith("Coupons.", StringComparison.Ordinal)).Distinct();

        Assert.All(namespaces, n => Assert.Contains(placed, f => n == f || n.StartsWith(f + ".", StringComparison.Ordinal)));
    }

    /// <summary>
    /// One naming pattern for registrations (issue 22): the composition root calls each feature's one public entry,
    /// <c>Add&lt;Feature&gt;</c> in <c>&lt;Feature&gt;Services</c>; a feature's inner registrations are internal to it.
    /// <c>AddCheckedOptions</c> is the one shared helper.
    /// </summary>
    [Fact]
    public void Every_public_registration_is_a_features_Add_in_its_Services_class()
    {
        var registrations = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(m => m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute), false)
                && m.GetParameters()[0].ParameterType == typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection) && m.Name != "AddCheckedOptions"
                && m.DeclaringType!.Namespace?.StartsWith("Coupons", StringComparison.Ordinal) == true) // not the OpenAPI generator's
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        Assert.NotEmpty(registrations);
        Assert.All(registrations, r => Assert.Matches(@"^(?<feature>[A-Za-z]+)Services\.Add", r));
    }

    /// <summary>
    /// One suffix for background loops (issue 22): every BackgroundService is a <c>&lt;What&gt;Loop</c>, and nothing
    /// else is called a loop. Start-up steps and warnings (IHostedService) are not loops.
    /// </summary>
    [Fact]
    public void Every_background_loop_is_named_Loop_and_nothing_else_is()
    {
        var types = typeof(Program).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("Coupons", StringComparison.Ordinal) == true && !t.IsAbstract).ToList();
        var loops = types.Where(t => typeof(Microsoft.Extensions.Hosting.BackgroundService).IsAssignableFrom(t)).Select(t => t.Name).ToList();
        var named = types.Where(t => t.Name.EndsWith("Loop", StringComparison.Ordinal)).Select(t => t.Name).ToList();

        Assert.NotEmpty(loops);
        Assert.Equal(loops.Order(), named.Order());
    }
}
