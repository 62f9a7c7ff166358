using System.Diagnostics;
using System.Globalization;

namespace Conference.WebCallBench;

/// <summary>
/// A process's resident memory and CPU time, read from /proc once a second (proc(5): <c>stat</c> fields 14–15,
/// utime and stime in clock ticks of 1/100 s; <c>status</c> VmRSS in kB).
/// </summary>
sealed class ProcessSampler(int pid)
{
    const double TicksPerSecond = 100; // USER_HZ on Linux

    public async Task<WebSample> SampleAsync(TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var startTicks = CpuTicks();
        var rss = new List<long>();
        while (clock.Elapsed < duration)
        {
            rss.Add(RssBytes());
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (CpuTicks() - startTicks) / TicksPerSecond / seconds * 100;
        return new WebSample(rss.Average(), rss.Max(), cpu, seconds);
    }

    /// <summary>RSS (bytes) 3 s from now: after a heap census's full GC, what the process gave back by then.</summary>
    public async Task<double> RssSoonAfterAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(3));
        return RssBytes();
    }

    long CpuTicks()
    {
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    long RssBytes()
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>Mean and highest RSS (bytes) over the stretch, and CPU as % of one core.</summary>
sealed record WebSample(double RssMean, long RssMax, double CpuPercent, double Seconds);
