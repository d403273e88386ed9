namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// design.md §2, I6: the identity the gate dedupes on is the identity the database stores. A publicId is one person
/// however it is cased: the gate, the registry, the limiter and the database all agree, so re-casing an id cannot take
/// a second unit (an id with n letters has 2^n casings).
/// </summary>
[Trait("Category", "Hostile")]
[Collection(StackCollection.Name)]
public sealed class IdentityTests(StackFixture stack)
{
    [Fact]
    public async Task A_re_cased_public_id_is_the_same_person_and_cannot_take_a_second_unit()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(3, 3); // lower case, e.g. "3f2a...-0"
        var (a, b, c) = (users[0], users[1], users[2]);

        var first = await stack.Api.IssueAsync(couponId, a);
        var upper = await stack.Api.IssueAsync(couponId, a.ToUpperInvariant());
        var mixed = await stack.Api.IssueAsync(couponId, char.ToUpperInvariant(a[0]) + a[1..]);

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        foreach (var recased in new[] { upper, mixed })
        {
            Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED"), (recased.Status, recased.Code));
            Assert.Equal(first.RequestId, recased.RequestId);
        }

        // The stock the re-cased clicks would have taken is still there for the two other people.
        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(couponId, b)).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(couponId, c.ToUpperInvariant())).Status);
        var report = await stack.Api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        var facts = await Invariants.ReadAsync(couponId);
        Assert.Equal(3, facts.Rows);
        Assert.DoesNotContain("REJECTED", facts.RequestStatuses.Values);
    }

    [Fact]
    public async Task A_re_cased_public_id_reads_the_same_coupons_and_counts_against_the_same_click_limit()
    {
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(5);
        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(couponId, user)).Status);
        await stack.Api.WaitForDrainAsync(couponId);

        var mine = await stack.Api.Client.GetStringAsync($"/api/coupons/user/{user}");
        var recased = await stack.Api.Client.GetStringAsync($"/api/coupons/user/{user.ToUpperInvariant()}");
        Assert.Contains($"\"couponId\":{couponId}", mine, StringComparison.Ordinal); // the one coupon issued, not two empty lists
        Assert.Equal(mine, recased);

        // Five clicks a second per person (the default), whatever the casing: eight casings in a burst cannot all pass.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => stack.Api.IssueAsync(couponId, Recase(user, i))));
        Assert.Contains(answers, answer => answer.Status == HttpStatusCode.TooManyRequests);
    }

    /// <summary>The i-th casing of <paramref name="id"/>: bit k of i upper-cases the k-th letter.</summary>
    private static string Recase(string id, int i)
    {
        var letters = id.ToCharArray();
        for (int k = 0, bit = 0; k < letters.Length; k++)
        {
            if (char.IsAsciiLetter(letters[k]) && ((i >> bit++) & 1) == 1)
            {
                letters[k] = char.ToUpperInvariant(letters[k]);
            }
        }

        return new string(letters);
    }
}
