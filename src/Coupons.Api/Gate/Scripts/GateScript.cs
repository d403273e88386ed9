using System.Reflection;

namespace Coupons.Gate.Scripts;

/// <summary>
/// A gate Lua script's text, read once from the embedded resource. SE.Redis sends it by SHA (EVALSHA) once the server
/// has it. Each script has one C# type next to it that owns its key and argument layout and parses its answer; the
/// .lua file documents the same layout in its header, and nothing else indexes into its arrays.
/// </summary>
internal static class GateScript
{
    public static string Load(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }
}
