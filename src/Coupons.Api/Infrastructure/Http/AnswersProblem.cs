namespace Coupons.Infrastructure.Http;

/// <summary>
/// Endpoint metadata: a problem this endpoint (or a filter or scheme in front of it) can answer. The API document
/// lists it under the status, so a client learns every code it has to handle from <c>/openapi/v1.json</c>.
/// </summary>
public sealed record AnswersProblem(int Status, string Code);

public static class AnswersProblemExtensions
{
    public static TBuilder Answers<TBuilder>(this TBuilder builder, int status, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(codes.Select(code => (object)new AnswersProblem(status, code)).ToArray());
}
