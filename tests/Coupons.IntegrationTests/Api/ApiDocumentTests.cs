using System.Reflection;
using System.Text.RegularExpressions;
using Coupons.Infrastructure.Http;
using Coupons.Issuance;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// /openapi/v1.json: valid OpenAPI 3.1, the same endpoints as the app maps, and every problem code a client can get.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed partial class ApiDocumentTests(StackFixture stack)
{
    [Fact]
    public async Task The_document_is_valid_openapi_3_1()
    {
        var (document, diagnostic) = await LoadAsync();

        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Empty(diagnostic.Errors);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
    }

    [Fact]
    public async Task The_document_lists_exactly_the_mapped_api_endpoints()
    {
        var (document, _) = await LoadAsync();
        var mapped = stack.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {WithoutConstraints(e.RoutePattern.RawText!)}"))
            .ToHashSet();
        var described = document.Paths
            .SelectMany(p => p.Value.Operations!.Keys.Select(m => $"{m.Method} {p.Key}"))
            .ToHashSet();

        Assert.Equal(mapped.Order(), described.Order());
    }

    [Fact]
    public async Task The_click_lists_every_answer_of_the_outcome_table_under_its_status()
    {
        var (document, _) = await LoadAsync();
        var click = document.Paths["/api/coupons/{couponId}/issue-fcfs/{publicId}"].Operations![HttpMethod.Post];

        foreach (var outcome in ClickOutcomes.All.Values.Where(o => o.ProblemCode is not null))
        {
            Assert.Contains(outcome.ProblemCode!, CodesOf(click, outcome.HttpStatus));
        }

        Assert.Contains(ProblemCodes.SubjectMismatch, CodesOf(click, 403));
        Assert.Contains(ProblemCodes.InvalidPublicId, CodesOf(click, 400));
        Assert.NotNull(click.Security);
    }

    [Fact]
    public async Task Every_problem_code_the_service_has_appears_in_the_document()
    {
        var (document, _) = await LoadAsync();
        var listed = document.Paths.Values.SelectMany(p => p.Operations!.Values)
            .SelectMany(o => o.Responses!.Keys.SelectMany(status => CodesOf(o, int.Parse(status))))
            .ToHashSet();
        var all = typeof(ProblemCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!);

        Assert.DoesNotContain(all, code => !listed.Contains(code));
    }

    private async Task<(OpenApiDocument Document, OpenApiDiagnostic Diagnostic)> LoadAsync()
    {
        using var response = await stack.Api.Client.GetAsync(ApiDocument.Path);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var result = await OpenApiDocument.LoadAsync(body, "json");
        return (result.Document!, result.Diagnostic!);
    }

    private static IReadOnlyList<string> CodesOf(OpenApiOperation operation, int status) =>
        operation.Responses!.TryGetValue(status.ToString(), out var response)
        && response.Content?.TryGetValue("application/problem+json", out var media) == true
        && media.Schema?.Properties?.TryGetValue("code", out var code) == true
            ? code.Enum?.Select(e => e.GetValue<string>()).ToList() ?? []
            : [];

    private static string WithoutConstraints(string pattern) => Constraint().Replace(pattern, "{$1}");

    [GeneratedRegex(@"\{(\w+):[^}]*\}")]
    private static partial Regex Constraint();
}
