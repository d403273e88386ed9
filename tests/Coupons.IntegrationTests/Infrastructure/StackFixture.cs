namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// One app instance on the real stack, shared by every test class in the <see cref="StackCollection"/>.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    /// <summary>
    /// The fixture of the collection running now, if it is this one (see <see cref="NoServerErrorsAttribute"/>).
    /// </summary>
    public static StackFixture? Current { get; private set; }

    public CouponApiFactory App { get; } = new();

    public ApiDriver Api { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Api = new ApiDriver(App.CreateClient(), App.CreateAdminClient());
        Current = this;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Current = null;
        Assert.Empty(App.ServerErrors.Errors); // late ones: recorded after the test that caused them had ended
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "real stack";
}
