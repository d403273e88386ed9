using System.Net.Http.Headers;
using System.Text.Json;
using Coupons.Infrastructure.Http;
using Coupons.Testing;
using CsCheck;
using Microsoft.OpenApi;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Every operation of <c>/openapi/v1.json</c>, called with generated path ids, query values, credentials and bodies, on
/// an instance with anonymous requests off (as in production). For any request: no 500; the status, and the problem
/// <c>code</c> where there is one, are among those the document declares for that operation; no 2xx without the right
/// credentials; and a refused request changes nothing (coupons, users, and the sale's gate).
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class GeneratedRequestTests(StackFixture stack) : IAsyncLifetime
{
    /// <summary>
    /// Operations an authorised generated call would make slow or that act on the shared stack (pausing every sale
    /// stops every other test's clicks); called without the key only. A pause of one sale is called with it: only the
    /// generated sale's clicks stop.
    /// </summary>
    private static readonly string[] NeverAuthorised = ["/rebuild-gate", "/consumer/", "/replay", "/open", "/sales/pause"];

    /// <summary>A key with the read scope (issue 22): every admin GET, nothing else.</summary>
    private const string ReadKey = "test-read-only-admin-key-not-a-secret";

    private CouponApiFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Auth:AllowAnonymous"] = "false",
            ["Kafka:RunConsumer"] = "false",
            ["Admin:Keys:0:Id"] = "oncall-read",
            ["Admin:Keys:0:Key"] = ReadKey,
            ["Admin:Keys:0:Scope"] = "Read",
        });
        return ApiDriver.WaitUntilReadyAsync(_app.CreateClient());
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_app.ServerErrors.Errors);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task For_any_request_the_answer_is_declared_and_nothing_is_granted_or_changed_without_the_right_credentials()
    {
        var operations = await LoadOperationsAsync();
        var couponId = await stack.Api.CreateOpenCouponAsync(1_000);
        var people = await stack.Api.CreateUsersAsync(2);
        var owned = await ApiDriver.IssueAsync(stack.Api.Client, couponId, people[0]);
        await stack.Api.WaitForDrainAsync(couponId); // its row is written before the first snapshot
        var world = new World(couponId, people[0], people[1], owned.RequestId!.Value);
        var client = _app.CreateClient();
        var clicksAccepted = 0;

        await Fuzz.CheckAsync("HTTP requests from the OpenAPI document", Requests(operations, world), async request =>
        {
            var before = await SnapshotAsync(world);
            using var message = request.ToMessage();
            using var response = await client.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var declared = request.Operation.Answers;

            Assert.True(status < 500 || status == 503, $"{status} {body}");
            Assert.True(declared.ContainsKey(status), $"{status} is not declared for {request.Operation.Method} {request.Operation.Template}: {body}");
            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json" && declared[status].Count > 0)
            {
                var code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
                Assert.True(code is not null && declared[status].Contains(code), $"{status} {code} is not declared for {request.Operation.Template}: {body}");
            }

            if (status is >= 200 and < 300)
            {
                Assert.True(request.Authorised(world), $"{status} without the right credentials: {request}");
                // Only the world's sale: a generated id may name another open sale of the shared stack (clean clone R,
                // seed 15VXtQvz_GMyw5Um1: a 202 there was counted against this one's rows).
                clicksAccepted += status == 202 && request.Operation.Template.Contains("issue-fcfs", StringComparison.Ordinal)
                    && request.Path.Split('/')[3] == world.CouponId.ToString(System.Globalization.CultureInfo.InvariantCulture) ? 1 : 0;
            }
            else
            {
                Assert.Equal(before, await SnapshotAsync(world));
            }
        }, fixedSeed: "00000request", cases: 250, print: r => r.ToString());

        // Rows are written after the answer, so they are counted once at the end: the first click and each accepted
        // one.
        await stack.Api.WaitForDrainAsync(couponId);
        Assert.Equal(1 + clicksAccepted, (await Invariants.ReadAsync(couponId)).Rows);
    }

    /// <summary>
    /// Issue 22: on-call's status and collect run with a key that cannot act. Every admin operation the document lists,
    /// called with the read key: each GET answers as it would for any key, each other method is 403
    /// ADMIN_KEY_READ_ONLY (declared for it) and changes nothing.
    /// </summary>
    [Fact]
    public async Task A_read_key_reads_every_admin_get_and_every_other_admin_call_is_refused_with_its_code()
    {
        var operations = (await LoadOperationsAsync()).Where(o => o.IsAdmin).ToList();
        var couponId = await stack.Api.CreateOpenCouponAsync(10);
        var world = new World(couponId, "nobody", "nobody", Guid.Empty);
        var before = await SnapshotAsync(world);
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", ReadKey);

        foreach (var operation in operations)
        {
            var path = operation.Template.Replace("{couponId}", couponId.ToString(), StringComparison.Ordinal)
                .Replace("{partition}", "0", StringComparison.Ordinal).Replace("{offset}", "0", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
            if (operation.TakesBody)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (operation.Method == "GET")
            {
                Assert.True(response.IsSuccessStatusCode, $"{operation.Method} {path} with the read key: {(int)response.StatusCode} {body}");
            }
            else
            {
                await BadInputTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, ProblemCodes.AdminKeyReadOnly);
                Assert.Contains(ProblemCodes.AdminKeyReadOnly, operation.Answers.GetValueOrDefault(403) ?? []);
            }
        }

        Assert.Equal(before, await SnapshotAsync(world));
    }

    // Counterexamples the generator found, kept as named cases.

    [Theory]
    [InlineData("2147483648", "0")]
    [InlineData("x", "0")]
    [InlineData("0", "-1")]
    [InlineData("-1", "0")]
    public async Task A_dead_letter_replay_with_an_impossible_position_is_401_without_the_key_and_400_with_it(string partition, string offset)
    {
        // Seed 8fNayAXSSLlb: route constraints ({partition:int}) made it a bare 404, before the key was even checked.
        var path = $"/api/admin/dead-letters/{partition}/{offset}/replay";
        await BadInputTests.AssertProblemAsync(await _app.CreateClient().PostAsync(path, null), HttpStatusCode.Unauthorized, "ADMIN_KEY_MISSING");
        await BadInputTests.AssertProblemAsync(await _app.CreateAdminClient().PostAsync(path, null), HttpStatusCode.BadRequest, "INVALID_REQUEST");
    }

    [Theory]
    [InlineData("GET", "/api/admin/dead-letters", "max=qqq")]
    [InlineData("GET", "/api/admin/audit", "max=qqq")]
    [InlineData("POST", "/api/admin/coupons/{couponId}/open", "wait=qqq")]
    [InlineData("POST", "/api/admin/coupons/{couponId}/rebuild-gate", "wait=qqq")]
    public async Task A_query_value_that_is_not_a_number_is_a_400_its_operation_declares(string method, string template, string query)
    {
        // Seed 9YY_nwiyZamp: GET /api/admin/dead-letters?max=qqq... answered 400 INVALID_REQUEST, which its operation
        // did not declare.
        var operation = (await LoadOperationsAsync()).Single(o => o.Method == method && o.Template == template);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{template.Replace("{couponId}", "11", StringComparison.Ordinal)}?{query}");

        await BadInputTests.AssertProblemAsync(await _app.CreateAdminClient().SendAsync(request), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Assert.Contains("INVALID_REQUEST", operation.Answers.GetValueOrDefault(400) ?? []);
    }

    /// <summary>
    /// The sale, its two people and one real request: what generated ids are drawn from besides garbage.
    /// </summary>
    private sealed record World(long CouponId, string Owner, string Other, Guid OwnedRequest);

    private sealed record Operation(string Method, string Template, IReadOnlyDictionary<int, IReadOnlyList<string>> Answers, bool TakesBody)
    {
        public bool IsAdmin => Template.StartsWith("/api/admin", StringComparison.Ordinal);
    }

    private sealed record Credentials(string? Bearer, string? BearerSubject, bool BearerValid, string? AdminKey);

    private sealed record GeneratedRequest(Operation Operation, string Path, Credentials Credentials, string? Body, string? ExtraHeader)
    {
        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Operation.Method), Path);
            if (Credentials.Bearer is { } token)
            {
                message.Headers.TryAddWithoutValidation("Authorization", token);
            }

            if (Credentials.AdminKey is { } key)
            {
                message.Headers.TryAddWithoutValidation("X-Admin-Key", key);
            }

            if (ExtraHeader is { } extra)
            {
                message.Headers.TryAddWithoutValidation("X-Forwarded-For", extra);
            }

            if (Body is { } body)
            {
                message.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            return message;
        }

        /// <summary>Whether these credentials may be granted this call.</summary>
        public bool Authorised(World world)
        {
            if (Operation.IsAdmin)
            {
                return Credentials.AdminKey == TestStack.AdminKey || (Credentials.AdminKey == ReadKey && Operation.Method == "GET");
            }

            if (!Operation.Template.Contains('{', StringComparison.Ordinal) || Operation.Template.EndsWith("/countdown", StringComparison.Ordinal))
            {
                return true; // the issuable list, the server's time and a sale's countdown are public
            }

            return Credentials.BearerValid && (Operation.Template.Contains("{publicId}", StringComparison.Ordinal)
                ? string.Equals(PublicIdIn(), Credentials.BearerSubject, StringComparison.OrdinalIgnoreCase)
                : Credentials.BearerSubject == world.Owner); // a request's status: its owner only
        }

        public override string ToString() =>
            $"{Operation.Method} {Path} bearer={(Credentials.Bearer is null ? "none" : $"{Credentials.BearerSubject}/{(Credentials.BearerValid ? "valid" : "bad")}")} "
            + $"admin={(Credentials.AdminKey is null ? "none" : Credentials.AdminKey == TestStack.AdminKey ? "right" : Credentials.AdminKey == ReadKey ? "read" : "wrong")} "
            + $"body={Body?.Length.ToString() ?? "none"}";

        private string PublicIdIn() =>
            Uri.UnescapeDataString(Path.Split('?')[0].Split('/')[Array.IndexOf(Operation.Template.Split('/'), "{publicId}")]);
    }

    private static Gen<GeneratedRequest> Requests(IReadOnlyList<Operation> operations, World world) =>
        Gen.OneOf<Operation>([.. operations]).SelectMany(operation => Gen.Select(
            PathFor(operation, world), CredentialsFor(operation, world), operation.TakesBody ? Bodies.Select(b => (string?)b) : Gen.Const<string?>((string?)null),
            Gen.Frequency((8, Gen.Const<string?>((string?)null)), (1, Gen.OneOf<string?>("1.2.3.4", "garbage, ::1", new string('9', 5000)))),
            (path, credentials, body, header) => new GeneratedRequest(operation, path, credentials, body, header)));

    private static Gen<string> PathFor(Operation operation, World world)
    {
        var segments = operation.Template.Split('/');
        var gens = segments.Select(s => s switch
        {
            // A campaign change (pause, total, window, end) with the key would act on whatever sale a random id names
            // on the shared stack (clean clone S: another test's sale lost its gate): the test's own sale, or ids no
            // sale has.
            "{couponId}" when ChangesACampaign(operation) => Gen.OneOf<string>(world.CouponId.ToString(), "999999999", "0", "-1", "9223372036854775808", "abc"),
            "{couponId}" => Gen.OneOf(Gen.OneOf<string>(world.CouponId.ToString(), "999999999", "0", "-1", "9223372036854775808", "1e3", "%20", "abc"),
                Gen.Long.Select(l => l.ToString())),
            // Not "." or ".." (the client removes dot segments: another resource) nor %00 (the in-process host refuses
            // it before the app sees it; Kestrel answers 400).
            "{publicId}" => Gen.OneOf(Gen.OneOf<string>(world.Owner, world.Other, world.Owner.ToUpperInvariant(), "test-user", new string('a', 37), "a b", "%2F", "\u00e9t\u00e9", "a..b", "x%01y"),
                Gen.String[Gen.Char["abcXYZ019-_"], 1, 36]),
            "{requestId}" => Gen.OneOf(Gen.OneOf<string>(world.OwnedRequest.ToString(), "not-a-guid", "00000000-0000-0000-0000-000000000000"),
                Gen.Guid.Select(g => g.ToString())),
            "{partition}" or "{offset}" => Gen.OneOf(Gen.OneOf<string>("0", "-1", "2147483648", "x"), Gen.Int.Select(i => i.ToString())),
            _ => Gen.Const(s),
        }).ToArray();
        var query = Gen.Frequency((3, Gen.Const("")), (1, Gen.Select(Gen.OneOf<string>("max", "couponId", "actor", "client"),
            Gen.OneOf(Gen.OneOf<string>("1", "0", "-5", "100000", "x", "%ff", new string('q', 500)), Gen.Int.Select(i => i.ToString())), (k, v) => $"?{k}={v}")));
        return Gen.Select(gens.Aggregate(Gen.Const(new List<string>()), (acc, g) => acc.Select(g, (list, s) => new List<string>(list) { s })), query,
            (parts, q) => string.Join('/', parts.Select(p => p.Contains('%', StringComparison.Ordinal) ? p : Uri.EscapeDataString(p))) + q);
    }

    private static bool ChangesACampaign(Operation operation) =>
        operation.Method != "GET" && operation.Template.StartsWith("/api/admin/campaigns/{couponId}/", StringComparison.Ordinal);

    private static Gen<Credentials> CredentialsFor(Operation operation, World world)
    {
        var bearer = Gen.Frequency(
            (3, Gen.Const(new Credentials(null, null, false, null))),
            (2, Gen.OneOf<string>(world.Owner, world.Other).Select(s => new Credentials("Bearer " + TestTokens.For(s), s, true, null))),
            (1, Gen.OneOf<string>(world.Owner, world.Other).Select(s => new Credentials("Bearer " + TestTokens.For(s, expires: DateTimeOffset.UtcNow.AddMinutes(-5),
                notBefore: DateTimeOffset.UtcNow.AddMinutes(-20)), s, false, null))),
            (1, Gen.OneOf<string>("Bearer", "Bearer ", "Bearer garbage", "Basic dXNlcjpwYXNz", "Bearer " + new string('x', 8000)).Select(t => new Credentials(t, null, false, null))));
        var admin = Gen.Frequency(
            (2, Gen.Const<string?>((string?)null)),
            (2, Gen.OneOf<string?>("wrong", "", " " + TestStack.AdminKey, TestStack.AdminKey.ToUpperInvariant(), new string('k', 4000))),
            (operation.IsAdmin && !NeverAuthorised.Any(n => operation.Template.Contains(n, StringComparison.Ordinal)) ? 3 : 0, Gen.Const<string?>(TestStack.AdminKey)),
            (operation.IsAdmin ? 2 : 0, Gen.OneOf<string?>(ReadKey, ReadKey + " ", ReadKey.ToUpperInvariant())));
        return Gen.Select(bearer, admin, (b, a) => b with { AdminKey = a });
    }

    /// <summary>Bodies: wrong types, deep nesting, huge, odd Unicode, and near-valid admin requests.</summary>
    private static readonly Gen<string> Bodies = Gen.OneOf(
        Gen.OneOf<string>("", "null", "[]", "{}", "\"x\"", "{\"name\":1}", "{\"users\":{}}", "{\"users\":[{\"publicId\":null}]}",
            "{\"totalQuantity\":\"many\"}", "{\"name\":\"\\ud800\",\"couponType\":\"FIXED\",\"totalQuantity\":1}", "{", "{\"a\":1,\"a\":2}"),
        Gen.Int[1, 3000].Select(depth => new string('[', depth) + new string(']', depth)),
        Gen.Int[1_000, 200_000].Select(n => "{\"name\":\"" + new string('x', n) + "\"}"),
        Gen.Select(Gen.String, Gen.Int[-5, 20_000_000], Gen.OneOf<string>("FIXED", "PERCENTAGE", "fixed", "BOGUS", ""), (name, total, type) =>
            JsonSerializer.Serialize(new { name, couponType = type, totalQuantity = total, startDate = DateTimeOffset.UtcNow.AddDays(1), endDate = DateTimeOffset.UtcNow.AddDays(2) })),
        Gen.Select(Gen.String, Gen.String, (id, email) => JsonSerializer.Serialize(new { users = new[] { new { publicId = id, name = "n", email } } })),
        Gen.OneOf(Gen.String, Gen.String[Gen.Char, 190, 210]).Select(reason => JsonSerializer.Serialize(new { reason })));

    /// <summary>
    /// What a refused request must not change: how many coupons, users and pauses exist, and the sale's gate (its rows
    /// are written after an accepted click's answer, so they are counted at the end instead).
    /// </summary>
    private async Task<string> SnapshotAsync(World world)
    {
        var gate = await stack.Api.ConsistencyAsync(world.CouponId);
        return $"coupons={await Invariants.CountAsync("coupons")} users={await Invariants.CountAsync("users")} pauses={await Invariants.CountAsync("sale_pauses")} "
            + $"stock={gate.Redis.RemainingStock} accepted={gate.Redis.AcceptedRequests}";
    }

    private async Task<IReadOnlyList<Operation>> LoadOperationsAsync()
    {
        using var response = await stack.Api.Client.GetAsync(ApiDocument.Path);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var document = (await OpenApiDocument.LoadAsync(stream, "json")).Document!;
        return document.Paths.SelectMany(path => path.Value.Operations!.Select(op => new Operation(
            op.Key.Method, path.Key,
            op.Value.Responses!.ToDictionary(r => int.Parse(r.Key), r => (IReadOnlyList<string>)CodesOf(r.Value)),
            op.Value.RequestBody is not null))).ToList();
    }

    private static List<string> CodesOf(IOpenApiResponse response) =>
        response.Content?.TryGetValue("application/problem+json", out var media) == true && media.Schema?.Properties?.TryGetValue("code", out var code) == true
            ? code.Enum?.Select(e => e.GetValue<string>()).ToList() ?? []
            : [];
}
