using Coupons.Contracts;

namespace Coupons.Cli.Actions;

/// <summary>
/// <c>couponctl dlq list --output json</c> (docs/couponctl-json.md): the dead letters, newest first, as the admin API
/// lists them.
/// </summary>
public sealed record DeadLettersJson(string Command, int ShapeVersion, IReadOnlyList<DeadLetter> DeadLetters)
{
    public static DeadLettersJson Of(IReadOnlyList<DeadLetter> letters) => new("dlq list", 1, letters);
}
