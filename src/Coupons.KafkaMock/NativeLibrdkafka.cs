using System.Reflection;
using System.Runtime.InteropServices;

namespace Coupons.KafkaMock;

/// <summary>
/// Finds the librdkafka build that loads on Debian. The package's plain <c>librdkafka.so</c> links
/// <c>libsasl2.so.3</c>, which Debian does not ship; the <c>centos8</c> build is self-contained.
/// Both this assembly (mock cluster) and Confluent.Kafka (clients) must use the same file.
/// </summary>
public static class NativeLibrdkafka
{
    private static readonly Lock Gate = new();
    private static bool _initialised;

    public static string? Path { get; private set; }

    /// <summary>
    /// Points this assembly's P/Invokes and Confluent.Kafka at the loadable native build. Idempotent.
    /// </summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_initialised)
            {
                return;
            }

            Path = FindLibrary();
            NativeLibrary.SetDllImportResolver(typeof(NativeLibrdkafka).Assembly, Resolve);
            _initialised = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == MockClusterNative.LibraryName && Path is not null ? NativeLibrary.Load(Path) : IntPtr.Zero;

    private static string? FindLibrary()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string[] candidates =
        [
            System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", "centos8-librdkafka.so"),
            System.IO.Path.Combine(AppContext.BaseDirectory, "centos8-librdkafka.so"),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }
}
