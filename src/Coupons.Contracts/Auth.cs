namespace Coupons.Contracts;

public sealed record DevToken(string Token, string TokenType, DateTimeOffset ExpiresAt);
