using System.Diagnostics.CodeAnalysis;

namespace Coupons.Cli;

/// <summary>
/// Reading options inside a command's validator, which runs even when the parser has already found an option given
/// twice or without its value: System.CommandLine throws on reading such an option (generated case bIh-Hvi_ay42 was
/// exit 70, "couponctl crashed"). The parser's own error is the answer then, exit 2.
/// </summary>
public static class ParsedValue
{
    /// <summary>What <paramref name="read"/> returns, or false when an option it reads is in error.</summary>
    public static bool TryRead<T>(Func<T> read, [MaybeNullWhen(false)] out T value)
    {
        try
        {
            value = read();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }
}
