using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Conference.WebCallBench;

/// <summary>
/// What a process's managed heap holds alive, from <c>dotnet-gcdump</c> (the repository's tool manifest): <c>collect</c>
/// forces a full, blocking GC and walks the live objects, <c>report</c> lists them by type. RSS also counts what
/// the GC keeps for allocations to come; this counts only what is reachable, so per page it tells what a circuit keeps.
/// </summary>
/// <remarks>
/// On .NET 10 the event stream gcdump reads is lossy ("the gcdump may be incomplete on large heaps", says the tool);
/// the totals here are then lower bounds. A few tens of MB of heap, as the web's, are walked whole in practice.
/// </remarks>
sealed partial class HeapCensus(int pid, string work)
{
    public async Task<HeapSnapshot> TakeAsync(string label)
    {
        var file = Path.Combine(work, $"web-{label}.gcdump");
        await RunToolAsync("dotnet-gcdump", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file);
        var report = await RunToolAsync("dotnet-gcdump", "report", file);
        var types = new Dictionary<string, long>();
        long total = 0;
        foreach (var line in report.Split('\n'))
        {
            if (TotalLine().Match(line) is { Success: true } totalMatch)
            {
                total = Number(totalMatch.Groups["bytes"].Value);
            }
            else if (TypeLine().Match(line) is { Success: true } type)
            {
                // "(Bytes > 1K)" and the assembly are how the report groups sizes; the type's name is what is compared.
                var name = type.Groups["type"].Value;
                types[name] = types.GetValueOrDefault(name) + Number(type.Groups["count"].Value);
            }
        }
        if (total == 0)
        {
            throw new InvalidOperationException($"dotnet-gcdump report printed no total for {file}:\n{report}");
        }
        return new HeapSnapshot(total, types);
    }

    /// <summary>
    /// The runtime's own counters (<c>dotnet-counters</c>, System.Runtime) for 3 s, taken right after
    /// <see cref="TakeAsync"/>: what the GC keeps committed after that full GC, and the thread pool's threads. RSS minus
    /// the committed size is what is not the GC's: code, stacks, native buffers.
    /// </summary>
    public async Task<RuntimeFigures> CountersAsync(string label)
    {
        var file = Path.Combine(work, $"web-{label}.counters.json");
        await RunToolAsync("dotnet-counters", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--counters", "System.Runtime",
            "--format", "json", "-o", file, "--duration", "00:00:00:03");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        double Last(string name) => json.RootElement.GetProperty("Events").EnumerateArray()
            .Where(e => e.GetProperty("name").GetString()!.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(e => e.GetProperty("value").GetDouble()).LastOrDefault();
        return new RuntimeFigures(Last("dotnet.gc.last_collection.memory.committed_size"), Last("dotnet.thread_pool.thread.count"));
    }

    static long Number(string digits) => long.Parse(digits.Replace(",", ""), CultureInfo.InvariantCulture);

    /// <summary>Runs a diagnostics tool of the checkout's tool manifest (which pins its version); its output, or an exception saying why not.</summary>
    static async Task<string> RunToolAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [tool, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
        return await output;
    }

    [GeneratedRegex(@"^\s*(?<bytes>[\d,]+)\s+GC Heap bytes")]
    private static partial Regex TotalLine();

    [GeneratedRegex(@"^\s*(?<bytes>[\d,]+)\s+(?<count>[\d,]+)\s+(?<type>.+?)(\s+\(Bytes > [^)]*\))?\s+\[[^\]]*\]\s*$")]
    private static partial Regex TypeLine();
}

/// <summary>Live managed bytes after a full GC, and per type (its name as the report gives it) how many objects.</summary>
/// <remarks>
/// The report's per-type "Object Bytes" is not the type's total (for 100,000 strings of 1–5 digits it prints 22, one
/// string's base size; the total is 3.2 MB), so only the counts are compared per type; the heap's total is exact.
/// </remarks>
sealed record HeapSnapshot(long Bytes, IReadOnlyDictionary<string, long> Types)
{
    /// <summary>The types whose live objects grew most in number from <paramref name="before"/>, most first.</summary>
    public IEnumerable<(string Type, long Count)> GrowthSince(HeapSnapshot before, int top) =>
        Types.Select(t => (Type: t.Key, Count: t.Value - before.Types.GetValueOrDefault(t.Key)))
            .OrderByDescending(t => t.Count).Take(top);
}

/// <summary>The GC's committed bytes after its last collection, and the thread pool's thread count.</summary>
sealed record RuntimeFigures(double GcCommitted, double ThreadPoolThreads);
