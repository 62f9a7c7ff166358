using BenchmarkDotNet.Attributes;
using Conference.Recorder.Storage;
using Microsoft.Extensions.Options;

namespace Conference.Benchmarks;

/// <summary>A presigned GET link for a recording, as <c>GET /api/recordings/{id}/download</c> makes one: SigV4, no call to storage.</summary>
[MemoryDiagnoser]
public class RecordingBenchmarks
{
    RecordingStorage storage = null!;

    [GlobalSetup]
    public void Setup() => storage = new RecordingStorage(Options.Create(new ObjectStorageOptions
    {
        Endpoint = new Uri("https://example.compat.objectstorage.eu-frankfurt-1.oraclecloud.com"),
        Region = "eu-frankfurt-1",
        Bucket = "recordings",
        AccessKey = "0123456789abcdef0123456789abcdef01234567",
        SecretKey = "bench-secret-key-bench-secret-key-bench1",
    }), TimeProvider.System);

    [GlobalCleanup]
    public void Cleanup() => storage.Dispose();

    [Benchmark]
    public string PresignDownloadLink() => storage.DownloadLink("recordings/abc-defg-hij/20261127T083145123Z.mp4", "abc-defg-hij-20261127-0831.mp4").Url;
}
