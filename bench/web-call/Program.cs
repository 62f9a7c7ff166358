// The web server's cost of a call (bench/web-call.sh starts the stack and hands this its address): Chromium pages
// through the front door, one person each, Conference.Web's RSS and CPU read from /proc, and its live heap by type. Prints figures; asserts
// nothing. See bench/README.md.
using System.Globalization;
using Conference.WebCallBench;

var options = BenchOptions.Parse(args);
var web = new ProcessSampler(options.WebPid);
var heap = new HeapCensus(options.WebPid, options.Work);
var wav = SpeechAudio.Write(Path.Combine(options.Work, "speech.wav"));
await using var crowd = await Crowd.LaunchAsync(options.Site, wav);

Console.Error.WriteLine("signing the admin up and starting a meeting…");
var admin = await crowd.SignUpAdminAsync(options.SetupCode);

// 1. Join click → first remote video frame: a fresh page (camera on) joins a 2-person call's host, then leaves.
var joinTimes = new List<double>();
if (options.Joins > 0)
{
    var meeting = await crowd.StartMeetingAsync(admin, "Join timing");
    await crowd.JoinAsync(admin, "Host", camera: true);
    for (var i = 0; i < options.Joins; i++)
    {
        var started = DateTime.UtcNow;
        var joiner = await crowd.OpenAsync(meeting);
        var milliseconds = await crowd.TimeJoinToFirstFrameAsync(joiner, $"Joiner {i + 1}");
        joinTimes.Add(milliseconds);
        Console.Error.WriteLine($"join {i + 1}: click → first remote frame {milliseconds:0} ms");
        await crowd.LeaveAsync(joiner);
        // The api allows 10 joins a minute per address and meeting; every page here comes from 127.0.0.1.
        var pace = TimeSpan.FromSeconds(7) - (DateTime.UtcNow - started);
        if (pace > TimeSpan.Zero)
        {
            await Task.Delay(pace);
        }
    }
    await crowd.GoHomeAsync(admin);
}

// 2. The empty baseline: the site warmed up (the joins above), nobody in a call, only the admin's home page open.
Console.Error.WriteLine("baseline: nobody in a call…");
await Task.Delay(TimeSpan.FromSeconds(15));
var baseline = await web.SampleAsync(TimeSpan.FromSeconds(20));
var baselineHeap = await heap.TakeAsync("baseline");
var baselineRssAfterGc = await web.RssSoonAfterAsync();
var baselineRuntime = await heap.CountersAsync("baseline");

// 3. One call that grows to each size; each size sampled for a steady stretch.
var rows = new List<SizeResult>();
var call = await crowd.StartMeetingAsync(admin, "Bench call");
var people = new List<Person> { admin };
await crowd.JoinAsync(admin, "Person 1", options.Video);
foreach (var size in options.Sizes)
{
    while (people.Count < size)
    {
        var person = await crowd.OpenAsync(call);
        await crowd.JoinAsync(person, $"Person {people.Count + 1}", options.Video);
        people.Add(person);
    }
    await crowd.WaitForTilesAsync(people, size);
    Console.Error.WriteLine($"{size} people in the call; settling, then sampling {options.Seconds} s…");
    await Task.Delay(TimeSpan.FromSeconds(10));
    var before = await crowd.CountersAsync(people);
    var sample = await web.SampleAsync(TimeSpan.FromSeconds(options.Seconds));
    var after = await crowd.CountersAsync(people);
    // After the sample: the census's full GC would otherwise show in the RSS and CPU measured.
    var census = await heap.TakeAsync($"{size}-people");
    var rssAfterGc = await web.RssSoonAfterAsync();
    rows.Add(new SizeResult(size, sample, PageCounters.PerPageRate(before, after, sample.Seconds), census, rssAfterGc, await heap.CountersAsync($"{size}-people")));
}

