using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Conference.AppHost.LiveKit;
using Conference.AppHost.Processes;

namespace Conference.Tests.AppHost;

/// <summary>
/// The Processes variant's opt-in fetch of the pinned livekit-server (<c>Conference:LiveKit:Download=true</c>),
/// against a local file server laid out like LiveKit's GitHub releases (no download can succeed from here).
/// </summary>
public sealed class LiveKitDownloadTests : IDisposable
{
    const string Binary = "#!/bin/sh\necho livekit-server stand-in\n";

    readonly ReleaseServer server = new();
    readonly string cache = Directory.CreateTempSubdirectory("conference-livekit-cache-").FullName;

    static string Asset(string arch) => $"livekit_{LiveKitServerDownload.Version}_linux_{arch}.tar.gz";

    [Theory]
    [InlineData(Architecture.X64, "amd64")]
    [InlineData(Architecture.Arm64, "arm64")]
    public async Task Fetches_the_pinned_release_for_this_machine_verifies_it_and_caches_it_per_version(Architecture architecture, string arch)
    {
        server.Publish(Asset(arch), Tarball(Binary));
        var download = new LiveKitServerDownload(server.Http, server.Releases, cache);

        var (path, problem) = await download.GetAsync(OSPlatform.Linux, architecture, CancellationToken.None);

        Assert.Null(problem);
        Assert.Equal(Path.Combine(cache, LiveKitServerDownload.Version, "livekit-server"), path);
        Assert.Equal(Binary, File.ReadAllText(path!));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(path!).HasFlag(UnixFileMode.UserExecute));
        Assert.Contains($"/v{LiveKitServerDownload.Version}/checksums.txt", server.Requests);
        Assert.Contains($"/v{LiveKitServerDownload.Version}/{Asset(arch)}", server.Requests);

        // Cached: the next start asks the network nothing.
        server.Requests.Clear();
        Assert.Equal(path, (await download.GetAsync(OSPlatform.Linux, architecture, CancellationToken.None)).Path);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_archive_that_does_not_match_its_published_checksum_is_not_used()
    {
        server.Publish(Asset("amd64"), Tarball(Binary), checksumOf: Tarball("#!/bin/sh\necho something else\n"));
        var download = new LiveKitServerDownload(server.Http, server.Releases, cache);

        var (path, problem) = await download.GetAsync(OSPlatform.Linux, Architecture.X64, CancellationToken.None);

        Assert.Null(path);
        Assert.Contains("does not match its published SHA-256", problem);
        Assert.False(File.Exists(download.CachedBinary));
    }

    [Fact]
    public async Task Says_plainly_when_it_cannot()
    {
        var unreachable = new LiveKitServerDownload(server.Http, new Uri($"http://127.0.0.1:{FreePort()}/releases/"), cache);
        var (path, problem) = await unreachable.GetAsync(OSPlatform.Linux, Architecture.X64, CancellationToken.None);
        Assert.Null(path);
        Assert.StartsWith($"Could not download livekit-server {LiveKitServerDownload.Version} from http://127.0.0.1:", problem);

        var macOs = await new LiveKitServerDownload(server.Http, server.Releases, cache).GetAsync(OSPlatform.OSX, Architecture.Arm64, CancellationToken.None);
        Assert.Null(macOs.Path);
        Assert.Contains("LiveKit publishes no livekit-server", macOs.Problem);
        Assert.Contains("install it by hand", macOs.Problem);

        server.Publish("livekit_0.0.0_linux_amd64.tar.gz", Tarball(Binary));
        var notListed = await new LiveKitServerDownload(server.Http, server.Releases, cache).GetAsync(OSPlatform.Linux, Architecture.X64, CancellationToken.None);
        Assert.Contains($"lists no {Asset("amd64")}", notListed.Problem);
    }

