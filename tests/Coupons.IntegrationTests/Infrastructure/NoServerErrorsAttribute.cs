using System.Reflection;
using Xunit.Sdk;

[assembly: Coupons.IntegrationTests.Infrastructure.NoServerErrors]

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// After every test: the shared app (<see cref="StackFixture"/>) answered no 5xx but 503 while it ran, so a 500 fails
/// the test that caused it, not the fixture's disposal at the end of the collection, far from its cause (issue 26, item
/// 14). Collections run one at a time, so one count between Before and After is one test's.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class NoServerErrorsAttribute : BeforeAfterTestAttribute
{
    private int _before;

    public override void Before(MethodInfo methodUnderTest) => _before = StackFixture.Current?.App.ServerErrors.Errors.Count ?? 0;

    public override void After(MethodInfo methodUnderTest)
    {
        var errors = StackFixture.Current?.App.ServerErrors.Errors.Skip(_before).ToList() ?? [];
        if (errors.Count > 0)
        {
            throw new XunitException($"the shared app answered {errors.Count} server errors during this test: {string.Join("; ", errors.Take(5))}");
        }
    }
}
