using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Coupons.Cli.Collect;

/// <summary>One part of the bundle: its file, and whether it could be collected (and why not).</summary>
public sealed record BundlePart(string File, bool Collected, string Note);

/// <summary>
/// The diagnostic bundle as one zip archive. Each part is collected on its own; a part that fails is recorded in
/// <c>manifest.json</c> with the reason instead of failing the whole bundle — during an incident, half a bundle is
/// still worth having. Every part and the manifest go through one <see cref="Redactor"/> pass before they are written.
/// </summary>
public sealed class DiagnosticBundle(string path, Redactor redactor) : IDisposable
{
    private readonly FileStream _file = File.Create(path);
    private readonly List<BundlePart> _parts = [];
    private ZipArchive? _zip;

    public IReadOnlyList<BundlePart> Parts => _parts;

    private ZipArchive Zip => _zip ??= new ZipArchive(_file, ZipArchiveMode.Create, leaveOpen: false);

    public async Task AddTextAsync(string name, Func<Task<string>> read, string what)
    {
        try
        {
            var text = redactor.Redact(await read());
            await WriteAsync(name, Encoding.UTF8.GetBytes(text));
            _parts.Add(new BundlePart(name, true, what));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _parts.Add(new BundlePart(name, false, redactor.Redact($"{what}: not collected ({ex.GetType().Name}: {ex.Message})")));
        }
    }

    public void Skip(string name, string why) => _parts.Add(new BundlePart(name, false, why));

    public async Task FinishAsync(object header)
    {
        var manifest = new { header, parts = _parts };
        var json = JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await WriteAsync("manifest.json", Encoding.UTF8.GetBytes(redactor.Redact(json)));
        Dispose();
    }

    public void Dispose()
    {
        if (_zip is not null)
        {
            _zip.Dispose();
            _zip = null;
        }

        _file.Dispose();
    }

    private async Task WriteAsync(string name, byte[] bytes)
    {
        await using var entry = Zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await entry.WriteAsync(bytes);
    }
}
