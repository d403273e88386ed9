namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>One app instance on the real stack, shared by every test class in the <see cref="StackCollection"/>.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    public CouponApiFactory App { get; } = new();

    public ApiDriver Api { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Api = new ApiDriver(App.CreateClient(), App.CreateAdminClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(App.ServerErrors.Errors);
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "real stack";
}
