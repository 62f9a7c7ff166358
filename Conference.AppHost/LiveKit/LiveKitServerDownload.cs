using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Conference.AppHost.LiveKit;

/// <summary>
/// Fetches the pinned <c>livekit-server</c> release binary (the version of <see cref="LiveKitImages.ServerTag"/>)
/// for the Processes variant, when the developer opts in with <c>Conference:LiveKit:Download=true</c>. LiveKit
/// publishes it on GitHub as <c>livekit_VERSION_linux_ARCH.tar.gz</c> with a <c>checksums.txt</c> of SHA-256
/// sums (goreleaser's layout); the archive is used only when its sum matches. The binary is cached per version
/// (<c>…/conference/livekit-server/VERSION/livekit-server</c>), so later runs use it without the network.
/// </summary>
sealed class LiveKitServerDownload(HttpClient http, Uri releases, string cacheDirectory)
{
    /// <summary>Where LiveKit's release assets are: <c>{releases}/v{version}/{asset}</c>.</summary>
    public static readonly Uri GitHubReleases = new("https://github.com/livekit/livekit/releases/download/");

    /// <summary>The pinned version, without the "v": the same server the Containers variant runs.</summary>
    public static string Version => LiveKitImages.ServerTag.TrimStart('v');

    /// <summary>The default cache: the user's local application data (~/.local/share on Linux).</summary>
    public static string DefaultCacheDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "conference", "livekit-server");

    /// <summary>The release asset for this machine, or null where LiveKit publishes none (macOS, 32-bit, Windows on Arm).</summary>
    public static string? AssetName(OSPlatform os, Architecture architecture)
    {
        var arch = architecture switch { Architecture.X64 => "amd64", Architecture.Arm64 => "arm64", _ => null };
        return os == OSPlatform.Linux && arch is not null ? $"livekit_{Version}_linux_{arch}.tar.gz" : null;
    }

    /// <summary>
    /// What <c>Conference:LiveKit:Download=true</c> does at start: a verified binary for this machine (cached, or
    /// fetched now from <c>Conference:LiveKit:DownloadUrl</c>, default LiveKit's GitHub releases, into
    /// <c>Conference:LiveKit:DownloadCache</c>), or why there is none.
    /// </summary>
    public static (string? Path, string? Problem) Fetch(IConfiguration configuration)
    {
        var releases = configuration["Conference:LiveKit:DownloadUrl"] is { Length: > 0 } url ? new Uri(url.EndsWith('/') ? url : url + "/") : GitHubReleases;
        var cache = configuration["Conference:LiveKit:DownloadCache"] is { Length: > 0 } directory ? directory : DefaultCacheDirectory;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var download = new LiveKitServerDownload(http, releases, cache);
        var os = OperatingSystem.IsLinux() ? OSPlatform.Linux : OperatingSystem.IsMacOS() ? OSPlatform.OSX : OSPlatform.Windows;
        if (!File.Exists(download.CachedBinary))
        {
            Console.WriteLine($"Conference: fetching livekit-server {Version} from {releases} (Conference:LiveKit:Download=true) into {cache}");
        }
        var result = download.GetAsync(os, RuntimeInformation.OSArchitecture, CancellationToken.None).GetAwaiter().GetResult();
        if (result.Problem is not null)
        {
            Console.Error.WriteLine($"Conference: {result.Problem}");
        }
        return result;
    }

    /// <summary>The cached binary's path for this version (whether or not it is there yet).</summary>
    public string CachedBinary => Path.Combine(cacheDirectory, Version, "livekit-server");

    /// <summary>
    /// The path of a verified <c>livekit-server</c> of the pinned version, from the cache or downloaded now; or the
    /// reason there is none, in words a developer can act on.
    /// </summary>
    public async Task<(string? Path, string? Problem)> GetAsync(OSPlatform os, Architecture architecture, CancellationToken cancellationToken)
    {
        if (File.Exists(CachedBinary))
        {
            return (CachedBinary, null);
        }
        if (AssetName(os, architecture) is not { } asset)
        {
            return (null, $"LiveKit publishes no livekit-server {Version} binary for {os} {architecture}; install it by hand (README: \"LiveKit without a container engine\").");
        }

        var releaseUrl = new Uri(releases, $"v{Version}/");
        var assetUrl = new Uri(releaseUrl, asset);
        try
        {
            var checksums = await http.GetStringAsync(new Uri(releaseUrl, "checksums.txt"), cancellationToken);
            var expected = checksums.Split('\n')
                .Select(line => line.Split(' ', 2, StringSplitOptions.TrimEntries))
                .FirstOrDefault(parts => parts.Length == 2 && parts[1].TrimStart('*') == asset)?[0];
            if (expected is null)
            {
                return (null, $"{new Uri(releaseUrl, "checksums.txt")} lists no {asset}; livekit-server was not downloaded.");
            }

            var archive = await http.GetByteArrayAsync(assetUrl, cancellationToken);
            var actual = Convert.ToHexStringLower(SHA256.HashData(archive));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                return (null, $"{assetUrl} does not match its published SHA-256 (expected {expected}, got {actual}); it was not used.");
            }

            await ExtractAsync(archive, cancellationToken);
            return (CachedBinary, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return (null, $"Could not download livekit-server {Version} from {assetUrl}: {exception.Message}");
        }
    }

    /// <summary>Writes the archive's livekit-server beside its final name, then moves it there: a half-written file is never used.</summary>
    async Task ExtractAsync(byte[] archive, CancellationToken cancellationToken)
    {
        using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || Path.GetFileName(entry.Name) != "livekit-server" || entry.DataStream is null)
            {
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(CachedBinary)!);
            var partial = $"{CachedBinary}.{Environment.ProcessId}.partial";
            await using (var file = File.Create(partial))
            {
                await entry.DataStream.CopyToAsync(file, cancellationToken);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
            File.Move(partial, CachedBinary, overwrite: true);
            return;
        }
        throw new InvalidDataException("the archive holds no livekit-server");
    }
}
