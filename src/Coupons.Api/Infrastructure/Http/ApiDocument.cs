using System.Text.Json.Nodes;
using Coupons.Infrastructure.Edge;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Coupons.Infrastructure.Http;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>: every endpoint with every problem it can answer, each status
/// with the exact <c>code</c> values (an enum in its schema). Problems come from endpoint metadata
/// (<see cref="AnswersProblem"/>), plus what the pipeline answers in front of every endpoint of a kind: ids in the
/// path (<see cref="RouteIds"/>), per-client limits, body limits, timeouts and dependency failures.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";
    public const string BearerScheme = "bearer";
    public const string AdminKeyScheme = "adminKey";

    internal static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Coupons API",
                    Version = "v1",
                    Description = "First-come-first-served coupon issuance. Every error is RFC 9457 problem details with a stable `code`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "A user's token; its subject is the publicId it acts for." },
                    [AdminKeyScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Admin-Key", Description = "An admin API key." },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                Describe(operation, context);
                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// The problems one endpoint can answer, by status (what the pipeline adds in front of it included).
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<string>> ProblemsOf(IReadOnlyList<object> metadata, string routePattern, bool takesBody,
        string httpMethod = "GET")
    {
        var problems = metadata.OfType<AnswersProblem>().ToList();
        // The admin key's scope is checked by method in front of every admin endpoint: a read key may only read.
        if (problems.Any(p => p.Code == ProblemCodes.AdminKeyMissing) && !HttpMethods.IsGet(httpMethod) && !HttpMethods.IsHead(httpMethod))
        {
            problems.Add(new(StatusCodes.Status403Forbidden, ProblemCodes.AdminKeyReadOnly));
        }

        problems.AddRange(RouteIds.All.Where(id => routePattern.Contains('{' + id.Name + '}', StringComparison.Ordinal))
            .Select(id => new AnswersProblem(StatusCodes.Status400BadRequest, id.Code)));
        if (takesBody)
        {
            problems.Add(new(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest));
        }

        if (metadata.OfType<ClientLimit>().Any())
        {
            problems.Add(new(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited));
        }

        problems.Add(new(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge));
        // DependencyExceptionHandler and the request timeout, in front of every endpoint.
        problems.AddRange(new[] { ProblemCodes.RequestTimeout, ProblemCodes.DependencyUnavailable, ProblemCodes.DatabaseUnavailable, ProblemCodes.RedisUnavailable, ProblemCodes.KafkaUnavailable }
            .Select(code => new AnswersProblem(StatusCodes.Status503ServiceUnavailable, code)));
        problems.Add(new(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError));
        return problems.GroupBy(p => p.Status).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(p => p.Code).Distinct().Order(StringComparer.Ordinal).ToList());
    }

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var takesBody = description.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body);
        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, codes) in ProblemsOf(metadata.ToList(), description.RelativePath ?? "", takesBody, description.HttpMethod ?? "GET"))
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = string.Join(", ", codes),
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = ProblemSchema(status, codes) } },
            };
        }

        var answers = metadata.OfType<AnswersProblem>().Select(a => a.Code).ToHashSet();
        var scheme = answers.Contains(ProblemCodes.TokenMissing) ? BearerScheme : answers.Contains(ProblemCodes.AdminKeyMissing) ? AdminKeyScheme : null;
        if (scheme is not null && context.Document is { } document)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
        }
    }

    private static OpenApiSchema ProblemSchema(int status, IReadOnlyList<string> codes) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "code", "status", "title" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Enum = [JsonValue.Create(status)] },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = codes.Select(c => (JsonNode)JsonValue.Create(c)).ToList() },
        },
    };
}
