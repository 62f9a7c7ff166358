using System.Globalization;

namespace Conference.WebCallBench;

/// <summary>The command line bench/web-call.sh passes: <c>--site URL --setup-code CODE --web-pid PID --work DIR [--sizes 2,5,10] [--seconds 60] [--joins 10] [--video 0|1]</c>.</summary>
sealed record BenchOptions(Uri Site, string SetupCode, int WebPid, string Work, IReadOnlyList<int> Sizes, int Seconds, int Joins, bool Video)
{
    public static BenchOptions Parse(string[] args)
    {
        string Value(string name, string? fallback = null)
        {
            var index = Array.IndexOf(args, $"--{name}");
            return index >= 0 && index + 1 < args.Length ? args[index + 1]
                : fallback ?? throw new ArgumentException($"--{name} is required");
        }
        int Number(string name, string? fallback = null) => int.Parse(Value(name, fallback), CultureInfo.InvariantCulture);

        var sizes = Value("sizes", "2,5,10").Split(',').Select(size => int.Parse(size, CultureInfo.InvariantCulture)).Order().ToList();
        if (sizes.Count == 0 || sizes[0] < 1)
        {
            throw new ArgumentException("--sizes: one or more people counts, each at least 1");
        }
        return new BenchOptions(new Uri(Value("site").TrimEnd('/') + "/"), Value("setup-code"), Number("web-pid"), Value("work"),
            sizes, Number("seconds", "60"), Number("joins", "10"), Value("video", "0") == "1");
    }
}
