using System.Net;
using Coupons.Infrastructure.Edge;

namespace Coupons.UnitTests.Edge;

public sealed class ClientLimitTests
{
    [Fact]
    public void Every_address_in_one_ipv6_64_is_one_client() =>
        Assert.Equal(
            ClientLimit.KeyOf(IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ClientLimit.KeyOf(IPAddress.Parse("2001:db8:1:2::1")));

    [Fact]
    public void Neighbouring_ipv6_64s_are_different_clients() =>
        Assert.NotEqual(
            ClientLimit.KeyOf(IPAddress.Parse("2001:db8:1:2::1")),
            ClientLimit.KeyOf(IPAddress.Parse("2001:db8:1:3::1")));

    [Fact]
    public void An_ipv4_address_is_one_client_however_it_arrives()
    {
        Assert.Equal("192.0.2.7", ClientLimit.KeyOf(IPAddress.Parse("192.0.2.7")));
        Assert.Equal("192.0.2.7", ClientLimit.KeyOf(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.NotEqual(ClientLimit.KeyOf(IPAddress.Parse("192.0.2.7")), ClientLimit.KeyOf(IPAddress.Parse("192.0.2.8")));
    }

    [Fact]
    public void No_address_is_one_shared_client() => Assert.Equal("unknown", ClientLimit.KeyOf(null));
}