    [Fact]
    public async Task The_Processes_variant_runs_the_fetched_binary_when_the_developer_opts_in_and_shows_why_not_otherwise()
    {
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
        server.Publish(Asset(arch), Tarball(Binary));
        string[] optIn =
        [
            "--Conference:Runtime=Processes", $"--Conference:DataDirectory={cache}/data",
            "--Conference:LiveKit:Download=true", $"--Conference:LiveKit:DownloadUrl={server.Releases}",
        ];

        await using (var app = await AppModel.BuildAsync([.. optIn, $"--Conference:LiveKit:DownloadCache={cache}"]))
        {
            var liveKit = Assert.IsAssignableFrom<ExecutableResource>(app.Resource("livekit"));
            Assert.Equal(Path.Combine(cache, LiveKitServerDownload.Version, "livekit-server"), liveKit.Command);
            // Signalling on a port the orchestrator picks, written into its config, so two runs on one machine do not collide.
            var http = liveKit.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
            Assert.Null(http.Port);
            Assert.False(http.IsProxied);
            Assert.Contains("{livekit.bindings.http.targetPort}", Assert.IsType<LiveKitProcessResource>(liveKit).Config.Render().ValueExpression);
        }

        server.Publish(Asset(arch), Tarball(Binary), checksumOf: Tarball("tampered"));
        await using (var app = await AppModel.BuildAsync([.. optIn, $"--Conference:LiveKit:DownloadCache={cache}/empty"]))
        {
            var snapshot = app.Resource("livekit").Annotations.OfType<ResourceSnapshotAnnotation>().Single().InitialSnapshot;
            Assert.Equal("Unavailable", snapshot.State?.Text);
            Assert.Contains("does not match its published SHA-256", (string)snapshot.Properties.Single(p => p.Name == "Reason").Value!);
        }
    }

    /// <summary>A .tar.gz laid out like LiveKit's: LICENSE and livekit-server at the top.</summary>
    static byte[] Tarball(string binary)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "LICENSE") { DataStream = new MemoryStream("Apache-2.0"u8.ToArray()) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "livekit-server")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(binary)),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            });
        }
        return output.ToArray();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        server.Dispose();
        Directory.Delete(cache, recursive: true);
        // Building the model as root moves the cluster out of the temporary folder (mode 700): remove that too.
        if (Directory.Exists(PostgresDataDirectory.SharedHome($"{cache}/data/postgres")))
        {
            Directory.Delete(PostgresDataDirectory.SharedHome($"{cache}/data/postgres"), recursive: true);
        }
    }

    /// <summary>Serves /releases/vVERSION/{asset, checksums.txt} from memory and records every path asked for.</summary>
    sealed class ReleaseServer : IDisposable
    {
        readonly HttpListener listener = new();
        readonly Dictionary<string, byte[]> files = [];
        readonly Task serving;

        public ReleaseServer()
        {
            var port = FreePort();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            Releases = new Uri($"http://127.0.0.1:{port}/releases/");
            serving = Task.Run(ServeAsync);
        }

        public Uri Releases { get; }

        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

        public List<string> Requests { get; } = [];

        /// <summary>Publishes an asset and a checksums.txt line for it (of other bytes, to publish a wrong sum).</summary>
        public void Publish(string asset, byte[] bytes, byte[]? checksumOf = null)
        {
            var release = $"/releases/v{LiveKitServerDownload.Version}/";
            lock (files)
            {
                files[release + asset] = bytes;
                files[release + "checksums.txt"] = Encoding.UTF8.GetBytes(
                    $"{Convert.ToHexStringLower(SHA256.HashData(checksumOf ?? bytes))}  {asset}\n0000  livekit_{LiveKitServerDownload.Version}_windows_amd64.zip\n");
            }
        }

        async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var path = context.Request.Url!.AbsolutePath;
                byte[]? body;
                lock (files)
                {
                    Requests.Add(path.Replace("/releases", "", StringComparison.Ordinal));
                    files.TryGetValue(path, out body);
                }
                context.Response.StatusCode = body is null ? 404 : 200;
                if (body is not null)
                {
                    await context.Response.OutputStream.WriteAsync(body);
                }
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            serving.Wait(TimeSpan.FromSeconds(5));
            Http.Dispose();
        }
    }
}