// 4. The table.
static string Mb(double bytes) => (bytes / 1048576).ToString("0.0", CultureInfo.InvariantCulture);
static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
Console.WriteLine();
Console.WriteLine($"Conference.Web's cost of a call ({(options.Video ? "cameras on" : "cameras off, microphones speaking in bursts")}), {options.Seconds} s per size, load average now {string.Join(' ', load)}:");
Console.WriteLine($"  empty baseline (nobody in a call): RSS {Mb(baseline.RssMean)} MB (max {Mb(baseline.RssMax)}), CPU {F(baseline.CpuPercent)} % of a core");
Console.WriteLine();
Console.WriteLine($"  live managed heap after a full GC (dotnet-gcdump): {Mb(baselineHeap.Bytes)} MB; RSS 3 s after that GC {Mb(baselineRssAfterGc)} MB, the GC's committed {Mb(baselineRuntime.GcCommitted)} MB, thread pool {baselineRuntime.ThreadPoolThreads} threads");
Console.WriteLine();
Console.WriteLine("|  N | web RSS MB (max) | per page over baseline MB | per added page MB | live heap MB | live heap per page over baseline MB | RSS after the full GC, per page over baseline MB | GC committed after it, per page MB | thread pool threads | web CPU % of a core | speaking changes/s (each page sees each) | web CPU ms per change | circuit B per change per page in (to web) / out |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
SizeResult? previous = null;
foreach (var row in rows)
{
    var perPage = (row.Web.RssMean - baseline.RssMean) / row.Size;
    var perAdded = previous is null ? (double?)null : (row.Web.RssMean - previous.Web.RssMean) / (row.Size - previous.Size);
    var heapPerPage = (double)(row.Heap.Bytes - baselineHeap.Bytes) / row.Size;
    Console.WriteLine($"| {row.Size,2} | {Mb(row.Web.RssMean)} ({Mb(row.Web.RssMax)}) | {Mb(perPage)} | {(perAdded is { } added ? Mb(added) : "—")} | " +
        $"{Mb(row.Heap.Bytes)} | {Mb(heapPerPage)} | {Mb((row.RssAfterGc - baselineRssAfterGc) / row.Size)} | " +
        $"{Mb((row.Runtime.GcCommitted - baselineRuntime.GcCommitted) / row.Size)} | {row.Runtime.ThreadPoolThreads} | {F(row.Web.CpuPercent)} | " +
        $"{F(row.Pages.SpeakingChanges, "0.00")} | {F(CpuPerChange(row), "0.00")} | {F(row.Pages.BytesToWeb / row.Pages.SpeakingChanges, "0")} / {F(row.Pages.BytesFromWeb / row.Pages.SpeakingChanges, "0")} |");
    previous = row;
}
Console.WriteLine("(web CPU ms per change: the web's CPU time above the empty baseline's, per speaking change in the call; the circuit bytes" +
    " are all of a page's Blazor traffic, divided by the speaking changes it saw.)");
Console.WriteLine();
var largest = rows[^1];
Console.WriteLine($"Live objects gained from the baseline to {largest.Size} people, per page, by type (the 15 that grew most):");
foreach (var (type, count) in largest.Heap.GrowthSince(baselineHeap, top: 15))
{
    Console.WriteLine($"  {F((double)count / largest.Size, "0"),7}  {type}");
}
Console.WriteLine();
if (joinTimes.Count > 0)
{
    var sorted = joinTimes.Order().ToList();
    var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    Console.WriteLine($"Join click → first remote video frame (a fresh page joining the host, through Caddy, {sorted.Count} joins): " +
        $"median {median:0} ms, min {sorted[0]:0} ms, max {sorted[^1]:0} ms");
}
Console.WriteLine("Goals (issue 14): ≤ 3 MB of web RSS per connected call page; ≤ 5 % of a core for a 10-person call.");

// CPU ms a second (1 % of a core = 10 ms/s) above the baseline's, per speaking change the pages saw.
double CpuPerChange(SizeResult row) => (row.Web.CpuPercent - baseline.CpuPercent) * 10 / row.Pages.SpeakingChanges;

sealed record SizeResult(int Size, WebSample Web, PageCounters Pages, HeapSnapshot Heap, double RssAfterGc, RuntimeFigures Runtime);
